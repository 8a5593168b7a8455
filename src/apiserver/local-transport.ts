// The in-process client transport: requests go straight into ApiServer.serveLocal as
// request/response objects shaped like Node's HTTP/2 compatibility API, with no socket, TLS,
// framing or authentication in between. Everything past the transport (limits, authorization,
// validation, admission, the watch cache) is the network path's own code.
// The response body is handed over chunk by chunk; `writableLength` counts what the client has
// not read yet, so the watch handler's slow-watcher cut-off works as over the network.

import { EventEmitter } from 'node:events';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Readable } from 'node:stream';
import type { Exchange, Transport } from '../client/index.ts';
import type { UserInfo } from './filters/authn.ts';
import type { ApiServer } from './server.ts';

type Headers = Record<string, string | string[] | undefined>;

class LocalRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly httpVersion = '2.0';
  readonly socket = {};

  constructor(method: string, url: string, headers: Headers, body: Buffer | undefined) {
    super();
    this.method = method;
    this.url = url;
    this.headers = { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    if (body) this.push(body);
    this.push(null);
  }

  override _read(): void {}
}

/** The server's side of one exchange; the client reads `chunks` as they are written. */
class LocalResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableLength = 0;
  readonly #headers: Headers = {};
  readonly #chunks: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly headersReady: Promise<void>;
  #markHeaders!: () => void;

  constructor() {
    super();
    this.headersReady = new Promise((resolve) => (this.#markHeaders = resolve));
  }

  get headers(): Headers {
    return this.#headers;
  }

  setHeader(name: string, value: string | number | string[]): this {
    this.#headers[name.toLowerCase()] = Array.isArray(value) ? value : String(value);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.#headers[name.toLowerCase()];
  }

  writeHead(code: number, headers?: Record<string, string | number | string[]>): this {
    this.statusCode = code;
    for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v);
    this.#sendHeaders();
    return this;
  }

  flushHeaders(): void {
    this.#sendHeaders();
  }

  write(chunk: string | Uint8Array): boolean {
    this.#sendHeaders();
    if (this.#ended) return false;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#chunks.push(buf);
    this.writableLength += buf.length;
    this.#wakeReader();
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined && chunk !== null) this.write(chunk);
    this.#sendHeaders();
    if (!this.#ended) {
      this.#ended = true;
      this.#wakeReader();
      this.emit('finish');
    }
    return this;
  }

  destroy(err?: Error): this {
    this.#error = err ?? new Error('the server reset the response');
    this.end();
    this.emit('close');
    return this;
  }

  async *body(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.writableLength -= chunk.length;
        yield chunk;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.#markHeaders();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** A Transport serving every request through `server` as `user`. */
export function localTransport(server: ApiServer, user: UserInfo): Transport {
  const open = new Set<() => void>();
  return {
    async exchange(method, path, headers, body, signal): Promise<Exchange> {
      signal?.throwIfAborted();
      const req = new LocalRequest(method, path, headers, body);
      const res = new LocalResponse();
      const hangUp = (): void => {
        open.delete(hangUp);
        signal?.removeEventListener('abort', hangUp);
        // What a closed connection tells the server: the watch handler stops on 'close'.
        req.emit('close');
        res.emit('close');
        res.destroy(signal?.reason instanceof Error ? signal.reason : new Error('request cancelled'));
      };
      open.add(hangUp);
      signal?.addEventListener('abort', hangUp, { once: true });
      res.once('finish', () => {
        open.delete(hangUp);
        signal?.removeEventListener('abort', hangUp);
      });
      // A watch answers its headers and keeps streaming after the handler returns.
      const served = server.serveLocal(req as unknown as Http2ServerRequest, res as unknown as Http2ServerResponse, user);
      await Promise.race([res.headersReady, served]);
      await res.headersReady;
      return { status: res.statusCode, headers: res.headers, body: res.body(), cancel: hangUp };
    },
    close() {
      for (const hangUp of [...open]) hangUp();
    },
  };
}
