// Table for CertificateSigningRequests (certificates.k8s.io), as upstream's printer: the signer,
// the requester, the requested duration and the conditions (Pending until decided; Issued once
// a certificate is there).

import { rec, str } from './access.ts';
import { age, humanDuration } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

function csrCondition(csr: Record<string, unknown>): string {
  const status = rec(csr['status']);
  const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]).map(rec) : [];
  const types = conditions.filter((c) => c['status'] === undefined || c['status'] === 'True').map((c) => str(c['type']));
  if (typeof status['certificate'] === 'string' && status['certificate'] !== '') types.push('Issued');
  return types.length === 0 ? 'Pending' : types.join(',');
}

export const certificateSigningRequestPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    AGE_COLUMN,
    column('SignerName', 'string', 'Name of the signer that will issue the certificate.'),
    column('Requestor', 'string', 'Name of the user who requested the certificate.'),
    column('RequestedDuration', 'string', 'Validity period the requester asked for.'),
    column('Condition', 'string', 'Approval and issuance state of the request.'),
  ],
  (csr, nowMs) => {
    const spec = rec(csr['spec']);
    const seconds = spec['expirationSeconds'];
    return [nameOf(csr), age(csr, nowMs), str(spec['signerName']), str(spec['username']), typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>', csrCondition(csr)];
  },
);
