import assert from 'node:assert/strict';
import { X509Certificate as NodeX509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SignJWT, importPKCS8, importSPKI, jwtVerify } from 'jose';
import { DAY_MS, subjectAltNamesOf } from './certificates.ts';
import { ensurePki, PKI_FILES, type Pki } from './ensure-pki.ts';
import { x509 } from './x509.ts';

const REQUIRED_SANS = [
  'dns:localhost',
  `dns:${hostname().toLowerCase()}`,
  'dns:kubernetes',
  'dns:kubernetes.default',
  'dns:kubernetes.default.svc',
  'dns:kubernetes.default.svc.cluster.local',
  'ip:127.0.0.1',
  'ip:::1',
  'ip:10.43.0.1',
];

function sansOf(pem: string): string[] {
  return subjectAltNamesOf(new x509.X509Certificate(pem)).map((s) => `${s.type}:${s.value}`);
}

function extendedKeyUsages(pem: string): string[] {
  const ext = new x509.X509Certificate(pem).getExtension(x509.ExtendedKeyUsageExtension);
  return Array.from(ext?.usages ?? [], String);
}

/** Verifies the chain with Node's OpenSSL-backed X509Certificate, independently of @peculiar. */
function assertSignedBy(certPem: string, caPem: string): void {
  const cert = new NodeX509Certificate(certPem);
  const ca = new NodeX509Certificate(caPem);
  assert.ok(cert.checkIssued(ca), 'issuer does not match the CA');
  assert.ok(cert.verify(ca.publicKey), 'signature does not verify with the CA key');
}

describe('ensurePki', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-pki-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("issues the API server's kubelet-client certificate (system:masters) and keeps it across starts", async () => {
    const pki = await ensurePki(dataDir, { sans: [] });
    const cert = new x509.X509Certificate(pki.kubeletClientCertPem);
    assert.equal(cert.subject, 'CN=kube-apiserver-kubelet-client, O=system:masters');
    assert.deepEqual(extendedKeyUsages(pki.kubeletClientCertPem), [x509.ExtendedKeyUsage.clientAuth]);
    assertSignedBy(pki.kubeletClientCertPem, pki.caCertPem);
    assert.equal(await readFile(join(dataDir, 'pki', PKI_FILES.kubeletClientCert), 'utf8'), pki.kubeletClientCertPem);
    assert.equal((await ensurePki(dataDir, { sans: [] })).kubeletClientCertPem, pki.kubeletClientCertPem);
  });

  it('creates a CA, serving and admin certificates and a service account key on first start', async () => {
    const started = performance.now();
    const pki = await ensurePki(dataDir, { sans: ['203.0.113.7', 'API.Example.com', '2001:db8:0::1'] });
    assert.ok(performance.now() - started < 1000, 'first start took longer than 1 s');

    const ca = new x509.X509Certificate(pki.caCertPem);
    assert.equal(ca.subject, 'CN=strata-ca');
    assert.equal(ca.getExtension(x509.BasicConstraintsExtension)?.ca, true);
    const caUsages = ca.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
    assert.ok(caUsages & x509.KeyUsageFlags.keyCertSign);
    assert.ok(caUsages & x509.KeyUsageFlags.cRLSign);
    const caDays = (ca.notAfter.getTime() - Date.now()) / DAY_MS;
    assert.ok(caDays > 3640 && caDays <= 3650, `CA valid for ${caDays} days`);
    assert.equal((ca.publicKey.algorithm as { namedCurve?: string }).namedCurve, 'P-256');

    const server = new x509.X509Certificate(pki.serverCertPem);
    const sans = sansOf(pki.serverCertPem);
    for (const san of [...REQUIRED_SANS, 'ip:203.0.113.7', 'dns:api.example.com', 'ip:2001:db8::1']) {
      assert.ok(sans.includes(san), `serving certificate lacks ${san}; has ${sans.join(', ')}`);
    }
    assert.deepEqual(extendedKeyUsages(pki.serverCertPem), [x509.ExtendedKeyUsage.serverAuth]);
    assert.equal(server.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    const serverDays = (server.notAfter.getTime() - Date.now()) / DAY_MS;
    assert.ok(serverDays > 360 && serverDays <= 365, `serving certificate valid for ${serverDays} days`);
    assertSignedBy(pki.serverCertPem, pki.caCertPem);
    // Node's own hostname/IP matching agrees with the SANs.
    const nodeServer = new NodeX509Certificate(pki.serverCertPem);
    assert.equal(nodeServer.checkIP('10.43.0.1'), '10.43.0.1');
    assert.equal(nodeServer.checkHost('kubernetes.default.svc.cluster.local'), 'kubernetes.default.svc.cluster.local');

    const admin = new x509.X509Certificate(pki.adminCertPem);
    assert.equal(admin.subject, 'CN=admin, O=system:masters');
    assert.deepEqual(extendedKeyUsages(pki.adminCertPem), [x509.ExtendedKeyUsage.clientAuth]);
    assertSignedBy(pki.adminCertPem, pki.caCertPem);

    // The service account key signs JWTs that its public key verifies.
    const jwt = await new SignJWT({ sub: 'system:serviceaccount:default:default' })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(await importPKCS8(pki.serviceAccountKeyPem, 'ES256'));
    const verified = await jwtVerify(jwt, await importSPKI(pki.serviceAccountPublicKeyPem, 'ES256'));
    assert.equal(verified.payload.sub, 'system:serviceaccount:default:default');

    // Files on disk hold what was returned; keys are private to the owner.
    const files: Array<[keyof typeof PKI_FILES, keyof Pki]> = [
      ['caCert', 'caCertPem'],
      ['caKey', 'caKeyPem'],
      ['serverCert', 'serverCertPem'],
      ['serverKey', 'serverKeyPem'],
      ['adminCert', 'adminCertPem'],
      ['adminKey', 'adminKeyPem'],
      ['serviceAccountKey', 'serviceAccountKeyPem'],
      ['serviceAccountPublicKey', 'serviceAccountPublicKeyPem'],
    ];
    for (const [file, field] of files) {
      const path = join(dataDir, 'pki', PKI_FILES[file]);
      assert.equal(await readFile(path, 'utf8'), pki[field]);
      if (file.endsWith('Key') && file !== 'serviceAccountPublicKey') assert.equal((await stat(path)).mode & 0o777, 0o600, `${path} mode`);
    }
    assert.equal((await stat(join(dataDir, 'pki'))).mode & 0o777, 0o700);
  });

  it('loads the same PKI on a later start', async () => {
    const first = await ensurePki(dataDir, { sans: ['10.0.0.5'] });
    const second = await ensurePki(dataDir, { sans: ['10.0.0.5'] });
    assert.deepEqual({ ...second, issueClientCertificate: null }, { ...first, issueClientCertificate: null });
  });

  it('re-issues only the serving certificate when a new SAN is requested', async () => {
    const first = await ensurePki(dataDir, { sans: [] });
    assert.ok(!sansOf(first.serverCertPem).includes('dns:new.example.com'));

    const second = await ensurePki(dataDir, { sans: ['new.example.com'] });
    assert.notEqual(second.serverCertPem, first.serverCertPem);
    assert.notEqual(second.serverKeyPem, first.serverKeyPem);
    assert.ok(sansOf(second.serverCertPem).includes('dns:new.example.com'));
    assertSignedBy(second.serverCertPem, first.caCertPem);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.caKeyPem, first.caKeyPem);
    assert.equal(second.adminCertPem, first.adminCertPem);
    assert.equal(second.serviceAccountKeyPem, first.serviceAccountKeyPem);

    // Dropping the SAN again keeps the certificate that still covers everything requested.
    const third = await ensurePki(dataDir, { sans: [] });
    assert.equal(third.serverCertPem, second.serverCertPem);
  });

  it('re-issues the serving certificate for a new host name', async () => {
    const first = await ensurePki(dataDir, { sans: [], hostname: 'node-a' });
    assert.ok(sansOf(first.serverCertPem).includes('dns:node-a'));
    const second = await ensurePki(dataDir, { sans: [], hostname: 'node-b' });
    assert.ok(sansOf(second.serverCertPem).includes('dns:node-b'));
    assert.equal(second.caCertPem, first.caCertPem);
  });

  it('re-issues leaf certificates that expire within 30 days, keeping the CA', async () => {
    const first = await ensurePki(dataDir, { sans: [] });
    const later = new Date(Date.now() + 340 * DAY_MS);
    const second = await ensurePki(dataDir, { sans: [], now: () => later });
    assert.equal(second.caCertPem, first.caCertPem);
    assert.notEqual(second.serverCertPem, first.serverCertPem);
    assert.notEqual(second.adminCertPem, first.adminCertPem);
    assert.equal(second.serviceAccountKeyPem, first.serviceAccountKeyPem);
    const notAfter = new x509.X509Certificate(second.serverCertPem).notAfter.getTime();
    assert.ok(notAfter > later.getTime() + 360 * DAY_MS);
  });

  it('repairs a leaf whose key does not match its certificate', async () => {
    const first = await ensurePki(dataDir, { sans: [] });
    await writeFile(join(dataDir, 'pki', PKI_FILES.serverKey), first.adminKeyPem);
    const second = await ensurePki(dataDir, { sans: [] });
    assert.notEqual(second.serverCertPem, first.serverCertPem);
    const key = await readFile(join(dataDir, 'pki', PKI_FILES.serverKey), 'utf8');
    assert.equal(key, second.serverKeyPem);
    assert.notEqual(key, first.adminKeyPem);
  });

  it('re-issues leaves after the CA was replaced by the operator', async () => {
    const other = await mkdtemp(join(tmpdir(), 'strata-pki-other-'));
    try {
      const first = await ensurePki(dataDir, { sans: [] });
      const foreign = await ensurePki(other, { sans: [] });
      await writeFile(join(dataDir, 'pki', PKI_FILES.caCert), foreign.caCertPem);
      await writeFile(join(dataDir, 'pki', PKI_FILES.caKey), foreign.caKeyPem);
      const second = await ensurePki(dataDir, { sans: [] });
      assert.equal(second.caCertPem, foreign.caCertPem);
      assert.notEqual(second.serverCertPem, first.serverCertPem);
      assertSignedBy(second.serverCertPem, foreign.caCertPem);
      assertSignedBy(second.adminCertPem, foreign.caCertPem);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses to replace a CA certificate whose key is missing', async () => {
    const first = await ensurePki(dataDir, { sans: [] });
    await unlink(join(dataDir, 'pki', PKI_FILES.caKey));
    await assert.rejects(ensurePki(dataDir, { sans: [] }), /ca\.key is missing/);
    assert.equal(await readFile(join(dataDir, 'pki', PKI_FILES.caCert), 'utf8'), first.caCertPem);
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    const first = await ensurePki(dataDir, { sans: [] });
    await writeFile(join(dataDir, 'pki', PKI_FILES.caKey), first.adminKeyPem);
    await assert.rejects(ensurePki(dataDir, { sans: [] }), /cannot use the cluster CA/);
  });

  it('recreates the CA when only its key was written before an interrupted first start', async () => {
    await ensurePki(dataDir, { sans: [] });
    await unlink(join(dataDir, 'pki', PKI_FILES.caCert));
    const second = await ensurePki(dataDir, { sans: [] });
    assertSignedBy(second.serverCertPem, second.caCertPem);
  });

  it('issues client certificates for other identities', async () => {
    const pki = await ensurePki(dataDir, { sans: [] });
    const { certPem, keyPem } = await pki.issueClientCertificate('system:node:worker-1', ['system:nodes', 'extra'], 30);
    const cert = new x509.X509Certificate(certPem);
    assert.equal(cert.subject, 'CN=system:node:worker-1, O=system:nodes, O=extra');
    assert.deepEqual(extendedKeyUsages(certPem), [x509.ExtendedKeyUsage.clientAuth]);
    const days = (cert.notAfter.getTime() - Date.now()) / DAY_MS;
    assert.ok(days > 29 && days <= 30, `valid for ${days} days`);
    assertSignedBy(certPem, pki.caCertPem);
    assert.ok(new NodeX509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem)));
  });
});
