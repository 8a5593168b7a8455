// The shape of a server-side Table printer: column definitions (as metav1.TableColumnDefinition)
// and a pure function from an object to its row cells. Cells always include the -o wide
// (priority 1) columns, as the upstream server generates tables with Wide: true.

import type { KubeObject } from '../types.ts';

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

export interface TableColumn {
  name: string;
  type: ColumnType;
  format: string;
  description: string;
  priority: number;
}

export interface TablePrinter {
  columns: readonly TableColumn[];
  /** One cell per column, positional. Never throws, whatever shape `obj` has. */
  cells(obj: KubeObject, nowMs: number): unknown[];
}

interface ColumnOptions {
  wide?: boolean;
  format?: string;
}

export function column(name: string, type: ColumnType, description: string, options: ColumnOptions = {}): TableColumn {
  return Object.freeze({ name, type, format: options.format ?? '', description, priority: options.wide === true ? 1 : 0 });
}

export const NAME_COLUMN = column('Name', 'string', 'Name of the object, unique within its namespace.', { format: 'name' });
export const AGE_COLUMN = column('Age', 'string', 'Time since the object was created.');
export const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of each container in the template.', { wide: true });
export const IMAGES_COLUMN = column('Images', 'string', 'Images referenced by each container in the template.', { wide: true });

export function selectorColumn(description = 'Label query over the pods this object manages.'): TableColumn {
  return column('Selector', 'string', description, { wide: true });
}

/** Builds a frozen printer; the cells function is trusted to match the column count. */
export function printer(columns: readonly TableColumn[], cells: TablePrinter['cells']): TablePrinter {
  return Object.freeze({ columns: Object.freeze([...columns]), cells });
}

/** metadata.name of any object. */
export function nameOf(obj: KubeObject): string {
  const meta: unknown = obj.metadata;
  return typeof meta === 'object' && meta !== null && typeof (meta as { name?: unknown }).name === 'string'
    ? (meta as { name: string }).name
    : '';
}
