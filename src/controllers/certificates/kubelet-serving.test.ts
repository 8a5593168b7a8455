import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { x509 } from '../../apiserver/pki/x509.ts';
import { createCertificateAuthority } from '../../apiserver/pki/certificates.ts';
import { shouldAutoApprove } from './csr-approving.ts';
import { signCsr } from './csr-signing.ts';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const node = [{ CN: ['system:node:n1'] }, { O: ['system:nodes'] }];
const sans = (names: { type: 'dns' | 'ip' | 'email' | 'url'; value: string }[]): x509.Extension[] => [new x509.SubjectAlternativeNameExtension(names)];

async function request(name: x509.JsonName, extensions: x509.Extension[]): Promise<string> {
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: EC, extensions });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

function csr(req: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'csr-1' },
    spec: { request: req, signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'key encipherment', 'server auth'], username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'], ...spec },
  };
}

test("a node's own serving request is approved; others are left for a human", async () => {
  const good = await request(node, sans([{ type: 'dns', value: 'n1' }, { type: 'ip', value: '127.0.0.1' }]));
  assert.deepEqual(shouldAutoApprove(csr(good)), { approve: true });
  const cases: [string, KubeObject][] = [
    ['another node asks', csr(good, { username: 'system:node:n2' })],
    ['a bootstrapper asks', csr(good, { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] })],
    ['no SANs', csr(await request(node, []))],
    ['email SAN', csr(await request(node, sans([{ type: 'email', value: 'a@b.c' }])))],
    ['client auth usage', csr(good, { usages: ['digital signature', 'client auth'] })],
    ['admin org', csr(await request([{ CN: ['system:node:n1'] }, { O: ['system:masters'] }], sans([{ type: 'dns', value: 'n1' }])))],
  ];
  for (const [what, obj] of cases) assert.equal(shouldAutoApprove(obj).approve, false, what);
});

test('signing a serving request issues a server certificate with the requested names', async () => {
  const now = new Date();
  const ca = await createCertificateAuthority('strata-ca', 3650, now);
  const pem = await signCsr(csr(await request(node, sans([{ type: 'dns', value: 'n1' }, { type: 'ip', value: '127.0.0.1' }]))), ca, now);
  const cert = new x509.X509Certificate(pem);
  assert.equal(cert.subject, 'CN=system:node:n1, O=system:nodes');
  assert.deepEqual([...(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth]);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  assert.deepEqual(names.map((n) => `${n.type}:${n.value}`), ['dns:n1', 'ip:127.0.0.1']);
  await assert.rejects(signCsr(csr(await request(node, sans([{ type: 'dns', value: 'n1' }])), { usages: ['client auth'] }), ca, now), /not allowed/);
});
