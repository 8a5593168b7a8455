// CertificateSigningRequest validation (upstream pkg/apis/certificates/validation): a request,
// a signer name, known usages and an expiration of at least 10 minutes; the spec never changes.

import { deepEqual, fieldErrors, list, obj, str, type Errs, type Rec } from './fields.ts';

const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
];

export function validateCertificateSigningRequest(csr: Rec): Errs {
  const spec = obj(csr, 'spec');
  const errs: Errs = [];
  if (str(spec, 'request') === '') errs.push(fieldErrors.required('spec.request'));
  const signer = str(spec, 'signerName');
  if (signer === '') errs.push(fieldErrors.required('spec.signerName'));
  else if (!/^[a-z0-9.-]+\/[A-Za-z0-9._/-]+$/.test(signer)) errs.push(fieldErrors.invalid('spec.signerName', signer, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
  const usages = list(spec, 'usages');
  if (usages.length === 0) errs.push(fieldErrors.required('spec.usages'));
  usages.forEach((u, i) => {
    if (typeof u !== 'string' || !KEY_USAGES.includes(u)) errs.push(fieldErrors.notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
  });
  const seconds = spec['expirationSeconds'];
  if (typeof seconds === 'number' && seconds < 600) errs.push(fieldErrors.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  return errs;
}

export function validateCertificateSigningRequestUpdate(csr: Rec, old: Rec): Errs {
  return deepEqual(csr['spec'], old['spec']) ? [] : [fieldErrors.invalid('spec', '', 'field is immutable')];
}
