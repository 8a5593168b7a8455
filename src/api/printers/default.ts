// The tables used when a kind has no printer of its own. Built-in kinds without one (Role,
// ClusterRole, LimitRange, …) get the apiserver's default convertor: NAME and CREATED AT (an
// RFC 3339 timestamp). Custom resources without printer columns get NAME and AGE instead.

import { rec } from './access.ts';
import { age, rfc3339 } from './format.ts';
import { NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

export const defaultPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Created At', 'date', 'Time the object was created (RFC 3339, UTC).')],
  (obj) => [nameOf(obj), rfc3339(rec(obj.metadata)['creationTimestamp'])],
);

/** For custom resources without additionalPrinterColumns: the CRD convertor's implicit Age column. */
export const customResourceDefaultPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Age', 'date', 'Time since the object was created.')],
  (obj, nowMs) => [nameOf(obj), age(obj, nowMs)],
);
