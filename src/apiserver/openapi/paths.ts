// The path items of one served resource: collection, item, all-namespaces list and subresources,
// each operation tagged with x-kubernetes-action and x-kubernetes-group-version-kind. kubectl reads
// the PATCH operations: a matching GVK plus a `fieldValidation` query parameter turns on
// server-side validation (KUBECTL-WIRE §5.3). Strategic merge patch is deliberately not offered
// in the PATCH content types, so kubectl computes SMPs from its compiled-in types (§5.4).

import { refTo } from '../../api/schema/index.ts';
import type { GroupVersionKind, SubresourceDefinition } from '../../api/types.ts';
import {
  CONNECT_PARAMETERS, DELETE_COLLECTION_PARAMETERS, DELETE_PARAMETERS, LIST_PARAMETERS, LOG_PARAMETERS, P,
  PATCH_PARAMETERS, WRITE_PARAMETERS,
} from './parameters.ts';
import type { MediaType, OpenApiResource, Operation, PathItem } from './types.ts';

export const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

export const PATCH_CONTENT_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] as const;
const RESPONSE_TYPES = ['application/json', 'application/yaml'] as const;
const WATCH_TYPES = ['application/json;stream=watch'] as const;
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** Component names the paths refer to; undefined where no schema is known. */
export interface ResourceSchemas {
  kind: string;
  list: string | undefined;
  subresource(sub: SubresourceDefinition): string | undefined;
}

type Action = Operation['x-kubernetes-action'];
type OperationParts = Pick<Operation, 'responses'> & Partial<Pick<Operation, 'parameters' | 'requestBody'>>;

export function groupVersionPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

export function resourcePaths(r: OpenApiResource, schemas: ResourceSchemas): Record<string, PathItem> {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const ids = new OperationIds(r);
  const tag = tagOf(r.group, r.version);
  const prefix = groupVersionPrefix(r.group, r.version);
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const item = `${collection}/{name}`;
  const scope = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const verbs = new Set(r.verbs);
  const kindRef = schemas.kind;
  const out: Record<string, PathItem> = {};
  const make = (action: Action, id: string, description: string, extra: OperationParts, kind: GroupVersionKind = gvk): Operation => {
    // Key order is the serialized order: keep it readable and stable.
    return {
      tags: [tag], description, operationId: id,
      ...(extra.parameters ? { parameters: extra.parameters } : {}),
      ...(extra.requestBody ? { requestBody: extra.requestBody } : {}),
      responses: extra.responses,
      'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': kind,
    };
  };

  const coll: PathItem = { parameters: scope };
  if (verbs.has('list')) {
    coll.get = make('list', ids.op('list', true), `list or watch ${r.kind} objects`, {
      parameters: [...LIST_PARAMETERS], responses: ok(schemas.list, true),
    });
  }
  if (verbs.has('create')) {
    coll.post = make('post', ids.op('create', true), `create a ${r.kind}`, {
      parameters: [...WRITE_PARAMETERS], requestBody: body(kindRef), responses: written(kindRef, true),
    });
  }
  if (verbs.has('deletecollection')) {
    coll.delete = make('deletecollection', ids.op('delete', true, 'Collection'), `delete a collection of ${r.kind} objects`, {
      parameters: [...DELETE_COLLECTION_PARAMETERS], requestBody: body(DELETE_OPTIONS, false), responses: ok(STATUS),
    });
  }
  if (coll.get || coll.post || coll.delete) out[collection] = coll;

  const one: PathItem = { parameters: [P.name, ...scope] };
  if (verbs.has('get')) one.get = make('get', ids.op('read', true), `read the specified ${r.kind}`, { responses: ok(kindRef) });
  if (verbs.has('update')) {
    one.put = make('put', ids.op('replace', true), `replace the specified ${r.kind}`, {
      parameters: [...WRITE_PARAMETERS], requestBody: body(kindRef), responses: written(kindRef, false),
    });
  }
  if (verbs.has('patch')) {
    one.patch = make('patch', ids.op('patch', true), `partially update the specified ${r.kind}`, {
      parameters: [...PATCH_PARAMETERS], requestBody: patchBody(), responses: written(kindRef, false),
    });
  }
  if (verbs.has('delete')) {
    one.delete = make('delete', ids.op('delete', true), `delete a ${r.kind}`, {
      parameters: [...DELETE_PARAMETERS], requestBody: body(DELETE_OPTIONS, false), responses: { ...ok(STATUS), ...accepted(STATUS) },
    });
  }
  if (one.get || one.put || one.patch || one.delete) out[item] = one;

  if (r.namespaced && verbs.has('list')) {
    out[`${prefix}/${r.plural}`] = {
      parameters: [P.pretty],
      get: make('list', ids.op('list', false, '', 'ForAllNamespaces'), `list or watch ${r.kind} objects across all namespaces`, {
        parameters: [...LIST_PARAMETERS], responses: ok(schemas.list, true),
      }),
    };
  }

  for (const sub of r.subresources) {
    const subPath: PathItem = { parameters: [P.name, ...scope] };
    const ref = schemas.subresource(sub);
    const suffix = capitalize(sub.name);
    const what = `${sub.name} of the specified ${r.kind}`;
    const subVerbs = new Set(sub.verbs);
    if (CONNECT_SUBRESOURCES.has(sub.name)) {
      const params = [...(CONNECT_PARAMETERS[sub.name] ?? [])];
      if (subVerbs.has('get')) subPath.get = make('connect', ids.connect('Get', suffix), `connect GET requests to ${what}`, { parameters: params, responses: text() }, sub.kind);
      if (subVerbs.has('create')) subPath.post = make('connect', ids.connect('Post', suffix), `connect POST requests to ${what}`, { parameters: params, responses: text() }, sub.kind);
    } else if (sub.name === 'log') {
      if (subVerbs.has('get')) subPath.get = make('get', ids.op('read', true, '', suffix), `read ${what}`, { parameters: [...LOG_PARAMETERS], responses: text() }, sub.kind);
    } else {
      if (subVerbs.has('get')) subPath.get = make('get', ids.op('read', true, '', suffix), `read ${what}`, { responses: ok(ref) }, sub.kind);
      if (subVerbs.has('update')) {
        subPath.put = make('put', ids.op('replace', true, '', suffix), `replace ${what}`, {
          parameters: [...WRITE_PARAMETERS], requestBody: body(ref), responses: written(ref, false),
        }, sub.kind);
      }
      if (subVerbs.has('patch')) {
        subPath.patch = make('patch', ids.op('patch', true, '', suffix), `partially update ${what}`, {
          parameters: [...PATCH_PARAMETERS], requestBody: patchBody(), responses: written(ref, false),
        }, sub.kind);
      }
      if (subVerbs.has('create')) {
        subPath.post = make('post', ids.op('create', true, '', suffix), `create ${what}`, {
          parameters: [...WRITE_PARAMETERS], requestBody: body(ref), responses: written(ref, true),
        }, sub.kind);
      }
    }
    if (subPath.get || subPath.put || subPath.patch || subPath.post) out[`${item}/${sub.name}`] = subPath;
  }
  return out;
}

/** Upstream-style operation ids: listAppsV1NamespacedDeployment, patchCoreV1NamespacedPodStatus. */
class OperationIds {
  readonly #gv: string;
  readonly #kind: string;
  readonly #namespaced: boolean;

  constructor(r: OpenApiResource) {
    this.#gv = groupCamel(r.group) + capitalize(r.version);
    this.#kind = r.kind;
    this.#namespaced = r.namespaced;
  }

  op(verb: string, scoped: boolean, infix = '', suffix = ''): string {
    const ns = scoped && this.#namespaced ? 'Namespaced' : '';
    return `${verb}${this.#gv}${infix}${ns}${this.#kind}${suffix}`;
  }

  connect(method: string, suffix: string): string {
    return `connect${this.#gv}${method}${this.#namespaced ? 'Namespaced' : ''}${this.#kind}${suffix}`;
  }
}

/** "rbac.authorization.k8s.io" -> "RbacAuthorization", "" -> "Core", "stable.example.com" -> "StableExampleCom". */
function groupCamel(group: string): string {
  if (group === '') return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed.split(/[.-]/).map(capitalize).join('');
}

function tagOf(group: string, version: string): string {
  const camel = groupCamel(group);
  return `${camel[0]!.toLowerCase()}${camel.slice(1)}_${version}`;
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function content(ref: string | undefined, types: readonly string[]): Record<string, MediaType> {
  const schema = ref ? { $ref: refTo(ref) } : { type: 'object' as const };
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function body(ref: string | undefined, required = true): NonNullable<Operation['requestBody']> {
  return { content: content(ref, ['*/*']), required };
}

function patchBody(): NonNullable<Operation['requestBody']> {
  return { content: content(PATCH, PATCH_CONTENT_TYPES), required: true };
}

function ok(ref: string | undefined, watchable = false): Operation['responses'] {
  const types = watchable ? [...RESPONSE_TYPES, ...WATCH_TYPES] : RESPONSE_TYPES;
  return { '200': { description: 'OK', content: content(ref, types) }, '401': { description: 'Unauthorized' } };
}

function accepted(ref: string | undefined): Operation['responses'] {
  return { '202': { description: 'Accepted', content: content(ref, RESPONSE_TYPES) } };
}

function written(ref: string | undefined, create: boolean): Operation['responses'] {
  const responses = { ...ok(ref), '201': { description: 'Created', content: content(ref, RESPONSE_TYPES) } };
  return create ? { ...responses, ...accepted(ref) } : responses;
}

function text(): Operation['responses'] {
  return { '200': { description: 'OK', content: { '*/*': { schema: { type: 'string' } } } }, '401': { description: 'Unauthorized' } };
}

