// Tables for the small cluster-policy kinds: PodDisruptionBudget (policy), PriorityClass
// (scheduling.k8s.io) and Lease (coordination.k8s.io).

import { int, intOrString, rec, str } from './access.ts';
import { age } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

function intOrStringOrNA(v: unknown): string {
  return v === undefined || v === null ? 'N/A' : intOrString(v);
}

export const podDisruptionBudgetPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  (pdb, nowMs) => {
    const spec = rec(pdb['spec']);
    return [
      nameOf(pdb),
      intOrStringOrNA(spec['minAvailable']),
      intOrStringOrNA(spec['maxUnavailable']),
      int(rec(pdb['status'])['disruptionsAllowed']),
      age(pdb, nowMs),
    ];
  },
);

// PreemptionPolicy has priority 0 upstream, so it shows without -o wide.
export const priorityClassPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Value', 'integer', 'Priority of pods using this class.'),
    column('Global-Default', 'boolean', 'Whether this class is the default for pods without one.'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.'),
  ],
  (pc, nowMs) => [nameOf(pc), int(pc['value']), pc['globalDefault'] === true, age(pc, nowMs), str(pc['preemptionPolicy'])],
);

export const leasePrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Holder', 'string', 'Identity of the current holder of the lease.'), AGE_COLUMN],
  (lease, nowMs) => [nameOf(lease), str(rec(lease['spec'])['holderIdentity']), age(lease, nowMs)],
);
