// HTTPS clients for the benchmark, authenticated with the admin client certificate from the
// kubeconfig. Two transports:
//   h2 — a pool of node:http2 sessions; requests go round-robin over the sessions and are
//        multiplexed as streams, as client-go does over one connection.
//   h1 — an https.Agent with keep-alive, one socket per concurrent request (maxSockets = pool size).
// Watches are long-lived HTTP/2 streams whose body is handed over line by line.

import { connect, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Credentials {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function readCredentials(kubeconfigPath: string): Credentials {
  const cfg = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = cfg.clusters[0]?.cluster;
  const user = cfg.users[0]?.user;
  if (!cluster || !user) throw new Error(`${kubeconfigPath}: no cluster or user`);
  const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
  return { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
}

export interface Response {
  readonly status: number;
  readonly body: Buffer;
}

export type Transport = 'h2' | 'h1';

export interface HttpClient {
  /** How the client talks, for the report: e.g. "HTTP/2, 32 sessions". */
  readonly description: string;
  request(method: string, path: string, body?: Buffer): Promise<Response>;
  close(): Promise<void>;
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials;
}

export async function openClient(endpoint: Endpoint, transport: Transport, connections: number): Promise<HttpClient> {
  return transport === 'h2' ? H2Pool.connect(endpoint, connections) : new H1Client(endpoint, connections);
}

export class H2Pool implements HttpClient {
  readonly description: string;
  readonly #sessions: ClientHttp2Session[];
  #next = 0;

  private constructor(sessions: ClientHttp2Session[]) {
    this.#sessions = sessions;
    this.description = `HTTP/2, ${sessions.length} session${sessions.length === 1 ? '' : 's'}`;
  }

  static async connect(endpoint: Endpoint, sessions: number): Promise<H2Pool> {
    const opened = await Promise.all(Array.from({ length: sessions }, () => openSession(endpoint)));
    return new H2Pool(opened);
  }

  get sessions(): readonly ClientHttp2Session[] {
    return this.#sessions;
  }

  #session(): ClientHttp2Session {
    const s = this.#sessions[this.#next] as ClientHttp2Session;
    this.#next = (this.#next + 1) % this.#sessions.length;
    return s;
  }

  request(method: string, path: string, body?: Buffer): Promise<Response> {
    const headers: OutgoingHttpHeaders = { ':method': method, ':path': path };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    return new Promise((resolve, reject) => {
      const stream = this.#session().request(headers, { endStream: !body });
      let status = 0;
      let ended = false;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        ended = true;
        resolve({ status, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      });
      stream.on('error', reject);
      // A reset stream closes without 'end' (and maybe without 'error'): never leave the caller hanging.
      stream.on('close', () => {
        if (!ended) reject(new Error(`stream closed before the response ended (status ${status}, rst code ${stream.rstCode})`));
      });
      if (body) stream.end(body);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#sessions.map((s) => new Promise<void>((r) => (s.closed ? r() : s.close(() => r())))));
  }
}

const STREAM_WINDOW = 4 * 1024 * 1024;
const CONNECTION_WINDOW = 64 * 1024 * 1024;

function openSession(endpoint: Endpoint): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const { ca, cert, key } = endpoint.credentials;
    // Flow-control windows like client-go's (4 MiB per stream, large per connection), so large
    // LIST bodies are not throttled by the 64 KiB HTTP/2 default.
    const session = connect(`https://${endpoint.host}:${endpoint.port}`, { ca, cert, key, maxSessionMemory: 64, settings: { initialWindowSize: STREAM_WINDOW } });
    session.once('connect', () => {
      session.off('error', reject);
      session.setLocalWindowSize(CONNECTION_WINDOW);
      session.on('error', () => {}); // surfaced per stream
      resolve(session);
    });
    session.once('error', reject);
  });
}

export class H1Client implements HttpClient {
  readonly description: string;
  readonly #endpoint: Endpoint;
  readonly #agent: Agent;

  constructor(endpoint: Endpoint, sockets: number) {
    this.#endpoint = endpoint;
    const { ca, cert, key } = endpoint.credentials;
    this.#agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, ca, cert, key });
    this.description = `HTTP/1.1 keep-alive, ≤${sockets} socket${sockets === 1 ? '' : 's'}`;
  }

  request(method: string, path: string, body?: Buffer): Promise<Response> {
    const headers: Record<string, string | number> = {};
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: this.#endpoint.host, port: this.#endpoint.port, method, path, agent: this.#agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }
}

export interface LineStream {
  /** Resolves with the HTTP status once the response headers arrived. */
  readonly status: Promise<number>;
  /** Resolves when the server ends the stream or it is closed. */
  readonly done: Promise<void>;
  close(): void;
}

/**
 * A streaming GET (a watch) on an HTTP/2 session: `onLine` gets each complete line and the time
 * (performance.now) at which the chunk that completed it arrived.
 */
export function streamLines(session: ClientHttp2Session, path: string, onLine: (line: string, receivedAt: number) => void): LineStream {
  const stream = session.request({ ':method': 'GET', ':path': path, accept: 'application/json' }, { endStream: true });
  let pending = '';
  const status = new Promise<number>((resolve, reject) => {
    stream.once('response', (h) => resolve(Number(h[':status'])));
    stream.once('error', reject);
    stream.once('close', () => reject(new Error('watch stream closed before its response')));
  });
  status.catch(() => {});
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const now = performance.now();
    let text = pending + chunk;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      onLine(text.slice(0, nl), now);
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    pending = text;
  });
  const done = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.on('error', () => {});
  return { status, done, close: () => stream.close() };
}
