// The API server: HTTPS (HTTP/1.1 and HTTP/2) in front of the registry. Each request goes
// through metrics, the in-flight limit, authentication and authorization, then to the route that
// serves it: version and health, discovery, OpenAPI, metrics, or a resource.

import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { badRequest, failure, notFound, tooManyRequests, unauthorized } from '../machinery/status-error.ts';
import type { ApiRegistry } from './api-registry.ts';
import { forbiddenError, requestAttributes, type Authorizer } from './auth/index.ts';
import type { Authenticator, UserInfo } from './filters/authn.ts';
import { Discovery, wantsAggregated } from './handlers/discovery.ts';
import { handleResource } from './handlers/resource-handler.ts';
import type { AnyRequest } from './http/body.ts';
import { parseResourcePath } from './http/request-info.ts';
import { send, sendError, sendJson, type AnyResponse } from './http/respond.ts';
import type { ApiMetrics } from './metrics.ts';
import type { MetricsApi } from './metrics-api/index.ts';
import { OpenApiV2Service, type OpenApiResponse, type OpenApiService } from './openapi/index.ts';
import type { KubeletClient } from './kubelet/index.ts';
import { proxyUpgrade } from './handlers/agent-proxy.ts';
import { upgradeFailure } from './http/upgrade-failure.ts';

export interface ApiServerConfig {
  readonly bind: string;
  readonly port: number;
  readonly tls: { cert: string; key: string; ca: string };
  /** Non-watch requests allowed at once before 429 (upstream default 400 + 200). */
  readonly maxInflight: number;
  readonly version: string;
}

export interface ApiServerDeps {
  registry: ApiRegistry;
  authenticator: Authenticator;
  /** Decides every authenticated request (and answers the access reviews). */
  authorizer: Authorizer;
  metrics: ApiMetrics;
  openapi: OpenApiService;
  /** The Swagger 2.0 document at /openapi/v2; one is made when not given. */
  openapiV2?: OpenApiV2Service;
  logger: Logger;
  /** Health checks for /readyz (e.g. the store answers). */
  readiness: () => Promise<void>;
  /** Reaches node agents: pods/log, exec, attach, portforward, nodes/proxy. */
  kubelet?: KubeletClient;
  /** metrics.k8s.io (NodeMetrics, PodMetrics), answered from the nodes' stats. */
  metricsApi?: MetricsApi;
}

const NOOP_MAX_BYTES = 64 * 1024;

export class ApiServer {
  readonly #config: ApiServerConfig;
  readonly #deps: ApiServerDeps;
  readonly #discovery: Discovery;
  readonly #log: Logger;
  readonly #openapiV2: OpenApiV2Service;
  #server: Http2SecureServer | undefined;
  #inflight = 0;
  #openapiGeneration = -1;
  #shuttingDown = false;
  readonly #sockets = new Set<import('node:net').Socket>();

  constructor(config: ApiServerConfig, deps: ApiServerDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#discovery = new Discovery(deps.registry, deps.metricsApi?.definitions ?? []);
    this.#openapiV2 = deps.openapiV2 ?? new OpenApiV2Service();
    this.#log = deps.logger.child({ component: 'apiserver' });
  }

  async listen(): Promise<AddressInfo> {
    const { tls } = this.#config;
    const server = createSecureServer({
      allowHTTP1: true,
      cert: tls.cert,
      key: tls.key,
      ca: tls.ca,
      requestCert: true,
      rejectUnauthorized: false,
      settings: { maxConcurrentStreams: 1000 },
      // Node's default (10 MB per session) counts response bytes not yet on the wire: a busy
      // client (a simulator with a 150,000-pod watch, a prober with lists in flight) crossed it
      // and had new streams refused with ENHANCE_YOUR_CALM. In MB, per connection.
      maxSessionMemory: 256,
    });
    server.on('request', (req, res) => void this.#handle(req, res));
    // HTTP/1.1 requests to switch protocols (exec, attach, port-forward over WebSocket or SPDY).
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#upgrade(req, socket, head));
    server.on('connection', (socket: import('node:net').Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('tlsClientError', () => {});
    server.on('secureConnection', unconsumeHttp1Socket);
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#config.port, this.#config.bind, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    return this.#server?.address() as AddressInfo | undefined;
  }

  /** Stops accepting, ends watches and open connections. */
  async close(): Promise<void> {
    this.#shuttingDown = true;
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  /**
   * Serves a request made inside this process (the in-process client of the controllers): the
   * same routing, limits, authorization, admission and metrics as the network path, with the
   * caller's identity given instead of read from a certificate or token.
   */
  serveLocal(req: Http2ServerRequest, res: Http2ServerResponse, user: UserInfo): Promise<void> {
    return this.#handle(req, res, user);
  }

  async #handle(req: Http2ServerRequest, res: Http2ServerResponse, localUser?: UserInfo): Promise<void> {
    const started = process.hrtime.bigint();
    let url: URL;
    let info: ReturnType<typeof parseResourcePath>;
    try {
      url = requestUrl(req.url);
      info = parseResourcePath(url.pathname, req.method, url.searchParams);
    } catch (err) {
      const failed = sendError(req, res, err, (e) => this.#log.error({ err: e }, 'unexpected error parsing a request path'));
      this.#deps.metrics.requests.inc({ verb: req.method.toLowerCase(), resource: '', code: String(failed) });
      return;
    }
    const verb = info?.verb ?? req.method.toLowerCase();
    const resource = info ? (info.subresource ? `${info.resource}/${info.subresource}` : info.resource) : '';
    const isWatch = verb === 'watch';
    let code = 200;
    // Like upstream's long-running request check, streams that last as long as the client wants
    // (watches, logs, node proxy) do not hold an in-flight slot.
    const longRunning = isWatch || info?.subresource === 'log' || info?.subresource === 'proxy';
    const limited = !longRunning && !isHealth(url.pathname);
    if (limited) {
      this.#inflight++;
      this.#deps.metrics.inflight.inc({ kind: 'readOnly' });
    }
    try {
      if (limited && this.#inflight > this.#config.maxInflight) throw tooManyRequests('Too many requests, please try again later.', 1);
      code = await this.#route(req, res, url, info, localUser);
    } catch (err) {
      code = sendError(req, res, err, (e) => this.#log.error({ err: e, path: url.pathname, verb }, 'unexpected error serving request'));
    } finally {
      if (limited) {
        this.#inflight--;
        this.#deps.metrics.inflight.dec({ kind: 'readOnly' });
      }
      this.#deps.metrics.requests.inc({ verb, resource, code: String(code) });
      if (!longRunning) this.#deps.metrics.latency.observe({ verb, resource }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async #route(req: Http2ServerRequest, res: Http2ServerResponse, url: URL, info: ReturnType<typeof parseResourcePath>, localUser?: UserInfo): Promise<number> {
    const path = url.pathname;
    if (isHealth(path)) return this.#health(req, res, path);
    const user = localUser ?? (await this.#deps.authenticator.authenticate(req));
    if (!user) throw unauthorized();
    const attributes = requestAttributes(user, req.method, path, info);
    const decision = await this.#deps.authorizer.authorize(attributes);
    if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
    if (path === '/version' || path === '/version/') {
      sendJson(req, res, 200, versionInfo(this.#config.version));
      return 200;
    }
    if (path === '/metrics') {
      send(req, res, 200, await this.#deps.metrics.registry.metrics(), this.#deps.metrics.registry.contentType);
      return 200;
    }
    if (path === '/debug/strata/noop') return this.#noop(req, res, url);
    if (path.startsWith('/openapi/v3')) return this.#openapi(req, res, path, url.searchParams);
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') return this.#openapiV2Route(req, res, path);
    if (info && req.method !== 'OPTIONS' && this.#deps.metricsApi?.serves(info.group, info.version)) {
      return this.#deps.metricsApi.handle(req, res, info, url.searchParams);
    }
    if (info && req.method !== 'OPTIONS') {
      const served = this.#deps.registry.lookup(info.group, info.version, info.resource);
      // Like upstream, an unserved resource path is a plain 404, not a named object that is missing.
      if (!served) throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
      await handleResource({
        req,
        res,
        query: url.searchParams,
        info,
        served,
        user: user.username,
        userInfo: user,
        registry: this.#deps.registry,
        onWatch: (delta) => this.#deps.metrics.watches.inc({ resource: info.resource }, delta),
        ...(this.#deps.kubelet ? { kubelet: this.#deps.kubelet } : {}),
      });
      return res.statusCode;
    }
    return this.#discoveryRoute(req, res, path);
  }

  /**
   * A request to switch protocols: the same authentication, authorization and metrics as any
   * other, then a tunnel to the node agent. Failures are written on the raw socket as a Status.
   */
  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    let verb = (req.method ?? 'GET').toLowerCase();
    let resource = '';
    let code = 101;
    try {
      const url = requestUrl(req.url ?? '/');
      const info = parseResourcePath(url.pathname, req.method ?? 'GET', url.searchParams);
      if (info) {
        verb = info.verb;
        resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      }
      const user = await this.#deps.authenticator.authenticate(req);
      if (!user) throw unauthorized();
      const attributes = requestAttributes(user, req.method ?? 'GET', url.pathname, info);
      const decision = await this.#deps.authorizer.authorize(attributes);
      if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
      const served = info ? this.#deps.registry.lookup(info.group, info.version, info.resource) : undefined;
      if (!info || !served) throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
      code = await proxyUpgrade({ req, socket, head, url, info, served, registry: this.#deps.registry, ...(this.#deps.kubelet ? { kubelet: this.#deps.kubelet } : {}) });
    } catch (err) {
      code = upgradeFailure(socket, err, (e) => this.#log.error({ err: e, path: req.url }, 'unexpected error serving an upgrade request'));
    } finally {
      this.#deps.metrics.requests.inc({ verb, resource, code: String(code) });
    }
  }

  #discoveryRoute(req: AnyRequest, res: AnyResponse, path: string): number {
    const parts = path.split('/').filter(Boolean);
    const d = this.#discovery;
    let doc;
    if (parts.length === 1 && (parts[0] === 'api' || parts[0] === 'apis')) {
      const aggregated = wantsAggregated(req.headers.accept);
      const core = parts[0] === 'api';
      if (aggregated) doc = d.aggregated(core, aggregated);
      else doc = core ? d.legacyCore(`${this.#config.bind === '0.0.0.0' ? '127.0.0.1' : this.#config.bind}:${this.#config.port}`) : d.legacyGroups();
    } else if (parts.length === 2 && parts[0] === 'api' && d.hasGroupVersion('', parts[1] as string)) {
      doc = d.resourceList('', parts[1] as string);
    } else if (parts.length === 2 && parts[0] === 'apis' && d.hasGroup(parts[1] as string)) {
      doc = d.legacyGroup(parts[1] as string);
    } else if (parts.length === 3 && parts[0] === 'apis' && d.hasGroupVersion(parts[1] as string, parts[2] as string)) {
      doc = d.resourceList(parts[1] as string, parts[2] as string);
    } else if (parts.length === 0) {
      sendJson(req, res, 200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
      return 200;
    } else {
      throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    send(req, res, 200, doc.body, doc.contentType);
    return 200;
  }

  /** Hands the served resources to the OpenAPI builders when the registry changed. */
  #syncOpenApi(): void {
    if (this.#openapiGeneration === this.#deps.registry.generation) return;
    this.#openapiGeneration = this.#deps.registry.generation;
    // CRD kinds (and built-ins without fact-table definitions) bring their own schema.
    const defs = this.#deps.registry.all().map((s) => (s.openapiSchema ? { ...s.def, schema: s.openapiSchema } : s.def));
    this.#deps.openapi.update(defs);
    this.#openapiV2.update(defs);
  }

  #openapi(req: AnyRequest, res: AnyResponse, path: string, query: URLSearchParams): number {
    const openapi = this.#deps.openapi;
    this.#syncOpenApi();
    let doc: OpenApiResponse | undefined;
    if (path === '/openapi/v3' || path === '/openapi/v3/') doc = openapi.root();
    else if (path.startsWith('/openapi/v3/')) doc = openapi.document(path.slice('/openapi/v3/'.length));
    if (!doc) throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
    const hash = query.get('hash');
    if (hash && hash !== doc.hash) {
      (res as Http2ServerResponse).writeHead(301, { location: doc.url });
      res.end();
      return 301;
    }
    if (req.headers['if-none-match'] === doc.etag) {
      (res as Http2ServerResponse).writeHead(304, { etag: doc.etag });
      res.end();
      return 304;
    }
    const headers: Record<string, string> = { etag: doc.etag };
    if (hash) headers['cache-control'] = 'public, immutable';
    send(req, res, 200, doc.body, 'application/json', headers);
    return 200;
  }

  /** /openapi/v2 by Accept (JSON, gnostic protobuf, else 406); /swagger-2.0.0.pb-v1 always protobuf. */
  #openapiV2Route(req: AnyRequest, res: AnyResponse, path: string): number {
    this.#syncOpenApi();
    const doc = path === '/openapi/v2' ? this.#openapiV2.negotiate(req.headers.accept) : this.#openapiV2.get('protobuf');
    if (!doc) {
      throw failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/com.github.proto-openapi.spec.v2.v1.0+protobuf', {});
    }
    const headers = { etag: doc.etag, vary: 'Accept' };
    if (req.headers['if-none-match'] === doc.etag) {
      (res as Http2ServerResponse).writeHead(304, headers);
      res.end();
      return 304;
    }
    send(req, res, 200, doc.body, doc.contentType, headers);
    return 200;
  }

  /** The transport baseline for benchmarks: authenticated, no registry, a canned body. */
  async #noop(req: AnyRequest, res: AnyResponse, url: URL): Promise<number> {
    for await (const _ of req as AsyncIterable<Buffer>) void _;
    const size = Math.min(Number(url.searchParams.get('size') ?? '1024') || 0, NOOP_MAX_BYTES);
    send(req, res, req.method === 'POST' ? 201 : 200, `{"kind":"Noop","data":"${'x'.repeat(Math.max(0, size - 26))}"}`);
    return 200;
  }

  async #health(req: AnyRequest, res: AnyResponse, path: string): Promise<number> {
    const check = path.replace(/\/$/, '');
    let ok = !this.#shuttingDown;
    let detail = '';
    if (ok && check.startsWith('/readyz')) {
      try {
        await this.#deps.readiness();
      } catch (err) {
        ok = false;
        detail = (err as Error).message;
      }
    }
    const code = ok ? 200 : 503;
    send(req, res, code, ok ? 'ok' : `[-]${check.slice(1)} failed: ${detail || 'shutting down'}\n${check.slice(1)} check failed`, 'text/plain; charset=utf-8');
    return code;
  }
}

/**
 * The request URL, refusing what WHATWG parsing would silently rewrite: a `.` or `..` segment
 * (also percent-encoded, or after a backslash) would otherwise be resolved away, so that
 * `DELETE …/configmaps/..` addressed the namespace itself. Malformed percent-encoding is a 400.
 */
function requestUrl(raw: string): URL {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  for (const segment of path.split(/[/\\]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badRequest(`invalid request path: malformed percent-encoding in "${segment}"`);
    }
    if (decoded === '.' || decoded === '..') throw badRequest(`invalid request path: a path segment may not be '${decoded}'`);
    if (decoded.includes('/') || decoded.includes('\\')) throw badRequest(`invalid request path: a path segment may not contain '/'`);
  }
  return new URL(raw, 'https://localhost');
}

/**
 * Works around a Node.js race on HTTP/1.1 over TLS. Node's HTTP/1 parser reads the TLS socket
 * natively; when a keep-alive request arrives while the previous (large) response still counts as
 * unflushed, Node pauses socket and parser, yet already-decrypted bytes of that request keep
 * reaching the paused parser, which fails with "Parse Error: Paused" and resets the connection
 * (about a third of 200 KiB POSTs on one keep-alive connection). A `data` listener makes Node
 * parse in JavaScript instead, where pausing is exact. HTTP/2 sessions are left alone.
 */
function unconsumeHttp1Socket(socket: import('node:tls').TLSSocket): void {
  if (socket.alpnProtocol === 'h2') return;
  socket.on('data', ignoreChunk);
}

function ignoreChunk(): void {}

function isHealth(path: string): boolean {
  return /^\/(healthz|livez|readyz)(\/.*)?$/.test(path);
}

export function versionInfo(version: string): Record<string, string> {
  return {
    major: '1',
    minor: '33',
    gitVersion: `v1.33.0-strata.${version}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-24T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform === 'win32' ? 'windows' : process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
