// Public surface of the API layer: object shapes, the catalog of built-in resources, conversion,
// defaulting, validation, schemas and table printers of every kind.

export * from './types.ts';
export { BUILTIN_RESOURCES, REVIEW_RESOURCES, builtinGroupVersions } from './resources.ts';
export { converterFor, type Converter } from './conversion.ts';
export { applyDefaults, prepareJobSelector } from './defaults/index.ts';
export { validateCreate, validateUpdate } from './validation/index.ts';
export { printerFor, humanDuration, type TableColumn, type TablePrinter } from './printers/index.ts';
export { schemaFor, unknownFields, typeCheck } from './schema/index.ts';
