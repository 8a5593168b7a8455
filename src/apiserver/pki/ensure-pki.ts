// The API server's PKI under <dataDir>/pki: created on first start, loaded afterwards, and kept
// usable — a serving certificate that no longer covers the requested names, or any leaf close to
// expiry, is re-issued from the same CA so that kubeconfigs and nodes keep trusting the server.
// The CA itself is never replaced once it exists: that would silently cut off every client.

import { mkdir, readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  type CertificateAndKey,
  type CertificateAuthority,
  type SubjectAltName,
  DAY_MS,
  createCertificateAuthority,
  expiresWithin,
  generateKeyPair,
  isIssuedBy,
  issueCertificate,
  keyMatchesCertificate,
  loadCertificateAuthority,
  missingSubjectAltNames,
  parseCertificate,
  privateKeyToPem,
  publicKeyPemOf,
  toSubjectAltName,
} from './certificates.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export interface EnsurePkiOptions {
  /** Extra names for the serving certificate (--tls-san): IPs when they parse as one, else DNS. */
  sans: readonly string[];
  /** The machine's host name; defaults to os.hostname(). */
  hostname?: string;
  /** ClusterIP of the `kubernetes` Service (first IP of the service CIDR). */
  kubernetesServiceIp?: string;
  logger?: Logger;
  now?: () => Date;
}

export interface Pki {
  /** The folder holding the files named in PKI_FILES. */
  readonly dir: string;
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly adminCertPem: string;
  readonly adminKeyPem: string;
  /** The API server's client certificate towards node agents (CN kube-apiserver-kubelet-client, O system:masters). */
  readonly kubeletClientCertPem: string;
  readonly kubeletClientKeyPem: string;
  /** ECDSA P-256 (ES256) key that signs ServiceAccount tokens, PKCS#8 PEM. */
  readonly serviceAccountKeyPem: string;
  readonly serviceAccountPublicKeyPem: string;
  /** A new client certificate (clientAuth) from the cluster CA: CN → user, O → groups. */
  issueClientCertificate(commonName: string, organizations: readonly string[], days: number): Promise<CertificateAndKey>;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  kubeletClientCert: 'apiserver-kubelet-client.crt',
  kubeletClientKey: 'apiserver-kubelet-client.key',
  serviceAccountKey: 'service-account.key',
  serviceAccountPublicKey: 'service-account.pub',
} as const;

export const DEFAULT_KUBERNETES_SERVICE_IP = '10.43.0.1';
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

export async function ensurePki(dataDir: string, options: EnsurePkiOptions): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = options.now ?? (() => new Date());
  const log = options.logger?.child({ component: 'pki' });

  const ca = await ensureCa(dir, now(), log);
  const server = await ensureLeaf(dir, ca, now(), log, {
    certFile: PKI_FILES.serverCert,
    keyFile: PKI_FILES.serverKey,
    commonName: 'strata-apiserver',
    usage: 'server',
    subjectAltNames: servingSubjectAltNames(options),
  });
  const admin = await ensureLeaf(dir, ca, now(), log, {
    certFile: PKI_FILES.adminCert,
    keyFile: PKI_FILES.adminKey,
    commonName: 'admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  // Upstream kubeadm's apiserver-kubelet-client: how the API server proves itself to node agents
  // (logs, exec, port-forward, node proxy).
  const kubeletClient = await ensureLeaf(dir, ca, now(), log, {
    certFile: PKI_FILES.kubeletClientCert,
    keyFile: PKI_FILES.kubeletClientKey,
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const serviceAccount = await ensureServiceAccountKey(dir, log);

  return {
    dir,
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    kubeletClientCertPem: kubeletClient.certPem,
    kubeletClientKeyPem: kubeletClient.keyPem,
    serviceAccountKeyPem: serviceAccount.keyPem,
    serviceAccountPublicKeyPem: serviceAccount.publicKeyPem,
    issueClientCertificate: (commonName, organizations, days) =>
      issueCertificate(ca, { commonName, organizations, usage: 'client', days, now: now() }),
  };
}

/** Every name the serving certificate must carry, canonical and without duplicates. */
export function servingSubjectAltNames(
  options: Pick<EnsurePkiOptions, 'sans' | 'hostname' | 'kubernetesServiceIp'>,
): SubjectAltName[] {
  const names = [
    'localhost',
    options.hostname ?? osHostname(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    '127.0.0.1',
    '::1',
    options.kubernetesServiceIp ?? DEFAULT_KUBERNETES_SERVICE_IP,
    ...options.sans,
  ];
  const seen = new Set<string>();
  const sans: SubjectAltName[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    const san = toSubjectAltName(name);
    const key = `${san.type}:${san.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sans.push(san);
  }
  return sans;
}

async function ensureCa(dir: string, now: Date, log: Logger | undefined): Promise<CertificateAuthority> {
  const certPath = join(dir, PKI_FILES.caCert);
  const keyPath = join(dir, PKI_FILES.caKey);
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  if (certPem !== undefined) {
    if (keyPem === undefined) throw new Error(`${certPath} exists but its key ${keyPath} is missing`);
    const ca = await loadCertificateAuthority(certPem, keyPem).catch((cause: unknown) => {
      throw new Error(`cannot use the cluster CA in ${dir}`, { cause });
    });
    if (expiresWithin(ca.cert, now, RENEW_BEFORE_MS)) {
      log?.warn({ notAfter: ca.cert.notAfter.toISOString() }, 'cluster CA expires soon; it is not rotated automatically');
    }
    return ca;
  }
  // No certificate: a first start, or one interrupted after writing the key. Either way nothing
  // can trust this CA yet, so a new one is safe.
  const ca = await createCertificateAuthority('strata-ca', CA_DAYS, now);
  await writeFileAtomic(keyPath, ca.keyPem, KEY_MODE);
  await writeFileAtomic(certPath, ca.certPem, CERT_MODE);
  log?.info({ notAfter: ca.cert.notAfter.toISOString() }, 'created cluster CA');
  return ca;
}

interface LeafSpec {
  certFile: string;
  keyFile: string;
  commonName: string;
  organizations?: readonly string[];
  usage: 'server' | 'client';
  subjectAltNames?: readonly SubjectAltName[];
}

async function ensureLeaf(
  dir: string,
  ca: CertificateAuthority,
  now: Date,
  log: Logger | undefined,
  spec: LeafSpec,
): Promise<CertificateAndKey> {
  const certPath = join(dir, spec.certFile);
  const keyPath = join(dir, spec.keyFile);
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  const reason = await reissueReason(certPem, keyPem, ca, now, spec);
  if (reason === undefined && certPem !== undefined && keyPem !== undefined) return { certPem, keyPem };

  const issued = await issueCertificate(ca, { ...spec, days: LEAF_DAYS, now });
  // Key first: an interrupted write leaves a key that does not match the old certificate, which
  // the next start detects and repairs.
  await writeFileAtomic(keyPath, issued.keyPem, KEY_MODE);
  await writeFileAtomic(certPath, issued.certPem, CERT_MODE);
  log?.info({ file: spec.certFile, reason }, 'issued certificate');
  return issued;
}

/** Why a stored leaf cannot be kept, or undefined when it can. */
async function reissueReason(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: CertificateAuthority,
  now: Date,
  spec: LeafSpec,
): Promise<string | undefined> {
  if (certPem === undefined || keyPem === undefined) return 'missing';
  try {
    const cert = parseCertificate(certPem);
    if (!keyMatchesCertificate(keyPem, cert)) return 'key does not match certificate';
    if (!(await isIssuedBy(cert, ca))) return 'not issued by the cluster CA';
    if (expiresWithin(cert, now, RENEW_BEFORE_MS)) return 'expires within 30 days';
    const missing = missingSubjectAltNames(cert, spec.subjectAltNames ?? []);
    if (missing.length > 0) return `missing subjectAltNames ${missing.map((s) => s.value).join(', ')}`;
    return undefined;
  } catch {
    return 'unreadable';
  }
}

async function ensureServiceAccountKey(
  dir: string,
  log: Logger | undefined,
): Promise<{ keyPem: string; publicKeyPem: string }> {
  const keyPath = join(dir, PKI_FILES.serviceAccountKey);
  const publicKeyPath = join(dir, PKI_FILES.serviceAccountPublicKey);
  let keyPem = await readOptional(keyPath);
  if (keyPem === undefined) {
    const keys = await generateKeyPair();
    keyPem = await privateKeyToPem(keys.privateKey);
    await writeFileAtomic(keyPath, keyPem, KEY_MODE);
    log?.info('created service account signing key');
  }
  // Issued tokens depend on this key, so an unreadable one is an error, never replaced.
  let publicKeyPem: string;
  try {
    publicKeyPem = publicKeyPemOf(keyPem);
  } catch (cause) {
    throw new Error(`cannot read the service account key ${keyPath}`, { cause });
  }
  if ((await readOptional(publicKeyPath)) !== publicKeyPem) {
    await writeFileAtomic(publicKeyPath, publicKeyPem, CERT_MODE);
  }
  return { keyPem, publicKeyPem };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
