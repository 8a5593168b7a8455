// Server-side apply over HTTP: PATCH with application/apply-patch+yaml (create-on-apply,
// conflicts as 409, force), and the managedFields that every create, update and patch records.
// Type information comes from the kind's OpenAPI schema: the built-in definition for built-in
// kinds, the served schema for custom resources (x-kubernetes-list-type and friends).

import { refTo, schemaFor, type JsonSchema } from '../../api/schema/index.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.ts';
import { apiVersionOf } from '../../api/types.ts';
import {
  applyToObject,
  fieldElement,
  FieldSet,
  SCALAR,
  typeInfoFromSchema,
  UNTYPED_INFO,
  updateManagedFields,
  withFieldOverrides,
  type FieldManagerContext,
  type FieldTypeInfo,
  type SchemaLike,
  type SchemaSource,
} from '../../machinery/apply/index.ts';
import type { JsonObject } from '../../machinery/patch/json-value.ts';
import { badRequest, fieldErrors, invalid, type FieldError } from '../../machinery/status-error.ts';
import type { ServedResource } from '../api-registry.ts';
import { decodeBody, readBody } from '../http/body.ts';
import { checkObject, requestContext, respondObject, type ResourceCall } from './resource-handler.ts';
import { checkUnknownFields, parseWriteOptions } from './write-options.ts';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const MAX_MANAGER_LENGTH = 128;

const builtinSource: SchemaSource = {
  lookup: (name) => schemaFor(name) as SchemaLike | undefined,
  goStructs: true,
  // The built-in port lists are keyed by (port, protocol); the protocol defaults to TCP.
  keyDefault: (_definition, key) => (key === 'protocol' ? 'TCP' : undefined),
};

const customSource: SchemaSource = { lookup: (name) => schemaFor(name) as SchemaLike | undefined, goStructs: false };

let objectMeta: FieldTypeInfo | undefined;
const typeInfos = new WeakMap<ServedResource, FieldTypeInfo>();

/** Type information of a served kind: its built-in definition, or its (CRD) OpenAPI schema. */
export function typeInfoFor(served: ServedResource): FieldTypeInfo {
  let info = typeInfos.get(served);
  if (info) return info;
  const definition = served.def.definition;
  if (definition) {
    info = typeInfoFromSchema({ $ref: refTo(definition) }, builtinSource);
  } else {
    objectMeta ??= typeInfoFromSchema({ $ref: refTo(OBJECT_META) }, builtinSource);
    const schema: JsonSchema | undefined = served.openapiSchema;
    // A custom resource always has TypeMeta and ObjectMeta, whatever its schema declares.
    info = withFieldOverrides(schema ? typeInfoFromSchema(schema as SchemaLike, customSource) : UNTYPED_INFO, { apiVersion: SCALAR, kind: SCALAR, metadata: objectMeta.root });
  }
  typeInfos.set(served, info);
  return info;
}

/** Upstream's default manager: the User-Agent up to the first "/", printable, at most 128 bytes. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  let out = '';
  for (const ch of prefix) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u.test(ch) || (ch !== ' ' && /\p{Zs}/u.test(ch))) continue;
    if (Buffer.byteLength(out + ch) > MAX_MANAGER_LENGTH) break;
    out += ch;
  }
  return out;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Fields nobody owns through an endpoint (upstream reset fields): status on the main resource of
 * a kind with a status subresource; everything but status through the status subresource.
 */
function ignoredFields(served: ServedResource, subresource: string | undefined, objects: readonly (JsonObject | undefined)[]): FieldSet | undefined {
  if (subresource === undefined) return served.store.strategy.statusSubresource ? FieldSet.of([fieldElement('status')]) : undefined;
  if (subresource !== 'status') return undefined;
  const set = new FieldSet();
  for (const obj of objects) for (const key of Object.keys(obj ?? {})) if (key !== 'status') set.insert([fieldElement(key)]);
  return set;
}

function context(call: ResourceCall, subresource: string | undefined, manager: string, objects: readonly (JsonObject | undefined)[]): FieldManagerContext {
  const def = call.served.def;
  return {
    type: typeInfoFor(call.served).root,
    ignored: ignoredFields(call.served, subresource, objects),
    now: rfc3339(new Date()),
    manager,
    apiVersion: apiVersionOf(def.group, def.version),
    subresource: subresource ?? '',
  };
}

/**
 * The store hook that records an Update's managedFields on the object about to be written
 * (after defaulting and the kind's preparation, so it sees exactly what changes). `subresource`
 * names the endpoint in the entry ("status", "scale", ...).
 */
export function recordManagedFields(call: ResourceCall, subresource: string | undefined, fieldManager: string | undefined): (next: KubeObject, current: KubeObject | undefined) => void {
  const manager = fieldManager ?? managerFromUserAgent(call.req.headers['user-agent']);
  return (next, current) => {
    const served = call.served;
    const newer = served.fromStorage(next) as unknown as JsonObject;
    const older = current ? (served.fromStorage(current) as unknown as JsonObject) : undefined;
    let managed: unknown;
    try {
      managed = updateManagedFields(older, newer, context(call, subresource, manager, [older, newer]));
    } catch {
      // Bookkeeping must not fail a write: drop what cannot be kept (upstream UpdateNoErrors).
      managed = undefined;
    }
    if (managed === undefined) delete next.metadata.managedFields;
    else next.metadata.managedFields = managed as ManagedFieldsEntry[];
  };
}

/** `force` of a PatchOptions: Go's strconv.ParseBool spellings. */
export function parseForce(query: URLSearchParams): boolean | undefined {
  const raw = query.get('force');
  if (raw === null) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(raw)) return false;
  throw badRequest(`invalid value for force: ${JSON.stringify(raw)}`);
}

function patchOptionsInvalid(error: FieldError) {
  return invalid('PatchOptions', 'meta.k8s.io', '', [error]);
}

/** Rejects `force` on patches that are not applies (upstream ValidatePatchOptions). */
export function checkNotForced(query: URLSearchParams): void {
  if (parseForce(query) !== undefined) throw patchOptionsInvalid({ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' });
}

/** PATCH with application/apply-patch+yaml, on the main resource or the status subresource. */
export async function applyPatchObject(call: ResourceCall, subresource: 'status' | 'ephemeralcontainers' | undefined): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const force = parseForce(call.query) ?? false;
  if (!opts.fieldManager) throw patchOptionsInvalid(fieldErrors.required('fieldManager', 'is required for apply patch'));
  const served = call.served;
  const def = served.def;
  const value = decodeBody(await readBody(call.req), APPLY_PATCH_TYPE, new Set([APPLY_PATCH_TYPE]));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the apply patch must be an object');
  const body = value as JsonObject;
  const apiVersion = apiVersionOf(def.group, def.version);
  if (body['apiVersion'] !== apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${typeof body['apiVersion'] === 'string' ? body['apiVersion'] : ''}, expected: ${apiVersion}`);
  }
  if (body['kind'] !== def.kind) throw badRequest(`the kind in the data (${String(body['kind'] ?? '')}) does not match the expected kind (${def.kind})`);
  const meta = body['metadata'];
  if (meta !== undefined && meta !== null && (typeof meta !== 'object' || Array.isArray(meta))) throw badRequest('metadata must be an object');
  const name = call.info.name as string;
  const namespace = call.info.namespace;
  const warnings = checkUnknownFields(served, body as unknown as KubeObject, opts.fieldValidation);
  const what = { namespace: namespace ?? '', name, kind: def.kind };
  let managed: unknown;
  const mutate = (current: KubeObject | undefined): KubeObject => {
    const live = current ? (served.fromStorage(current) as unknown as JsonObject) : undefined;
    // The configuration is copied per attempt: the store may change what it is given.
    const config = structuredClone(body);
    const result = applyToObject(live, config, force, context(call, subresource, opts.fieldManager as string, [live, config]), what);
    managed = (result['metadata'] as JsonObject)['managedFields'];
    return served.toStorage(checkObject(result, def));
  };
  // A status write keeps the stored metadata: the new managedFields are set on what it writes.
  const beforeWrite = (next: KubeObject): void => {
    if (managed === undefined) delete next.metadata.managedFields;
    else next.metadata.managedFields = managed as ManagedFieldsEntry[];
  };
  const { object, created } = await served.store.update(namespace, name, mutate, requestContext(call, opts.dryRun, opts.fieldManager), {
    subresource,
    forceAllowCreate: subresource === undefined,
    beforeWrite,
  });
  respondObject(call, created ? 201 : 200, object, undefined, warnings);
}
