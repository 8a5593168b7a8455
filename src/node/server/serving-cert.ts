// The agent's HTTPS serving certificate, obtained like the kubelet's server TLS bootstrap: an EC
// key made here, a CertificateSigningRequest for signer kubernetes.io/kubelet-serving naming the
// node (CN system:node:<name>, O system:nodes) with its host name and addresses as SANs, signed by
// the cluster CA once approved. The pair is kept under <dataDir>/pki and reused while it is valid
// and still names every address the node has.

import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { realClock, sleep, type Clock, type RestClient } from '../../client/index.ts';
import { writeFileAtomic } from '../../apiserver/pki/index.ts';
import { x509 } from '../../apiserver/pki/x509.ts';

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Ask for a new certificate when less than this is left (the kubelet rotates at 70-90% of the lifetime). */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface ServingCertOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  /** DNS names and IPs the certificate must carry (host name, addresses, 127.0.0.1). */
  names: readonly string[];
  waitTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface ServingCert {
  certPem: string;
  keyPem: string;
  /** True when the stored pair was reused. */
  reused: boolean;
}

export function servingCertPaths(dataDir: string): { cert: string; key: string } {
  return { cert: join(dataDir, 'pki', 'kubelet-server.crt'), key: join(dataDir, 'pki', 'kubelet-server.key') };
}

/** Whether a stored certificate still serves: for this node, valid for a while, naming every address. */
export function servingCertUsable(certPem: string, nodeName: string, names: readonly string[], nowMs: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.subject.split('\n').includes(`CN=system:node:${nodeName}`)) return false;
    if (Date.parse(cert.validTo) - nowMs < RENEW_BEFORE_MS) return false;
    const sans = (cert.subjectAltName ?? '').split(', ');
    return names.every((n) => sans.includes(isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
  } catch {
    return false;
  }
}

export async function ensureServingCertificate(options: ServingCertOptions): Promise<ServingCert> {
  const clock = options.clock ?? realClock;
  const paths = servingCertPaths(options.dataDir);
  const [certPem, keyPem] = await Promise.all([readFile(paths.cert, 'utf8').catch(() => undefined), readFile(paths.key, 'utf8').catch(() => undefined)]);
  if (certPem && keyPem && servingCertUsable(certPem, options.nodeName, options.names, clock.now())) return { certPem, keyPem, reused: true };

  const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const names = [...new Set(options.names)].map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [`system:node:${options.nodeName}`] }, { O: ['system:nodes'] }],
    keys,
    signingAlgorithm: EC_P256,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  const newKeyPem = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  const created = await options.client.create<KubeObject>(CSRS, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'csr-', labels: { 'strata.dev/node': options.nodeName } },
    spec: {
      request: Buffer.from(csr.toString('pem')).toString('base64'),
      signerName: KUBELET_SERVING_SIGNER,
      usages: ['digital signature', 'key encipherment', 'server auth'],
    },
  }, options.signal ? { signal: options.signal } : {});
  const name = created.metadata.name ?? '';
  options.logger?.info({ csr: name }, 'serving certificate requested; waiting for approval and signing');
  const issued = await waitForCertificate(options.client, name, options.waitTimeoutMs ?? 300_000, clock, options.signal);
  await mkdir(join(options.dataDir, 'pki'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.key, newKeyPem, 0o600);
  await writeFileAtomic(paths.cert, issued, 0o644);
  options.logger?.info({ csr: name, cert: paths.cert }, 'serving certificate issued');
  return { certPem: issued, keyPem: newKeyPem, reused: false };
}

async function waitForCertificate(client: RestClient, name: string, timeoutMs: number, clock: Clock, signal?: AbortSignal): Promise<string> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const csr = await client.get<KubeObject>({ ...CSRS, name }, signal ? { signal } : {});
    const status = (csr['status'] ?? {}) as { certificate?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
    const refused = (status.conditions ?? []).find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (refused) throw new Error(`serving certificate request ${name} was not granted: ${refused.reason ?? ''} ${refused.message ?? ''}`.trim());
    if (status.certificate) return Buffer.from(status.certificate, 'base64').toString('utf8');
    if (clock.now() >= deadline) throw new Error(`serving certificate request ${name} was not signed within ${Math.round(timeoutMs / 1000)}s (is the certificates controller running?)`);
    await sleep(clock, 250, signal);
  }
}
