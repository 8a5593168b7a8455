// Public surface of the CustomResourceDefinition helpers: CRD shapes, defaulting and validation of
// CRD objects, and what a CRD version's schema does to its custom objects (defaults, pruning,
// validation with ajv, list types and CEL rules), printer columns and the JSONPath they use.

export * from './types.ts';
export { defaultCrd, validateCrd, validateCrdUpdate, validateStatus, WEBHOOK_CONVERSION_MESSAGE } from './crd-validation.ts';
export { CRD_OPENAPI_SCHEMA } from './crd-openapi.ts';
export { validateCrdSchema } from './schema-check.ts';
export { compileVersionSchema, type VersionSchema } from './version-schema.ts';
export { structuralNode, type SchemaNode } from './structural.ts';
export { pruneObject, unknownFieldPaths } from './prune.ts';
export { crdPrinter } from './printer.ts';
export { parseJsonPath, getDotPath, setDotPath, dotPathFields, JsonPathError, type JsonPath } from './jsonpath.ts';
export { goValue } from './field-errors.ts';
