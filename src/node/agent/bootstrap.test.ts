import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCertificateAuthority, issueCertificate } from '../../apiserver/pki/certificates.ts';
import { credentialState, nodeCertificateRequest } from './bootstrap.ts';
import { x509 } from '../../apiserver/pki/x509.ts';

const DAY = 86_400_000;

test('an existing credential is reused, renewed near expiry, or refused', async () => {
  const now = new Date();
  const ca = await createCertificateAuthority('ca', 100, now);
  const leaf = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'client', days: 10, now });
  const config = { server: 'https://10.0.0.1:6443', caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
  const t = now.getTime();
  assert.equal(credentialState(config, 'https://10.0.0.1:6443', 'n1', t, DAY), 'valid');
  assert.equal(credentialState(config, 'https://10.0.0.1:6443/', 'n1', t, 20 * DAY), 'renew');
  assert.deepEqual(credentialState(config, 'https://10.0.0.2:6443', 'n1', t, DAY), { problem: 'it is for another server (https://10.0.0.1:6443)' });
  assert.ok(typeof credentialState(config, undefined, 'n2', t, DAY) === 'object');
  assert.deepEqual(credentialState(config, undefined, 'n1', t + 11 * DAY, DAY), { problem: 'its certificate has expired' });
  assert.ok(typeof credentialState({ server: config.server, token: 'x' }, undefined, 'n1', t) === 'object');
});

test('the request names exactly the node identity and is signed by the new key', async () => {
  const { csrPem, keyPem } = await nodeCertificateRequest('n1');
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  assert.deepEqual(csr.subjectName.getField('CN'), ['system:node:n1']);
  assert.deepEqual(csr.subjectName.getField('O'), ['system:nodes']);
  assert.ok(await csr.verify());
  assert.match(keyPem, /BEGIN PRIVATE KEY/);
});
