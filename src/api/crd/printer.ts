// The Table printer of a CRD version, as upstream's CRD table convertor builds it: NAME, then the
// additionalPrinterColumns (or an implicit AGE column when there are none). Each cell is the
// first value the column's JSONPath finds: a string column prints any value (maps and lists as
// JSON), typed columns keep only values of their type, date columns print an age.

import { humanDuration, type ColumnType, type TableColumn, type TablePrinter } from '../printers/index.ts';
import type { KubeObject } from '../types.ts';
import { parseJsonPath, type JsonPath } from './jsonpath.ts';
import type { PrinterColumn } from './types.ts';

const NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const CREATION_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: CREATION_DESCRIPTION };
const COLUMN_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'number', 'boolean', 'date']);

interface Compiled {
  readonly type: string;
  readonly path: JsonPath | undefined;
}

/** Builds the printer; columns whose path does not parse print empty cells. */
export function crdPrinter(columns: readonly PrinterColumn[] | undefined): TablePrinter {
  const specified = columns && columns.length > 0 ? columns : [AGE];
  const defs: TableColumn[] = [{ name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 }];
  const compiled: Compiled[] = [];
  for (const col of specified) {
    defs.push({
      name: col.name,
      type: (COLUMN_TYPES.has(col.type) ? col.type : 'string') as ColumnType,
      format: col.format ?? '',
      description: col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      priority: col.priority ?? 0,
    });
    let path: JsonPath | undefined;
    try {
      path = parseJsonPath(col.jsonPath);
    } catch {
      path = undefined;
    }
    compiled.push({ type: col.type, path });
  }
  return Object.freeze({
    columns: Object.freeze(defs),
    cells(obj: KubeObject, nowMs: number) {
      const meta = obj.metadata as unknown;
      const name = typeof meta === 'object' && meta !== null && typeof (meta as { name?: unknown }).name === 'string' ? (meta as { name: string }).name : '';
      const cells: unknown[] = [name];
      for (const c of compiled) cells.push(c.path ? cell(c.type, c.path.find(obj)[0], nowMs) : null);
      return cells;
    },
  });
}

function cell(type: string, value: unknown, nowMs: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(nowMs - t);
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
