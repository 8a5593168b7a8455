// Public surface of server-side apply: field paths and sets (FieldsV1), type information from
// OpenAPI schemas, the typed walks (field sets, compare, merge, removal), managedFields and the
// field manager that runs Update and Apply writes.

export { comparePathElements, fieldElement, goJson, indexElement, keyElement, parsePathElement, pathString, valueElement, type FieldPath, type PathElement } from './path-element.ts';
export { FieldSet, FieldsV1Error } from './field-set.ts';
export { DEDUCED, SCALAR, UNTYPED_ATOMIC, UNTYPED_INFO, typeInfoFromSchema, withFieldOverrides, type FieldTypeInfo, type ListType, type MapType, type SchemaLike, type SchemaSource, type TypeNode } from './type-info.ts';
export { ensureNamedFieldsAreMembers, itemElement, toFieldSet } from './typed.ts';
export { compareObjects, excludeFields, isSame, type Comparison } from './compare.ts';
export { mergeValues, removeItems } from './merge.ts';
export {
  ANCIENT_CHANGES,
  MAX_UPDATE_MANAGERS,
  STRIP_SET,
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  managerKey,
  ManagedFieldsError,
  type ManagedEntry,
  type ManagedFieldsEntryJson,
  type ManagerIdentity,
  type Managers,
  type Operation,
} from './managed-fields.ts';
export { ApplyConflicts, conflictMessage, conflictStatus, describeManager, type Conflict } from './conflict.ts';
export { applyConfig, managerName, recordUpdate, type ApplyResult, type ManagerRef, type OwnershipContext } from './updater.ts';
export { KUBECTL_MANAGER, LAST_APPLIED_ANNOTATION, allowedConflictsFromLastApplied, lastAppliedValue } from './last-applied.ts';
export { applyToObject, updateManagedFields, withoutManagedFields, type FieldManagerContext, type ObjectDescription } from './field-manager.ts';
