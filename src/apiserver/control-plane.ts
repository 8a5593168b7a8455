// Assembles an API server from its parts: store, PKI, registry of built-in resources, bootstrap
// objects, and the HTTPS server. `strata server` and the tests start it the same way.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BUILTIN_RESOURCES } from '../api/resources.ts';
import { failure, isNotFound } from '../machinery/status-error.ts';
import type { Store } from '../store/types.ts';
import { ApiRegistry } from './api-registry.ts';
import { AllowAuthenticated, registerAuthResources, registryObjectGetter, ServiceAccountJwt, ServiceAccountTokens } from './auth/index.ts';
import { bootstrapCluster } from './bootstrap.ts';
import { Authenticator } from './filters/authn.ts';
import { StaticTokenAuthenticator } from './filters/authn-static-token.ts';
import { BootstrapTokenAuthenticator } from './filters/bootstrap-token.ts';
import { ApiMetrics } from './metrics.ts';
import { OpenApiService } from './openapi/index.ts';
import { ensurePki, writeKubeconfig, type Pki } from './pki/index.ts';
import { ServiceAllocator } from './registry/allocator.ts';
import type { NamespaceGuard } from './registry/generic-store.ts';
import { strategyFor } from './registry/strategies/index.ts';
import { registerCrdKind, startCrdController } from './crd/index.ts';
import { ApiServer } from './server.ts';
import { HttpsKubeletClient, type KubeletClient } from './kubelet/index.ts';
import { KubeletScraper, MetricsApi, type MetricsSource } from './metrics-api/index.ts';
import { localTransport } from './local-transport.ts';
import type { PriorityClassLookup } from './admission/index.ts';
import { RestClient } from '../client/index.ts';
import type { UserInfo } from './filters/authn.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  bind: string;
  port: number;
  tlsSans: string[];
  serviceCidr: string;
  nodePortRange: [number, number];
  maxInflight: number;
  version: string;
  logger: Logger;
  /** Opens the store (the SQLite file under dataDir by default). */
  openStore: () => Promise<Store>;
  /** Where metrics.k8s.io gets node and pod usage (tests inject one; otherwise the nodes' summaries). */
  metricsSource?: MetricsSource;
}

export interface ControlPlane {
  readonly server: ApiServer;
  readonly registry: ApiRegistry;
  readonly store: Store;
  readonly pki: Pki;
  readonly kubeconfigPath: string;
  readonly url: string;
  readonly metrics: ApiMetrics;
  /** Reaches node agents' HTTPS endpoints (logs, exec, stats) as the API server. */
  readonly kubelet: KubeletClient;
  /** A client that calls this server in-process (no HTTP, no TLS) as `user` (the controller manager by default). */
  localClient(user?: UserInfo, userAgent?: string): RestClient;
  close(): Promise<void>;
}

/** The identity of in-process control-plane components (upstream's loopback client is in system:masters). */
export const CONTROL_PLANE_USER: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.logger;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const metrics = new ApiMetrics();
  const rawStore = await options.openStore();
  const store = metrics.instrument(rawStore);
  const allocator = new ServiceAllocator(store, { serviceCidr: options.serviceCidr, nodePortRange: options.nodePortRange });
  const pki = await ensurePki(options.dataDir, { sans: options.tlsSans, kubernetesServiceIp: allocator.apiServerIp, logger: log });

  let registry: ApiRegistry | undefined;
  const namespaceGuard: NamespaceGuard = async (namespace) => {
    const namespaces = registry?.forKind('', 'Namespace');
    if (!namespaces) return;
    let ns = namespaces.store.cache.get(namespaces.store.key(undefined, namespace))?.object;
    if (!ns) {
      try {
        ns = await namespaces.store.get(undefined, namespace);
      } catch (err) {
        if (isNotFound(err)) throw failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
        throw err;
      }
    }
    if (ns.metadata.deletionTimestamp) {
      throw failure(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  };
  registry = new ApiRegistry(store, { namespaceGuard });
  const tokens = await StaticTokenAuthenticator.fromFile(join(options.dataDir, 'pki', 'tokens.csv')).catch(() => new StaticTokenAuthenticator([]));
  const authenticator = new Authenticator({ tokenAuthenticators: [tokens], logger: log });
  const authorizer = new AllowAuthenticated();
  const serviceAccountTokens = new ServiceAccountTokens({ jwt: new ServiceAccountJwt({ privateKeyPem: pki.serviceAccountKeyPem }), getObject: registryObjectGetter(registry) });
  authenticator.addTokenAuthenticator(serviceAccountTokens);
  authenticator.addTokenAuthenticator(new BootstrapTokenAuthenticator({ getObject: registryObjectGetter(registry) }));
  // Priority admission reads PriorityClasses from their watch cache (few objects, always current).
  const priorityClasses: PriorityClassLookup = {
    get: async (name) => {
      const served = registry?.forKind('scheduling.k8s.io', 'PriorityClass');
      return served?.store.cache.get(served.store.key(undefined, name))?.object;
    },
    globalDefault: async () => {
      const served = registry?.forKind('scheduling.k8s.io', 'PriorityClass');
      if (!served) return undefined;
      for (const entry of served.store.cache.entries()) if (entry.object['globalDefault'] === true) return entry.object;
      return undefined;
    },
  };
  for (const def of BUILTIN_RESOURCES) registry.add(def, strategyFor(def, { allocator, priorityClasses }));
  registerAuthResources(registry, { authenticator, authorizer, tokens: serviceAccountTokens });
  registerCrdKind(registry);
  await registry.start();
  const crds = await startCrdController(registry, log);

  const openapi = new OpenApiService();
  // The API server's way to node agents, as kube-apiserver-kubelet-client (system:masters).
  const kubelet = new HttpsKubeletClient({ caPem: pki.caCertPem, certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem });
  const server = new ApiServer(
    { bind: options.bind, port: options.port, tls: { cert: servingChain(pki), key: pki.serverKeyPem, ca: pki.caCertPem }, maxInflight: options.maxInflight, version: options.version },
    {
      registry,
      authenticator,
      authorizer,
      metrics,
      openapi,
      logger: log,
      readiness: async () => {
        await store.currentRevision();
      },
      kubelet,
      metricsApi: new MetricsApi(registry, options.metricsSource ?? new KubeletScraper(kubelet, { logger: log.child({ component: 'metrics-api' }) })),
    },
  );
  const address = await server.listen();
  const host = options.bind === '0.0.0.0' || options.bind === '::' ? '127.0.0.1' : options.bind;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  await bootstrapCluster(registry, allocator, { ip: host === '::1' || host.includes(':') ? '127.0.0.1' : host, port: address.port });
  const kubeconfigPath = join(options.dataDir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, { server: url, caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });

  const reg = registry;
  return {
    server,
    registry: reg,
    store,
    pki,
    kubeconfigPath,
    url,
    metrics,
    kubelet,
    localClient(user = CONTROL_PLANE_USER, userAgent = 'strata-in-process') {
      return new RestClient({ server: url, caPem: pki.caCertPem, userAgent }, localTransport(server, user));
    },
    async close() {
      await server.close();
      kubelet.close();
      crds.close();
      for (const s of reg.stores()) s.cache.close();
      await rawStore.close();
    },
  };
}

/**
 * The serving certificate followed by the cluster CA: a joining agent reads the CA from the TLS
 * handshake and checks it against its --discovery-token-ca-cert-hash pin before trusting it.
 */
function servingChain(pki: Pki): string {
  return pki.serverCertPem.endsWith('\n') ? pki.serverCertPem + pki.caCertPem : `${pki.serverCertPem}\n${pki.caCertPem}`;
}
