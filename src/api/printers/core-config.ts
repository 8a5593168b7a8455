// Tables for namespaces and the namespaced configuration kinds: ConfigMap, Secret,
// ServiceAccount and ResourceQuota.

import { keyCount, list, quantity, rec, str } from './access.ts';
import { age, compare } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

export const namespacePrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  (obj, nowMs) => [nameOf(obj), str(rec(obj['status'])['phase']), age(obj, nowMs)],
);

export const configMapPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Data', 'string', 'Number of data and binaryData entries.'), AGE_COLUMN],
  (obj, nowMs) => [nameOf(obj), keyCount(obj['data']) + keyCount(obj['binaryData']), age(obj, nowMs)],
);

export const secretPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Type', 'string', 'Type of the secret data.'), column('Data', 'string', 'Number of data entries.'), AGE_COLUMN],
  (obj, nowMs) => [nameOf(obj), str(obj['type']), keyCount(obj['data']), age(obj, nowMs)],
);

// Kubernetes 1.33 still prints SECRETS (the column went away in 1.35).
export const serviceAccountPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Secrets', 'string', 'Number of secrets the service account references.'), AGE_COLUMN],
  (obj, nowMs) => [nameOf(obj), list(obj['secrets']).length, age(obj, nowMs)],
);

export const resourceQuotaPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Request', 'string', 'Used and hard amounts of request-type resources.'),
    column('Limit', 'string', 'Used and hard amounts of limits.* resources.'),
    AGE_COLUMN,
  ],
  (obj, nowMs) => {
    const status = rec(obj['status']);
    const hard = rec(status['hard']);
    const used = rec(status['used']);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort(compare)) {
      const entry = `${resource}: ${quantity(used[resource], '0')}/${quantity(hard[resource], '0')}`;
      const pieces = resource.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
    }
    return [nameOf(obj), requests.join(', '), limits.join(', '), age(obj, nowMs)];
  },
);
