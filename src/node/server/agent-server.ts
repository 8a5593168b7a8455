// The agent's HTTPS endpoint (the kubelet's port 10250): TLS with the node's serving certificate,
// callers authenticated by client certificates from the cluster CA and authorized as the kubelet
// does (agent-auth.ts), then handed to the AgentRoute whose prefix is the path's first segment —
// ordinary requests and requests to switch protocols (WebSocket GETs and SPDY/3.1 POSTs) alike.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { authenticateSocket, type AgentAuthorizer } from './agent-auth.ts';
import type { AgentCaller, AgentRoute } from './routes.ts';

export const DEFAULT_KUBELET_PORT = 10250;

export interface AgentServerConfig {
  /** 0 picks a free port (tests). */
  port: number;
  bind: string;
  tls: { certPem: string; keyPem: string; caPem: string };
}

export interface AgentServerDeps {
  routes: readonly AgentRoute[];
  authorize: AgentAuthorizer;
  logger: Logger;
}

type Outcome = { caller: AgentCaller; route: AgentRoute; parts: string[]; url: URL } | { code: number; message: string };

export class AgentServer {
  readonly #config: AgentServerConfig;
  readonly #deps: AgentServerDeps;
  readonly #routes = new Map<string, AgentRoute>();
  readonly #sockets = new Set<Socket | Duplex>();
  readonly #log: Logger;
  #server: Server | undefined;

  constructor(config: AgentServerConfig, deps: AgentServerDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'agent-server' });
    for (const route of deps.routes) {
      if (this.#routes.has(route.prefix)) throw new Error(`two agent routes claim the prefix "${route.prefix}"`);
      this.#routes.set(route.prefix, route);
    }
  }

  async listen(): Promise<AddressInfo> {
    const { tls } = this.#config;
    const server = createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false });
    server.on('request', (req, res) => void this.#request(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#upgrade(req, socket, head));
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('tlsClientError', () => {});
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

  /** Serves a new certificate from now on (open connections keep theirs). */
  setCertificate(certPem: string, keyPem: string): void {
    this.#server?.setSecureContext({ cert: certPem, key: keyPem, ca: this.#config.tls.caPem });
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops accepting and cuts open streams (logs -f, exec sessions). */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  async #admit(req: IncomingMessage, upgrade: boolean): Promise<Outcome> {
    const caller = authenticateSocket(req.socket as TLSSocket);
    if (!caller) return { code: 401, message: 'Unauthorized' };
    const url = new URL(req.url ?? '/', 'https://localhost');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return { code: 400, message: 'malformed path' };
    }
    const decision = await this.#deps.authorize(caller, req.method ?? 'GET', url.pathname).catch((err: unknown) => {
      this.#log.warn({ err }, 'authorization check failed');
      return { allowed: false, reason: `Authorization error (user=${caller.user}): ${(err as Error).message}` };
    });
    if (!decision.allowed) return { code: 403, message: decision.reason };
    const route = this.#routes.get(parts[0] ?? '');
    if (!route || !(upgrade ? route.upgrade : route.http)) return { code: 404, message: '404 page not found' };
    return { caller, route, parts: parts.slice(1), url };
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const outcome = await this.#admit(req, false);
      if ('code' in outcome) {
        res.writeHead(outcome.code, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(outcome.message);
        return;
      }
      await outcome.route.http!(req, res, outcome.parts, outcome.url, outcome.caller);
    } catch (err) {
      this.#log.error({ err, path: req.url }, 'agent route failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end((err as Error).message);
      } else res.destroy();
    }
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    try {
      const outcome = await this.#admit(req, true);
      if ('code' in outcome) {
        const body = Buffer.from(outcome.message);
        socket.end(`HTTP/1.1 ${outcome.code} ${statusText(outcome.code)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${outcome.message}`);
        return;
      }
      await outcome.route.upgrade!(req, socket, head, outcome.parts, outcome.url, outcome.caller);
    } catch (err) {
      this.#log.error({ err, path: req.url }, 'agent upgrade route failed');
      socket.destroy();
    }
  }
}

function statusText(code: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' } as Record<number, string>)[code] ?? 'Error';
}
