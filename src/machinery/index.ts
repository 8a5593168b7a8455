// Public surface of the machinery layer: API errors, selectors, quantities, name and label
// validation, the patch algorithms and server-side apply.

export * from './status-error.ts';
export * from './labels.ts';
export * from './fields.ts';
export * from './quantity.ts';
export * from './validation.ts';
export * from './ip.ts';
export * from './object-meta-validation.ts';
export { applyJsonPatch, type JsonPatchOperation } from './patch/json-patch.ts';
export { applyMergePatch } from './patch/merge-patch.ts';
export { applyStrategicMergePatch } from './patch/strategic-merge-patch.ts';
export { cloneJson, jsonEqual, type JsonObject, type JsonValue } from './patch/json-value.ts';
export { ProtobufWriter } from './protobuf-writer.ts';
export * from './protobuf/index.ts';
export {
  applyToObject,
  updateManagedFields,
  typeInfoFromSchema,
  withFieldOverrides,
  FieldSet,
  ApplyConflicts,
  LAST_APPLIED_ANNOTATION,
  type FieldManagerContext,
  type FieldTypeInfo,
  type ManagedFieldsEntryJson,
  type SchemaLike,
  type SchemaSource,
} from './apply/index.ts';
