// Subresources: status (spec/status split), scale (autoscaling/v1 Scale over a workload's
// replicas), pods/binding, pods/eviction and namespaces/finalize, plus the computed create-only
// ones registered on the registry (serviceaccounts/token).

import { badRequest, conflict, fieldErrors, invalid, methodNotAllowed, notFound, unsupportedMediaType } from '../../machinery/status-error.ts';
import { selectorToString } from '../../machinery/labels.ts';
import type { KubeObject } from '../../api/types.ts';
import { getDotPath, setDotPath } from '../../api/crd/index.ts';
import type { ScalePaths } from '../api-registry.ts';
import { decodeBody, mediaType, PATCH_TYPES, readBody } from '../http/body.ts';
import { send, sendJson, successStatus } from '../http/respond.ts';
import { printerFor } from '../../api/printers/index.ts';
import { negotiate } from '../http/negotiate.ts';
import { recordManagedFields } from './apply.ts';
import { evictPod } from './eviction.ts';
import { nodeProxy, requireUpgrade } from './agent-proxy.ts';
import { podLog } from './pod-log.ts';
import { applyPatch } from './patch.ts';
import { toTable } from './table.ts';
import { checkObject, patchObject, readObject, requestContext, respondObject, updateObject, type ResourceCall } from './resource-handler.ts';
import { parseWriteOptions } from './write-options.ts';


export async function handleSubresource(call: ResourceCall): Promise<void> {
  const { info, served } = call;
  const sub = served.def.subresources.find((s) => s.name === info.subresource);
  if (!sub || info.name === undefined) throw notFound({ group: served.def.group, resource: `${served.def.plural}/${info.subresource}` }, info.name ?? '');
  const computed = call.registry.subresource(served.def.group, served.def.plural, sub.name);
  if (computed) {
    if (info.verb !== 'create') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    sendJson(call.req, call.res, 201, await computed.create(await readObject(call, sub.kind), call.userInfo, info.namespace, info.name));
    return;
  }
  switch (sub.name) {
    case 'status':
    // certificatesigningrequests/approval writes status.conditions; both scopes are status-only.
    case 'approval':
      // Like upstream's StatusREST.ConvertToTable, a status GET honours Table and metadata Accepts.
      if (info.verb === 'get') return respondObject(call, 200, await served.store.get(info.namespace, info.name));
      if (info.verb === 'update') return updateObject(call, 'status');
      if (info.verb === 'patch') return patchObject(call, 'status');
      break;
    case 'ephemeralcontainers':
      if (info.verb === 'get') return respondObject(call, 200, await served.store.get(info.namespace, info.name));
      if (info.verb === 'update') return updateObject(call, 'ephemeralcontainers');
      if (info.verb === 'patch') return patchObject(call, 'ephemeralcontainers');
      break;
    case 'scale':
      return handleScale(call);
    case 'binding':
      if (info.verb === 'create') return bindPod(call);
      break;
    case 'eviction':
      if (info.verb === 'create') return evictPod(call);
      break;
    case 'finalize':
      if (info.verb === 'update') return finalizeNamespace(call);
      break;
    // Served by the node agent: logs stream through, the rest arrive as upgrades (agent-proxy.ts).
    case 'log':
      return podLog(call);
    case 'exec':
    case 'attach':
    case 'portforward':
      return requireUpgrade();
    case 'proxy':
      if (served.def.plural === 'nodes') return nodeProxy(call);
      break;
    default:
      throw badRequest(`${served.def.plural}/${sub.name} is served by the node agent, which this server does not run yet`);
  }
  throw methodNotAllowed(`the server does not allow this method on the requested resource`);
}

// ---- scale ----

/** The Scale of an object: a CRD kind reads its declared paths, built-ins spec/status.replicas. */
function toScale(obj: KubeObject, paths?: ScalePaths): KubeObject {
  if (paths) return customScale(obj, paths);
  const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  const selector = spec['selector'];
  let selectorString = '';
  if (selector && typeof selector === 'object') {
    selectorString = 'matchLabels' in selector || 'matchExpressions' in selector ? selectorToString(selector as Record<string, unknown>) : Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`).join(',');
  }
  const scaleStatus: Record<string, unknown> = { replicas: (status['replicas'] as number | undefined) ?? 0 };
  if (selectorString) scaleStatus['selector'] = selectorString;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name as string,
      namespace: obj.metadata.namespace as string,
      uid: obj.metadata.uid as string,
      resourceVersion: obj.metadata.resourceVersion as string,
      creationTimestamp: obj.metadata.creationTimestamp as string,
    },
    spec: { replicas: (spec['replicas'] as number | undefined) ?? 0 },
    status: scaleStatus,
  };
}

function customScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const int = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) ? v : 0);
  const status: Record<string, unknown> = { replicas: int(getDotPath(obj, paths.statusReplicasPath)) };
  const selector = paths.labelSelectorPath ? getDotPath(obj, paths.labelSelectorPath) : undefined;
  if (typeof selector === 'string' && selector !== '') status['selector'] = selector;
  const metadata: KubeObject['metadata'] = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const) if (obj.metadata[k] !== undefined) metadata[k] = obj.metadata[k];
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: int(getDotPath(obj, paths.specReplicasPath)) }, status };
}

async function handleScale(call: ResourceCall): Promise<void> {
  const { info, served } = call;
  const store = served.store;
  const name = info.name as string;
  if (info.verb === 'get') {
    const scale = toScale(await store.get(info.namespace, name), served.scale);
    const shape = negotiate(call.req.headers.accept, true);
    // `kubectl get <workload> --subresource=scale` asks for a Table (upstream ScaleREST.ConvertToTable).
    if (shape.kind === 'table') {
      const table = toTable(printerFor('autoscaling', 'Scale'), [scale], { resourceVersion: scale.metadata.resourceVersion ?? '' }, { version: shape.version, includeObject: 'Metadata', withColumns: true });
      send(call.req, call.res, 200, JSON.stringify(table));
    } else sendJson(call.req, call.res, 200, scale);
    return;
  }
  if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const opts = parseWriteOptions(call.query);
  const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  let body: KubeObject | undefined;
  let patch: unknown;
  let patchType = '';
  if (info.verb === 'update') body = await readObject(call, scaleKind);
  else {
    patchType = mediaType(call.req.headers['content-type']);
    if (!PATCH_TYPES.has(patchType) || patchType === 'application/apply-patch+yaml') throw unsupportedMediaType(`unsupported patch type for scale: ${patchType}`);
    patch = decodeBody(await readBody(call.req), patchType, new Set([patchType]));
  }
  const { object } = await store.update(
    info.namespace,
    name,
    (current) => {
      if (!current) throw notFound(store.gr, name);
      const scale = body ?? checkObject(applyPatch(patchType, toScale(current, served.scale), patch, 'io.k8s.api.autoscaling.v1.Scale'), scaleKind);
      const pinned = scale.metadata.resourceVersion;
      if (pinned && pinned !== current.metadata.resourceVersion) {
        throw conflict(store.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const replicas = (scale['spec'] as Record<string, unknown> | undefined)?.['replicas'];
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
        throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${JSON.stringify(replicas)} into Go struct field ScaleSpec.spec.replicas of type int32`);
      }
      // Upstream ValidateScale: a well-typed but negative count is 422 Invalid on autoscaling Scale.
      if (typeof replicas === 'number' && replicas < 0) {
        throw invalid('Scale', 'autoscaling', name, [fieldErrors.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      if (served.scale) {
        setDotPath(current, served.scale.specReplicasPath, replicas ?? 0);
        return current;
      }
      const spec = (current['spec'] ??= {}) as Record<string, unknown>;
      spec['replicas'] = replicas ?? 0;
      return current;
    },
    requestContext(call, opts.dryRun, opts.fieldManager),
    { beforeWrite: recordManagedFields(call, 'scale', opts.fieldManager) },
  );
  sendJson(call.req, call.res, 200, toScale(object, served.scale));
}

// ---- pods/binding (pods/eviction is in eviction.ts) ----

async function bindPod(call: ResourceCall): Promise<void> {
  const { info, served } = call;
  const binding = await readObject(call, { group: '', version: 'v1', kind: 'Binding' });
  const target = binding['target'] as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw badRequest('target.name: Required value');
  if (target.kind && target.kind !== 'Node') throw badRequest(`target.kind: Unsupported value: "${target.kind}": supported values: "Node"`);
  const name = info.name as string;
  const opts = parseWriteOptions(call.query);
  await served.store.update(
    info.namespace,
    name,
    (pod) => {
      if (!pod) throw notFound(served.store.gr, name);
      const spec = (pod['spec'] ??= {}) as Record<string, unknown>;
      if (pod.metadata.deletionTimestamp) throw conflict(served.store.gr, name, 'pod is being deleted, cannot be assigned to a host');
      if (spec['nodeName']) throw conflict(served.store.gr, name, `pod ${name} is already assigned to node "${String(spec['nodeName'])}"`);
      spec['nodeName'] = target.name;
      const status = (pod['status'] ??= {}) as Record<string, unknown>;
      const conditions = ((status['conditions'] as Record<string, unknown>[] | undefined) ?? []).filter((c) => c['type'] !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      status['conditions'] = conditions;
      return pod;
    },
    requestContext(call, opts.dryRun, opts.fieldManager),
    { subresource: 'internal' },
  );
  sendJson(call.req, call.res, 201, { ...successStatus(), code: 201 });
}

// ---- namespaces/finalize ----

async function finalizeNamespace(call: ResourceCall): Promise<void> {
  const { info, served } = call;
  const ns = await readObject(call);
  const opts = parseWriteOptions(call.query);
  const name = info.name as string;
  const finalizers = ((ns['spec'] as Record<string, unknown> | undefined)?.['finalizers'] ?? []) as string[];
  const { object } = await served.store.update(
    undefined,
    name,
    (current) => {
      if (!current) throw notFound(served.store.gr, name);
      const spec = (current['spec'] ??= {}) as Record<string, unknown>;
      spec['finalizers'] = finalizers;
      return current;
    },
    requestContext(call, opts.dryRun, opts.fieldManager),
    { subresource: 'internal' },
  );
  send(call.req, call.res, 200, JSON.stringify(served.fromStorage(object)));
}
