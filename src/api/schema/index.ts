// Public surface of the structural schema model of built-in kinds.

export { schemaFor, hasDefinition, reachableDefinitions, directRefs, builtinGroupVersionKinds, QUANTITY, INT_OR_STRING } from './builder.ts';
export { GENERIC_FIELDS, TYPE_DESCRIPTIONS, kindFieldDescription } from './descriptions.ts';
export { definitionOfGvk, gvkOfDefinition, customDefinitionName } from './names.ts';
export { unknownFields, unknownFieldsIn, pruneUnknownFields, strictDecodingMessage, MAX_DEPTH } from './unknown-fields.ts';
export { typeCheck, typeCheckIn } from './type-check.ts';
export { Resolver, builtinResolver, resolverWith, compileSchema, type StructNode } from './structure.ts';
export { refTo, refName, COMPONENT_REF_PREFIX, type JsonSchema, type SchemaType, type SchemaFieldError } from './types.ts';
