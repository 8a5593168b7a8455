import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueCertificate } from '../../apiserver/pki/certificates.ts';
import { caCertHash, parseCaCertHash, pinnedCaFromChain } from './bootstrap-ca-pin.ts';

const now = new Date();
const der = (pem: string): Buffer => new X509Certificate(pem).raw;

test('the pin is sha256 of the DER SubjectPublicKeyInfo, as kubeadm prints it', async () => {
  const ca = await createCertificateAuthority('strata-ca', 10, now);
  const spki = new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(caCertHash(ca.certPem), `sha256:${createHash('sha256').update(spki).digest('hex')}`);
  assert.deepEqual(parseCaCertHash(caCertHash(ca.certPem).toUpperCase().replace('SHA256', 'sha256')), { hash: caCertHash(ca.certPem) });
  assert.ok('error' in parseCaCertHash('md5:abcd'));
  assert.ok('error' in parseCaCertHash('sha256:abcd'));
});

test('the CA is taken from the chain only when it matches the pin and signed the leaf', async () => {
  const ca = await createCertificateAuthority('strata-ca', 10, now);
  const other = await createCertificateAuthority('evil-ca', 10, now);
  const leaf = await issueCertificate(ca, { commonName: 'kube-apiserver', usage: 'server', days: 1, now });
  const evilLeaf = await issueCertificate(other, { commonName: 'kube-apiserver', usage: 'server', days: 1, now });

  const found = pinnedCaFromChain([der(leaf.certPem), der(ca.certPem)], caCertHash(ca.certPem));
  assert.equal(caCertHash(found), caCertHash(ca.certPem));

  assert.throws(() => pinnedCaFromChain([der(evilLeaf.certPem), der(other.certPem)], caCertHash(ca.certPem)), /does not match/);
  // The right CA presented next to a leaf it did not sign (a man in the middle replaying the CA).
  assert.throws(() => pinnedCaFromChain([der(evilLeaf.certPem), der(ca.certPem)], caCertHash(ca.certPem)), /not signed by the pinned CA/);
  // A leaf certificate is no CA even when its key is pinned.
  assert.throws(() => pinnedCaFromChain([der(leaf.certPem)], caCertHash(leaf.certPem)), /not a CA/);
  assert.throws(() => pinnedCaFromChain([], caCertHash(ca.certPem)), /no certificate/);
});
