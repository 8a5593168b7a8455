import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DAY_MS,
  createCertificateAuthority,
  issueCertificate,
  loadCertificateAuthority,
  missingSubjectAltNames,
  parseCertificate,
  toSubjectAltName,
} from './certificates.ts';

describe('toSubjectAltName', () => {
  it('classifies and canonicalises names', () => {
    assert.deepEqual(toSubjectAltName('10.0.0.1'), { type: 'ip', value: '10.0.0.1' });
    assert.deepEqual(toSubjectAltName('2001:DB8:0:0::1'), { type: 'ip', value: '2001:db8::1' });
    assert.deepEqual(toSubjectAltName('API.Example.COM'), { type: 'dns', value: 'api.example.com' });
    // Not a valid IPv4 literal (leading zero), so a DNS name as Go would treat it.
    assert.deepEqual(toSubjectAltName('10.043.0.1'), { type: 'dns', value: '10.043.0.1' });
  });
});

describe('certificate authority', () => {
  const now = new Date();

  it('refuses a leaf certificate as a CA', async () => {
    const ca = await createCertificateAuthority('test-ca', 10, now);
    const leaf = await issueCertificate(ca, { commonName: 'x', usage: 'client', days: 1, now });
    await assert.rejects(loadCertificateAuthority(leaf.certPem, leaf.keyPem), /is not a CA/);
    await assert.rejects(loadCertificateAuthority(ca.certPem, leaf.keyPem), /does not belong/);
    const reloaded = await loadCertificateAuthority(ca.certPem, ca.keyPem);
    assert.equal(reloaded.cert.subject, 'CN=test-ca');
  });

  it('never issues a leaf that outlives its CA', async () => {
    const ca = await createCertificateAuthority('short-ca', 10, now);
    const leaf = parseCertificate((await issueCertificate(ca, { commonName: 'x', usage: 'server', days: 365, now })).certPem);
    assert.ok(leaf.notAfter.getTime() <= ca.cert.notAfter.getTime());
    assert.ok(leaf.notAfter.getTime() > now.getTime() + 9 * DAY_MS);
  });

  it('reports the requested names a certificate lacks', async () => {
    const ca = await createCertificateAuthority('test-ca', 10, now);
    const { certPem } = await issueCertificate(ca, {
      commonName: 'srv',
      usage: 'server',
      subjectAltNames: [toSubjectAltName('localhost'), toSubjectAltName('::1')],
      days: 1,
      now,
    });
    const cert = parseCertificate(certPem);
    const wanted = ['LOCALHOST', '0:0::1', '127.0.0.1', 'other'].map(toSubjectAltName);
    assert.deepEqual(missingSubjectAltNames(cert, wanted), [
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'other' },
    ]);
  });
});
