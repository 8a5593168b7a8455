// Server-side printing: turns objects into meta.k8s.io Tables (for `kubectl get`) and
// PartialObjectMetadata, using the kind's printer.

import type { TablePrinter } from '../../api/printers/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ServedResource } from '../api-registry.ts';

export function printerOf(served: ServedResource): TablePrinter {
  return served.printer;
}

export function partialMetadata(obj: KubeObject, version: 'v1' | 'v1beta1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: 'None' | 'Metadata' | 'Object';
  withColumns: boolean;
}

export function tableRow(printer: TablePrinter, obj: KubeObject, options: TableOptions, now: number): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: printer.cells(obj, now) };
  if (options.includeObject === 'Metadata') row['object'] = partialMetadata(obj, options.version);
  else if (options.includeObject === 'Object') row['object'] = obj;
  return row;
}

export function toTable(printer: TablePrinter, objects: KubeObject[], listMeta: Record<string, unknown>, options: TableOptions): Record<string, unknown> {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: listMeta,
    columnDefinitions: options.withColumns ? printer.columns : [],
    rows: objects.map((o) => tableRow(printer, o, options, now)),
  };
}
