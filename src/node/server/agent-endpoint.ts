// Starts the agent's HTTPS endpoint: gets (or reuses) the serving certificate through a CSR, then
// listens with the default routes plus any extra ones the caller brings.

import type { Logger } from 'pino';
import type { RestClient } from '../../client/index.ts';
import type { RuntimeService } from '../runtime/cri.ts';
import { subjectAccessReviewAuthorizer } from './agent-auth.ts';
import { AgentServer } from './agent-server.ts';
import { defaultAgentRoutes, type AgentRouteDeps } from './default-routes.ts';
import type { AgentRoute } from './routes.ts';
import { ensureServingCertificate } from './serving-cert.ts';

export interface AgentEndpointOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  /** The cluster CA: client certificates must chain to it. */
  caPem: string;
  port: number;
  bind?: string;
  /** Host names and addresses the serving certificate names. */
  names: readonly string[];
  runtime: RuntimeService;
  /** Routes on top of the defaults, replacing one with the same prefix (or a function that builds them from the same deps). */
  extraRoutes?: readonly AgentRoute[] | ((deps: AgentRouteDeps) => readonly AgentRoute[]);
  /** How long to wait for the serving certificate to be signed (60 s). */
  certWaitTimeoutMs?: number;
  logger: Logger;
  signal?: AbortSignal;
}

export async function startAgentEndpoint(options: AgentEndpointOptions): Promise<AgentServer> {
  const log = options.logger.child({ component: 'agent-server' });
  const cert = await ensureServingCertificate({
    client: options.client,
    nodeName: options.nodeName,
    dataDir: options.dataDir,
    names: options.names,
    logger: log,
    waitTimeoutMs: options.certWaitTimeoutMs ?? 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const deps: AgentRouteDeps = { runtime: options.runtime, nodeName: options.nodeName, client: options.client, logger: log };
  const extra = typeof options.extraRoutes === 'function' ? options.extraRoutes(deps) : (options.extraRoutes ?? []);
  // An extra route with a default's prefix takes its place (a test's stand-in, a different implementation).
  const routes = new Map(defaultAgentRoutes(deps).map((r) => [r.prefix, r]));
  for (const r of extra) routes.set(r.prefix, r);
  const server = new AgentServer(
    { port: options.port, bind: options.bind ?? '0.0.0.0', tls: { certPem: cert.certPem, keyPem: cert.keyPem, caPem: options.caPem } },
    { routes: [...routes.values()], authorize: subjectAccessReviewAuthorizer(options.client, options.nodeName), logger: log },
  );
  const address = await server.listen();
  log.info({ port: address.port, reusedCertificate: cert.reused }, 'agent HTTPS endpoint listening');
  keepCertificateFresh(server, options, log);
  return server;
}

/** How often the agent checks whether its serving certificate needs renewing. */
const RENEW_CHECK_MS = 3_600_000;

/**
 * Like the kubelet's certificate manager: a certificate close to expiry (or no longer naming the
 * node's addresses) is replaced through a new CSR while the server keeps running.
 */
function keepCertificateFresh(server: AgentServer, options: AgentEndpointOptions, log: Logger): void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    ensureServingCertificate({ client: options.client, nodeName: options.nodeName, dataDir: options.dataDir, names: options.names, logger: log, ...(options.signal ? { signal: options.signal } : {}) })
      .then((cert) => {
        if (!cert.reused) server.setCertificate(cert.certPem, cert.keyPem);
      })
      .catch((err: unknown) => log.warn({ err }, 'serving certificate renewal failed; keeping the current one'))
      .finally(() => (busy = false));
  }, RENEW_CHECK_MS);
  timer.unref();
  options.signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
}
