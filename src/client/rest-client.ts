// A REST client for the Kubernetes-shaped API over HTTPS with HTTP/2 (one multiplexed session,
// re-opened when the server goes away). Resources are addressed by {group, version, resource,
// namespace?, name?}; failures surface as StatusError built from the server's Status body.

import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { KubeObject } from '../api/types.ts';
import { failure, StatusError, type Status } from '../machinery/status-error.ts';
import { loadKubeconfig, type ClientConfig } from './kubeconfig.ts';
import { readWatchEvents, type WatchEvent } from './watch-stream.ts';

export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  signal?: AbortSignal;
}

export interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** The path of a resource: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise. */
export function resourcePath(ref: ResourceRef, subresource?: string): string {
  let path = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespace) path += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  path += `/${ref.resource}`;
  if (ref.name) path += `/${encodeURIComponent(ref.name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One request and its answer; the body streams (a watch never ends by itself). */
export interface Exchange {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: AsyncIterable<Buffer>;
  /** Stops reading: the server sees the client go away. */
  cancel(): void;
}

/** How requests reach the server: HTTP/2 over TLS, or a direct call into an in-process server. */
export interface Transport {
  exchange(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<Exchange>;
  close(): void;
}

export class RestClient {
  readonly config: Readonly<ClientConfig>;
  readonly #transport: Transport;

  /** Without a transport, requests go over HTTP/2 to config.server. */
  constructor(config: ClientConfig, transport?: Transport) {
    this.config = Object.freeze({ ...config });
    this.#transport = transport ?? new Http2Transport(this.config);
  }

  static async fromKubeconfig(path: string, overrides: Partial<ClientConfig> = {}): Promise<RestClient> {
    return new RestClient({ ...(await loadKubeconfig(path)), ...overrides });
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.#json<T>('GET', resourcePath(ref), undefined, opts.signal);
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { signal, ...params } = opts;
    return this.#json<ObjectList<T>>('GET', resourcePath({ ...ref, name: '' }) + query({ ...params }), undefined, signal);
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#json<T>('POST', resourcePath({ ...ref, name: '' }) + writeQuery(opts), obj, opts.signal);
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#json<T>('PUT', resourcePath(named(ref, obj)) + writeQuery(opts), obj, opts.signal);
  }

  async updateStatus<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#json<T>('PUT', resourcePath(named(ref, obj), 'status') + writeQuery(opts), obj, opts.signal);
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions & { force?: boolean; subresource?: string } = {},
  ): Promise<T> {
    const path = resourcePath(ref, opts.subresource) + writeQuery(opts, opts.force ? { force: true } : {});
    return this.#json<T>('PATCH', path, patch, opts.signal, PATCH_CONTENT_TYPES[type]);
  }

  /** Deletes one object; returns the object (when finalizers delay deletion) or the Status. */
  async delete(ref: ResourceRef, opts: DeleteOptions = {}): Promise<KubeObject | Status> {
    const { signal, ...body } = opts;
    return this.#json('DELETE', resourcePath(ref), { kind: 'DeleteOptions', apiVersion: 'v1', ...body }, signal);
  }

  /** A JSON request to any API path (discovery, deletecollection, subresources the typed methods lack). */
  async request<T>(method: string, path: string, body?: unknown, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.#json<T>(method, path, body, opts.signal);
  }

  /** Streams watch events until the server ends the watch, the signal aborts, or the connection drops. */
  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const { signal, ...params } = opts;
    const path = resourcePath({ ...ref, name: '' }) + query({ ...params, watch: true });
    const res = await this.#transport.exchange('GET', path, this.#headers(), undefined, signal);
    if (res.status >= 300) throw toStatusError(res.status, await collect(res.body));
    try {
      yield* readWatchEvents<T>(res.body);
    } finally {
      res.cancel();
    }
  }

  /** Closes the connection, ending any open watches. */
  close(): void {
    this.#transport.close();
  }

  #headers(contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.config.userAgent ?? 'strata-client' };
    if (this.config.token) headers['authorization'] = `Bearer ${this.config.token}`;
    if (contentType) headers['content-type'] = contentType;
    return headers;
  }

  async #json<T>(method: string, path: string, body: unknown, signal?: AbortSignal, contentType = 'application/json'): Promise<T> {
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs ?? 30_000);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.#transport.exchange(method, path, this.#headers(payload ? contentType : undefined), payload, signal ? AbortSignal.any([signal, timeout]) : timeout);
    const buf = await collect(res.body);
    if (res.status >= 300) throw toStatusError(res.status, buf);
    return JSON.parse(buf.toString('utf8')) as T;
  }
}

const STREAM_WINDOW_BYTES = 4 * 2 ** 20;
const CONNECTION_WINDOW_BYTES = 32 * 2 ** 20;

/** Requests over one multiplexed HTTP/2 session, re-opened when the server goes away. */
class Http2Transport implements Transport {
  readonly #config: Readonly<ClientConfig>;
  #session: ClientHttp2Session | undefined;

  constructor(config: Readonly<ClientConfig>) {
    this.#config = config;
  }

  exchange(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<Exchange> {
    const h2: OutgoingHttpHeaders = { ...headers, [constants.HTTP2_HEADER_METHOD]: method, [constants.HTTP2_HEADER_PATH]: path };
    return new Promise((resolve, reject) => {
      // endStream is explicit: node ends GET/DELETE streams by default, which would drop a DeleteOptions body.
      const stream = this.#sessionFor().request(h2, { endStream: body === undefined, ...(signal ? { signal } : {}) });
      if (body) stream.end(body);
      stream.once('error', reject);
      // A stream the server resets with NO_ERROR or CANCEL closes without an 'error' event; the
      // timeout's abort listener goes with it, so without this the call would never settle.
      stream.once('close', () => reject(streamClosed(stream.rstCode)));
      stream.once('response', (res: IncomingHttpHeaders) => {
        resolve({ status: Number(res[':status']), headers: res, body: stream as AsyncIterable<Buffer>, cancel: () => stream.destroy() });
      });
    });
  }

  close(): void {
    this.#session?.destroy();
    this.#session = undefined;
  }

  #sessionFor(): ClientHttp2Session {
    if (this.#session && !this.#session.closed && !this.#session.destroyed) return this.#session;
    const c = this.#config;
    const session = connect(c.server, {
      ...(c.caPem ? { ca: c.caPem } : {}),
      ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
      rejectUnauthorized: !c.insecureSkipTlsVerify,
      // A large watch (every pod of a big cluster) buffers more than Node's 10 MB default here
      // while the event loop is busy; beyond it, new requests on the session would be refused.
      maxSessionMemory: 256,
      // HTTP/2's default windows (64 KB per stream and per connection) make the server wait for
      // a WINDOW_UPDATE round trip every 64 KB: with a busy server each costs a loop turn, so a
      // 500 KB list took seconds and held up every other call on the connection.
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));
    const drop = (): void => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('close', drop);
    session.on('goaway', drop);
    session.on('error', drop);
    this.#session = session;
    return session;
  }
}

/** The error of a stream closed before its response (ERR_HTTP2_STREAM_ERROR, as Node names a reset stream). */
function streamClosed(rstCode: number | undefined): Error {
  return Object.assign(new Error(`the HTTP/2 stream was closed before a response (code ${rstCode ?? 'none'})`), { code: 'ERR_HTTP2_STREAM_ERROR', rstCode });
}

function named(ref: ResourceRef, obj: KubeObject): ResourceRef {
  return { ...ref, name: ref.name ?? obj.metadata.name ?? '', namespace: ref.namespace ?? obj.metadata.namespace ?? '' };
}

function writeQuery(opts: WriteOptions, extra: Record<string, boolean> = {}): string {
  return query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined, ...extra });
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  409: 'Conflict', 410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
};

/** The server's Status when the body is one, otherwise a Status made from the HTTP code. */
export function toStatusError(code: number, body: Buffer): StatusError {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') return new StatusError({ ...parsed, code: parsed.code ?? code } as Status);
  } catch {
    // not JSON: fall through
  }
  return failure(code, REASONS[code] ?? 'Unknown', text || `the server responded with HTTP ${code}`);
}
