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

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class RestClient {
  readonly config: Readonly<ClientConfig>;
  #session: ClientHttp2Session | undefined;

  constructor(config: ClientConfig) {
    this.config = Object.freeze({ ...config });
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
    const stream = this.#open('GET', path, undefined, signal);
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', reject);
    });
    const status = Number(headers[':status']);
    if (status >= 300) {
      const body = await collect(stream);
      throw toStatusError(status, body);
    }
    try {
      yield* readWatchEvents<T>(stream);
    } finally {
      stream.destroy();
    }
  }

  /** Closes the connection, ending any open watches. */
  close(): void {
    this.#session?.destroy();
    this.#session = undefined;
  }

  #sessionFor(): ClientHttp2Session {
    if (this.#session && !this.#session.closed && !this.#session.destroyed) return this.#session;
    const c = this.config;
    const session = connect(c.server, {
      ...(c.caPem ? { ca: c.caPem } : {}),
      ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
      rejectUnauthorized: !c.insecureSkipTlsVerify,
    });
    const drop = (): void => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('close', drop);
    session.on('goaway', drop);
    session.on('error', drop);
    this.#session = session;
    return session;
  }

  #open(method: string, path: string, body: unknown, signal: AbortSignal | undefined, contentType = 'application/json') {
    const headers: OutgoingHttpHeaders = {
      [constants.HTTP2_HEADER_METHOD]: method,
      [constants.HTTP2_HEADER_PATH]: path,
      accept: 'application/json',
      'user-agent': this.config.userAgent ?? 'strata-client',
    };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) headers['content-type'] = contentType;
    // endStream is explicit: node ends GET/DELETE streams by default, which would drop a DeleteOptions body.
    const stream = this.#sessionFor().request(headers, { endStream: payload === undefined, ...(signal ? { signal } : {}) });
    if (payload) stream.end(payload);
    return stream;
  }

  async #json<T>(method: string, path: string, body: unknown, signal?: AbortSignal, contentType?: string): Promise<T> {
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs ?? 30_000);
    const res = await this.#request(method, path, body, signal ? AbortSignal.any([signal, timeout]) : timeout, contentType);
    if (res.status >= 300) throw toStatusError(res.status, res.body);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  #request(method: string, path: string, body: unknown, signal: AbortSignal, contentType?: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const stream = this.#open(method, path, body, signal, contentType);
      stream.once('error', reject);
      stream.once('response', (headers) => {
        collect(stream).then((buf) => resolve({ status: Number(headers[':status']), headers, body: buf }), reject);
      });
    });
  }
}

function named(ref: ResourceRef, obj: KubeObject): ResourceRef {
  return { ...ref, name: ref.name ?? obj.metadata.name ?? '', namespace: ref.namespace ?? obj.metadata.namespace ?? '' };
}

function writeQuery(opts: WriteOptions, extra: Record<string, boolean> = {}): string {
  return query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined, ...extra });
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
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
