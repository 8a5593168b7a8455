// Serves one resource request (get, list, watch, create, update, patch, delete,
// deletecollection and the status subresource) for any served resource, built-in or custom.

import type { KubeObject } from '../../api/types.ts';
import { apiVersionOf } from '../../api/types.ts';
import { typeCheck } from '../../api/schema/index.ts';
import { badRequest, conflict, methodNotAllowed, notFound, unsupportedMediaType } from '../../machinery/status-error.ts';
import type { ApiRegistry, ServedResource } from '../api-registry.ts';
import type { UserInfo } from '../filters/authn.ts';
import { decodeBody, mediaType, OBJECT_TYPES, PATCH_TYPES, readBody, type AnyRequest } from '../http/body.ts';
import { negotiate, type ResponseShape } from '../http/negotiate.ts';
import type { ResourceRequestInfo } from '../http/request-info.ts';
import { protobufBody, send, sendJson, successStatus, type AnyResponse } from '../http/respond.ts';
import { PROTOBUF_MEDIA_TYPE } from '../../machinery/protobuf/index.ts';
import type { DeleteOptions, RequestContext } from '../registry/strategy.ts';
import { checkResourceVersion, parseListOptions } from './list-options.ts';
import { applyPatchObject, APPLY_PATCH_TYPE, checkNotForced, recordManagedFields } from './apply.ts';
import { applyPatch } from './patch.ts';
import { handleSubresource } from './subresources.ts';
import type { KubeletClient } from '../kubelet/index.ts';
import { partialMetadata, printerOf, tableRow, toTable } from './table.ts';
import { serveWatch } from './watch.ts';
import { checkUnknownFields, parseWriteOptions, warningHeader } from './write-options.ts';

export interface ResourceCall {
  req: AnyRequest;
  res: AnyResponse;
  query: URLSearchParams;
  info: ResourceRequestInfo;
  served: ServedResource;
  user: string;
  /** The authenticated caller with groups (for reviews and, later, authorization). */
  userInfo: UserInfo;
  registry: ApiRegistry;
  /** Counts watches for metrics. */
  onWatch?: (delta: number) => void;
  /** Reaches node agents (pods/log, nodes/proxy). */
  kubelet?: KubeletClient;
}

export async function handleResource(call: ResourceCall): Promise<void> {
  const { info, served } = call;
  const def = served.def;
  if (def.namespaced && info.name !== undefined && info.namespace === undefined && info.resource !== 'namespaces') {
    throw notFound({ group: def.group, resource: def.plural }, info.name);
  }
  if (!def.namespaced && info.namespace !== undefined) throw notFound({ group: def.group, resource: def.plural }, info.name ?? '');
  if (info.subresource) return handleSubresource(call);
  if (served.virtual) {
    if (info.verb !== 'create' || info.name !== undefined) throw methodNotAllowed('the server does not allow this method on the requested resource');
    const answer = await served.virtual.create(await readObject(call), call.userInfo, info.namespace);
    sendJson(call.req, call.res, 201, answer);
    return;
  }
  if (!def.verbs.includes(info.verb) && !(info.verb === 'watch' && def.verbs.includes('list'))) {
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  // PUT and PATCH address one object; on a collection they are not served (upstream: no route).
  if ((info.verb === 'update' || info.verb === 'patch') && info.name === undefined) {
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  switch (info.verb) {
    case 'get':
      return getObject(call);
    case 'list':
      return listObjects(call);
    case 'watch':
      return serveWatch(call, parseListOptions(call.query, served.store.strategy));
    case 'create':
      return createObject(call);
    case 'update':
      return updateObject(call, undefined);
    case 'patch':
      return patchObject(call, undefined);
    case 'delete':
      return deleteObject(call);
    case 'deletecollection':
      return deleteCollection(call);
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

export function requestContext(call: ResourceCall, dryRun: boolean, fieldManager: string | undefined): RequestContext {
  return { user: call.user, dryRun, fieldManager, now: new Date(), userInfo: call.userInfo };
}

/** Writes one object in the shape the client asked for (object, Table row or metadata). */
export function respondObject(call: ResourceCall, code: number, obj: KubeObject, shape?: ResponseShape, warnings: string[] = []): void {
  const out = call.served.fromStorage(obj);
  const s = shape ?? negotiate(call.req.headers.accept, call.info.verb === 'get');
  const headers: Record<string, string> = {};
  const warning = warningHeader(warnings);
  if (warning) headers['warning'] = warning;
  if (s.kind === 'table') {
    const body = toTable(printerOf(call.served), [out], { resourceVersion: out.metadata.resourceVersion ?? '' }, {
      version: s.version,
      includeObject: 'Metadata',
      withColumns: true,
    });
    send(call.req, call.res, code, JSON.stringify(body), 'application/json', headers);
  } else if (s.kind === 'metadata') {
    send(call.req, call.res, code, JSON.stringify(partialMetadata(out, s.version)), 'application/json', headers);
  } else sendJson(call.req, call.res, code, out, s.format === 'yaml' ? 'yaml' : 'json', headers);
}

async function getObject(call: ResourceCall): Promise<void> {
  const shape = negotiate(call.req.headers.accept, true);
  checkResourceVersion(call.query.get('resourceVersion'));
  const obj = await call.served.store.get(call.info.namespace, call.info.name as string);
  respondObject(call, 200, obj, shape);
}

async function listObjects(call: ResourceCall): Promise<void> {
  const { served, query } = call;
  const shape = negotiate(call.req.headers.accept, true);
  const options = parseListOptions(query, served.store.strategy);
  const result = await served.store.list({
    namespace: call.info.namespace,
    matches: options.matches,
    limit: options.limit,
    continueToken: options.continueToken,
    resourceVersion: options.resourceVersion,
    resourceVersionMatch: options.resourceVersionMatch,
  });
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continueToken) listMeta['continue'] = result.continueToken;
  if (result.remainingItemCount !== undefined) listMeta['remainingItemCount'] = result.remainingItemCount;
  if (shape.kind === 'table') {
    const objects = result.items.map((e) => served.fromStorage(e.object));
    const table = toTable(printerOf(served), objects, listMeta, { version: shape.version, includeObject: options.includeObject, withColumns: true });
    send(call.req, call.res, 200, JSON.stringify(table));
    return;
  }
  const def = served.def;
  if (shape.kind === 'metadata') {
    const body = { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${shape.version}`, metadata: listMeta, items: result.items.map((e) => partialMetadata(e.object, shape.version)) };
    send(call.req, call.res, 200, JSON.stringify(body));
    return;
  }
  const apiVersion = apiVersionOf(def.group, def.version);
  if (shape.format === 'yaml') {
    sendJson(call.req, call.res, 200, { kind: def.listKind, apiVersion, metadata: listMeta, items: result.items.map((e) => served.fromStorage(e.object)) }, 'yaml');
    return;
  }
  if (shape.format === 'protobuf') {
    const list = { kind: def.listKind, apiVersion, metadata: listMeta, items: result.items.map((e) => served.fromStorage(e.object)) };
    const proto = protobufBody(call.req, list);
    if (proto) {
      send(call.req, call.res, 200, proto, PROTOBUF_MEDIA_TYPE);
      return;
    }
  }
  // Splice the cached JSON of each item instead of re-serializing the objects.
  const parts: string[] = [`{"kind":${JSON.stringify(def.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`];
  for (let i = 0; i < result.items.length; i++) {
    const entry = result.items[i]!;
    if (i > 0) parts.push(',');
    // A converter may hand back the stored object itself (a CRD's storage version): keep its JSON.
    const out = served.converter ? served.fromStorage(entry.object) : entry.object;
    parts.push(out === entry.object ? entry.json() : JSON.stringify(out));
  }
  parts.push(']}');
  send(call.req, call.res, 200, parts.join(''));
}

/** Reads and decodes a write body; checks apiVersion and kind against the URL. */
export async function readObject(call: ResourceCall, expected: { group: string; version: string; kind: string } = call.served.def): Promise<KubeObject> {
  const type = mediaType(call.req.headers['content-type']);
  if (!OBJECT_TYPES.has(type)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  }
  const value = decodeBody(await readBody(call.req), type);
  return checkObject(value, expected);
}

export function checkObject(value: unknown, expected: { group: string; version: string; kind: string }): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the request body must be a JSON object');
  const obj = value as KubeObject;
  const apiVersion = apiVersionOf(expected.group, expected.version);
  if (obj.kind === undefined || obj.kind === '') obj.kind = expected.kind;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
  if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') throw badRequest('apiVersion and kind must be strings');
  if (obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind !== expected.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${expected.kind})`);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  return obj;
}

async function createObject(call: ResourceCall): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const obj = await readObject(call);
  const warnings = checkUnknownFields(call.served, obj, opts.fieldValidation);
  if (call.info.name !== undefined) throw methodNotAllowed('POST is not allowed on a named resource');
  const created = await call.served.store.create(call.info.namespace, call.served.toStorage(obj), requestContext(call, opts.dryRun, opts.fieldManager), {
    beforeWrite: recordManagedFields(call, undefined, opts.fieldManager),
  });
  respondObject(call, 201, created, undefined, warnings);
}

export async function updateObject(call: ResourceCall, subresource: 'status' | 'ephemeralcontainers' | undefined): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const obj = await readObject(call);
  const warnings = checkUnknownFields(call.served, obj, opts.fieldValidation);
  const name = call.info.name as string;
  const desired = call.served.toStorage(obj);
  const gr = call.served.store.gr;
  const mutate = (current: KubeObject | undefined): KubeObject => {
    // The body's uid is a precondition (upstream DefaultUpdatedObjectInfo): a stale copy of an
    // object that was deleted and re-created under the same name must not overwrite it.
    const uid = desired.metadata.uid;
    if (current && uid && uid !== current.metadata.uid) {
      throw conflict(gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    }
    // A fresh copy per attempt: the store fills in the current resourceVersion while preparing,
    // which must not turn an unconditional update into a pinned one when a conflict is retried.
    return structuredClone(desired);
  };
  const { object, created } = await call.served.store.update(call.info.namespace, name, mutate, requestContext(call, opts.dryRun, opts.fieldManager), {
    subresource,
    beforeWrite: recordManagedFields(call, subresource, opts.fieldManager),
  });
  respondObject(call, created ? 201 : 200, object, undefined, warnings);
}

export async function patchObject(call: ResourceCall, subresource: 'status' | 'ephemeralcontainers' | undefined): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const type = mediaType(call.req.headers['content-type']);
  if (!PATCH_TYPES.has(type)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${[...PATCH_TYPES].join(', ')}`);
  }
  if (type === APPLY_PATCH_TYPE) return applyPatchObject(call, subresource);
  checkNotForced(call.query);
  if (type === 'application/strategic-merge-patch+json' && !call.served.def.definition) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
  const patch = decodeBody(await readBody(call.req), type, new Set([type]));
  const served = call.served;
  let warnings: string[] = [];
  const { object } = await served.store.update(
    call.info.namespace,
    call.info.name as string,
    (current) => {
      if (!current) throw notFound({ group: served.def.group, resource: served.def.plural }, call.info.name as string);
      const patched = applyPatch(type, served.fromStorage(current), patch, served.def.definition);
      const checked = checkObject(patched, served.def);
      warnings = checkUnknownFields(served, checked, opts.fieldValidation);
      return served.toStorage(checked);
    },
    requestContext(call, opts.dryRun, opts.fieldManager),
    { subresource, beforeWrite: recordManagedFields(call, subresource, opts.fieldManager) },
  );
  respondObject(call, 200, object, undefined, warnings);
}

export async function readDeleteOptions(call: ResourceCall): Promise<DeleteOptions> {
  let options: DeleteOptions = {};
  const body = await readBody(call.req);
  if (body.length > 0) {
    const value = decodeBody(body, mediaType(call.req.headers['content-type']) || 'application/json');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('DeleteOptions must be an object');
    // Decoding into the Go type rejects mistyped fields ("preconditions": "x" must not delete).
    const typeError = typeCheck('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', value)[0];
    if (typeError) throw badRequest(`DeleteOptions cannot be decoded: ${typeError.message}`);
    options = value as DeleteOptions;
  }
  const q = call.query;
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null && grace !== '') {
    if (!/^-?\d+$/.test(grace)) throw badRequest(`invalid gracePeriodSeconds "${grace}"`);
    options.gracePeriodSeconds = Number(grace);
  }
  const policy = q.get('propagationPolicy');
  if (policy) options.propagationPolicy = policy as NonNullable<DeleteOptions['propagationPolicy']>;
  if (q.get('orphanDependents')) options.orphanDependents = q.get('orphanDependents') === 'true';
  if (options.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(options.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Background", "Foreground", "Orphan"`);
  }
  const dryRun: unknown = options.dryRun;
  if (dryRun !== undefined && (!Array.isArray(dryRun) || dryRun.some((d) => d !== 'All'))) {
    throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(dryRun)}: supported values: "All"`);
  }
  if (options.gracePeriodSeconds !== undefined && (typeof options.gracePeriodSeconds !== 'number' || options.gracePeriodSeconds < 0)) {
    throw badRequest('gracePeriodSeconds must be a non-negative integer');
  }
  return options;
}

async function deleteObject(call: ResourceCall): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const options = await readDeleteOptions(call);
  const dryRun = opts.dryRun || (options.dryRun?.includes('All') ?? false);
  const name = call.info.name as string;
  const { object, deleted } = await call.served.store.delete(call.info.namespace, name, options, requestContext(call, dryRun, undefined));
  // Upstream answers an immediate delete with a Status, except for pods, which return the object.
  if (deleted && call.served.def.kind !== 'Pod') {
    sendJson(call.req, call.res, 200, successStatus({ name, group: call.served.def.group, kind: call.served.def.plural, uid: object.metadata.uid }));
    return;
  }
  respondObject(call, 200, object, { kind: 'object', format: 'json' });
}

async function deleteCollection(call: ResourceCall): Promise<void> {
  const opts = parseWriteOptions(call.query);
  const options = await readDeleteOptions(call);
  const listOptions = parseListOptions(call.query, call.served.store.strategy);
  const store = call.served.store;
  const { items } = await store.list({ namespace: call.info.namespace, matches: listOptions.matches });
  const ctx = requestContext(call, opts.dryRun, undefined);
  const deleted: KubeObject[] = [];
  for (const entry of items) {
    try {
      const { object } = await store.delete(entry.object.metadata.namespace, entry.object.metadata.name as string, options, ctx);
      deleted.push(call.served.fromStorage(object));
    } catch (err) {
      if ((err as { status?: { code?: number } }).status?.code !== 404) throw err;
    }
  }
  const def = call.served.def;
  sendJson(call.req, call.res, 200, { kind: def.listKind, apiVersion: apiVersionOf(def.group, def.version), metadata: { resourceVersion: String(store.cache.seenRevision) }, items: deleted });
}

export { tableRow };
