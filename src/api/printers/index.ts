// Public surface of the Table printers: `printerFor(group, kind)` gives the columns and row
// cells that `kubectl get` shows for a kind (server-side printing, Accept: …;as=Table).

export type { ColumnType, TableColumn, TablePrinter } from './types.ts';
export { printerFor, hasPrinter } from './registry.ts';
export { defaultPrinter, customResourceDefaultPrinter } from './default.ts';
export { humanDuration } from './format.ts';
