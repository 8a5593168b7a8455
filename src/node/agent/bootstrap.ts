// The agent's own credential, as the kubelet's TLS bootstrap: with a join token it discovers the
// cluster CA (pinned by --discovery-token-ca-cert-hash), generates an EC P-256 key, asks for a
// client certificate `CN=system:node:<name>, O=system:nodes` through a CertificateSigningRequest
// (signer kubernetes.io/kube-apiserver-client-kubelet), waits for approval and signing, and
// writes its own kubeconfig under the data dir. A later start reuses that kubeconfig while its
// certificate is valid, so the token is needed only once. The agent never holds the admin's
// credential.

import { X509Certificate } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { loadKubeconfig, realClock, RestClient, sleep, type ClientConfig, type Clock } from '../../client/index.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { writeKubeconfig } from '../../apiserver/pki/index.ts';
import { x509 } from '../../apiserver/pki/x509.ts';
import { discoverPinnedCa, discoverUnpinnedCa } from './bootstrap-ca-pin.ts';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** With less validity left than this, the agent asks for a new certificate with its current one. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
/** A certificate this close to expiry cannot even be used to renew: the agent joins again. */
const MIN_VALIDITY_MS = 60_000;

export interface CredentialOptions {
  server: string;
  nodeName: string;
  dataDir: string;
  token?: string;
  /** `sha256:<hex>` pin of the cluster CA's public key. */
  caCertHash?: string;
  /** Trust whatever CA the server presents (upstream --discovery-token-unsafe-skip-ca-verification). */
  unsafeSkipCaVerification?: boolean;
  /** Renew a certificate with less validity than this left (30 days). */
  renewBeforeMs?: number;
  /** How long to wait for the certificate (approval and signing), ms. */
  waitTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface Credential {
  kubeconfigPath: string;
  config: ClientConfig;
  /** True when an existing kubeconfig was reused (no CSR was made). */
  reused: boolean;
  /** True when the certificate was renewed with the previous one (no token needed). */
  renewed?: boolean;
}

/** The user a node client certificate names. */
export function nodeUser(nodeName: string): string {
  return `system:node:${nodeName}`;
}

export function agentKubeconfigPath(dataDir: string): string {
  return join(dataDir, 'kubeconfig');
}

/**
 * Whether an existing kubeconfig can be used as is, should be renewed with its own certificate
 * (less than `renewBeforeMs` of validity left, as the kubelet rotates at ~70-90% of the lifetime),
 * or cannot be used at all.
 */
export function credentialState(config: ClientConfig, server: string | undefined, nodeName: string, nowMs: number, renewBeforeMs = RENEW_BEFORE_MS): 'valid' | 'renew' | { problem: string } {
  if (!config.certPem || !config.keyPem || !config.caPem) return { problem: 'it holds no client certificate' };
  if (server !== undefined && new URL(config.server).origin !== new URL(server).origin) return { problem: `it is for another server (${config.server})` };
  const cert = new X509Certificate(config.certPem);
  if (!cert.subject.split('\n').includes(`CN=${nodeUser(nodeName)}`)) return { problem: `its certificate is not for ${nodeUser(nodeName)}` };
  const left = Date.parse(cert.validTo) - nowMs;
  if (left <= MIN_VALIDITY_MS) return { problem: 'its certificate has expired' };
  return left < renewBeforeMs ? 'renew' : 'valid';
}

/** A PEM PKCS#10 request for the node's client identity, and its PEM private key. */
export async function nodeCertificateRequest(nodeName: string): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [nodeUser(nodeName)] }, { O: ['system:nodes'] }],
    keys,
    signingAlgorithm: EC_P256,
  });
  const keyPem = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { csrPem: csr.toString('pem'), keyPem };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function conditionOf(csr: KubeObject, type: string): { reason?: string; message?: string } | undefined {
  const conditions = (((csr['status'] ?? {}) as Record<string, unknown>)['conditions'] ?? []) as { type: string; status: string; reason?: string; message?: string }[];
  return conditions.find((c) => c.type === type && c.status === 'True');
}

/** Says what a failed bootstrap call means for the user. */
function explain(err: unknown): Error {
  if (isStatusError(err) && err.status.code === 401) {
    return new Error('the server rejected the join token (unknown, expired or revoked): create a new one with `strata token create`', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Returns a usable credential: the existing kubeconfig if still good, else a fresh one via CSR. */
export async function ensureCredential(options: CredentialOptions): Promise<Credential> {
  const clock = options.clock ?? realClock;
  const log = options.logger;
  const kubeconfigPath = agentKubeconfigPath(options.dataDir);
  if (await exists(kubeconfigPath)) {
    const config = await loadKubeconfig(kubeconfigPath);
    const state = credentialState(config, options.server, options.nodeName, clock.now(), options.renewBeforeMs);
    if (state === 'valid') {
      log?.info({ kubeconfig: kubeconfigPath }, 'reusing the node credential');
      return { kubeconfigPath, config, reused: true };
    }
    if (state === 'renew') {
      // The node renews as itself (the csrapproving controller approves a node's own renewal).
      const self = new RestClient({ ...config, userAgent: 'strata-agent/renew' });
      try {
        const issued = await requestNodeCertificate(self, config.caPem ?? '', options, clock);
        log?.info({ kubeconfig: kubeconfigPath }, 'node certificate renewed');
        return { ...issued, renewed: true };
      } catch (err) {
        log?.warn({ err }, 'node certificate renewal failed; using the current one');
        return { kubeconfigPath, config, reused: true };
      } finally {
        self.close();
      }
    }
    log?.info({ kubeconfig: kubeconfigPath, problem: state.problem }, 'existing node credential not usable; joining again');
  }
  if (options.token === undefined) throw new Error(`no usable credential in ${kubeconfigPath} and no --token to join with`);
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(options.token)) throw new Error('the join token must look like abcdef.0123456789abcdef ([a-z0-9]{6}.[a-z0-9]{16})');

  let caPem: string;
  if (options.caCertHash !== undefined) {
    caPem = await discoverPinnedCa(options.server, options.caCertHash, options.signal);
  } else if (options.unsafeSkipCaVerification === true) {
    caPem = await discoverUnpinnedCa(options.server, options.signal);
    log?.warn('trusting the server\'s CA without a pin (--discovery-token-unsafe-skip-ca-verification)');
  } else {
    throw new Error('--discovery-token-ca-cert-hash is required to trust the server (or pass --discovery-token-unsafe-skip-ca-verification)');
  }

  const bootstrap = new RestClient({ server: options.server, caPem, token: options.token, userAgent: 'strata-agent/bootstrap' });
  try {
    return await requestNodeCertificate(bootstrap, caPem, options, clock);
  } finally {
    bootstrap.close();
  }
}

/** Creates the node's CSR through `client`, waits for the certificate and writes the kubeconfig. */
async function requestNodeCertificate(client: RestClient, caPem: string, options: CredentialOptions, clock: Clock): Promise<Credential> {
  const log = options.logger;
  const kubeconfigPath = agentKubeconfigPath(options.dataDir);
  const { csrPem, keyPem } = await nodeCertificateRequest(options.nodeName);
  const csr: KubeObject = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'node-csr-', labels: { 'strata.dev/node': options.nodeName } },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: ['digital signature', 'client auth'],
    },
  };
  let created: KubeObject;
  try {
    created = await client.create(CSRS, csr, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw explain(err);
  }
  const name = created.metadata.name ?? '';
  log?.info({ csr: name }, 'certificate signing request created; waiting for approval and signing');
  const certPem = await waitForCertificate(client, name, options.waitTimeoutMs ?? 300_000, clock, options.signal);
  const config: ClientConfig = { server: options.server, caPem, certPem, keyPem };
  await writeKubeconfig(kubeconfigPath, { server: options.server, caCertPem: caPem, clientCertPem: certPem, clientKeyPem: keyPem, user: nodeUser(options.nodeName) });
  log?.info({ kubeconfig: kubeconfigPath, csr: name }, 'node credential issued');
  return { kubeconfigPath, config, reused: false };
}

async function waitForCertificate(client: RestClient, name: string, timeoutMs: number, clock: Clock, signal?: AbortSignal): Promise<string> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    let csr: KubeObject;
    try {
      csr = await client.get({ ...CSRS, name }, signal ? { signal } : {});
    } catch (err) {
      throw explain(err);
    }
    const denied = conditionOf(csr, 'Denied') ?? conditionOf(csr, 'Failed');
    if (denied) throw new Error(`certificate signing request ${name} was not granted: ${denied.reason ?? ''} ${denied.message ?? ''}`.trim());
    const certificate = ((csr['status'] ?? {}) as Record<string, unknown>)['certificate'];
    if (typeof certificate === 'string' && certificate !== '') return Buffer.from(certificate, 'base64').toString('utf8');
    if (clock.now() >= deadline) throw new Error(`certificate signing request ${name} was not signed within ${Math.round(timeoutMs / 1000)}s (is the csrapproving/csrsigning controller running?)`);
    await sleep(clock, 250, signal);
  }
}
