import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { x509 } from '../../apiserver/pki/x509.ts';
import { createCertificateAuthority } from '../../apiserver/pki/certificates.ts';
import { shouldAutoApprove } from './csr-approving.ts';
import { certificateDurationMs, signCsr } from './csr-signing.ts';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function request(name: x509.JsonName, extensions: x509.Extension[] = []): Promise<string> {
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: EC, extensions });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

function csr(req: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'node-csr-1' },
    spec: { request: req, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'], ...spec },
    status,
  };
}

const node = [{ CN: ['system:node:n1'] }, { O: ['system:nodes'] }];

test('a node client request from a bootstrapper, or from the node itself, is approved', async () => {
  const req = await request(node);
  assert.deepEqual(shouldAutoApprove(csr(req)), { approve: true });
  assert.deepEqual(shouldAutoApprove(csr(req, { username: 'system:node:n1', groups: ['system:nodes'] })), { approve: true });
});

test('anything but exactly a node client identity from an entitled requester is left alone', async () => {
  const cases: [string, KubeObject][] = [
    ['other signer', csr(await request(node), { signerName: 'kubernetes.io/kube-apiserver-client' })],
    ['admin group', csr(await request([{ CN: ['system:node:n1'] }, { O: ['system:masters'] }]))],
    ['extra org', csr(await request([{ CN: ['system:node:n1'] }, { O: ['system:nodes'] }, { O: ['system:masters'] }]))],
    ['not a node CN', csr(await request([{ CN: ['admin'] }, { O: ['system:nodes'] }]))],
    ['empty node name', csr(await request([{ CN: ['system:node:'] }, { O: ['system:nodes'] }]))],
    ['SANs', csr(await request(node, [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'evil' }])]))],
    ['server auth usage', csr(await request(node), { usages: ['digital signature', 'client auth', 'server auth'] })],
    ['no client auth', csr(await request(node), { usages: ['digital signature'] })],
    ['plain user', csr(await request(node), { username: 'alice', groups: ['system:authenticated'] })],
    ['another node', csr(await request(node), { username: 'system:node:n2', groups: ['system:nodes'] })],
    ['already approved', csr(await request(node), {}, { conditions: [{ type: 'Approved', status: 'True' }] })],
    ['garbage', csr('bm90IGEgY3Ny')],
  ];
  for (const [what, obj] of cases) assert.equal(shouldAutoApprove(obj).approve, false, what);
});

test('signing issues a client certificate for the requested subject, capped by expirationSeconds', async () => {
  const now = new Date();
  const ca = await createCertificateAuthority('strata-ca', 3650, now);
  const pem = await signCsr(csr(await request(node), { expirationSeconds: 3600 }), ca, now);
  const cert = new x509.X509Certificate(pem);
  assert.equal(cert.subject, 'CN=system:node:n1, O=system:nodes');
  assert.equal(cert.issuer, ca.cert.subject);
  assert.ok(await cert.verify({ publicKey: ca.cert, signatureOnly: true }));
  assert.ok(Math.abs(cert.notAfter.getTime() - (now.getTime() + 3600_000)) < 2000);
  assert.deepEqual([...(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.clientAuth]);
  assert.equal(certificateDurationMs(undefined), 365 * 86_400_000);
  assert.equal(certificateDurationMs(60), 600_000);
  await assert.rejects(signCsr(csr(await request(node), { usages: ['server auth'] }), ca, now), /not allowed/);
});
