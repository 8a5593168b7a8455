// The Kubernetes protobuf wire schema, compiled once from the fact table
// src/api/data/protobuf-fields.json: per message its fields by number and in number order, each
// with the JSON name Go's encoding/json uses, and which fields are embedded (`json:",inline"`).
// Also maps an apiVersion/kind to its message name (apps/v1 Deployment -> k8s.io.api.apps.v1.Deployment).

import { readFileSync } from 'node:fs';
import { keepsZero } from './zero-values.ts';

interface TableField {
  n: number;
  t: string;
  rep?: boolean;
  map?: [string, string];
}

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64';

export interface CompiledField {
  /** Proto field name, as in the table. */
  readonly proto: string;
  /** JSON property name. */
  readonly json: string;
  readonly n: number;
  /** Scalar type or fully qualified message name. */
  readonly type: string;
  readonly scalar: ScalarType | undefined;
  readonly repeated: boolean;
  /** [key type, value type] of a map field; its entries are messages {key = 1, value = 2}. */
  readonly map: readonly [string, string] | undefined;
  /** An embedded struct whose fields Go's JSON writes directly into the parent object. */
  readonly inline: boolean;
  /** A present zero value (0, "", false) stays in the JSON form (Go pointer or non-omitempty field). */
  readonly keepZero: boolean;
}

export interface CompiledMessage {
  readonly name: string;
  /** Fields in field-number order (the order Go writes them). */
  readonly fields: readonly CompiledField[];
  readonly byNumber: ReadonlyMap<number, CompiledField>;
  /** Every JSON property this message fills, including those of inline fields. */
  readonly jsonKeys: ReadonlySet<string>;
  /** A Go slice wrapped as {items = 1} on the wire, a bare array in JSON (ExtraValue, Verbs). */
  readonly listWrapper: boolean;
}

const LIST_WRAPPERS = new Set(['ExtraValue', 'Verbs']);

const SCALARS = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64']);

/** Embedded Go structs (`json:",inline"`), by message short name, when the proto field is named after the type. */
const INLINE_TYPES = new Set([
  'LocalObjectReference', 'VolumeSource', 'PersistentVolumeSource', 'EphemeralContainerCommon',
  'IngressRuleValue', 'DeviceConfiguration', 'RuleWithOperations', 'Rule',
]);

/**
 * Proto fields whose JSON name is not the proto name with a lower-case first letter, by
 * "<message short name>.<proto name>" (go-to-protobuf named these after the Go field).
 */
const JSON_NAMES: Readonly<Record<string, string>> = {
  'DaemonEndpoint.Port': 'Port',
  'BoundObjectReference.uID': 'uid',
  'IngressClassParametersReference.aPIGroup': 'apiGroup',
};

let table: ReadonlyMap<string, Record<string, TableField>> | undefined;
const compiled = new Map<string, CompiledMessage | undefined>();

function rawTable(): ReadonlyMap<string, Record<string, TableField>> {
  table ??= new Map(Object.entries(JSON.parse(readFileSync(new URL('../../api/data/protobuf-fields.json', import.meta.url), 'utf8')) as Record<string, Record<string, TableField>>));
  return table;
}

export function hasMessage(name: string): boolean {
  return rawTable().has(name);
}

export function shortName(message: string): string {
  return message.slice(message.lastIndexOf('.') + 1);
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function isInline(protoName: string, field: TableField): boolean {
  if (field.rep || field.map || SCALARS.has(field.t)) return false;
  const type = shortName(field.t);
  // Probe embeds ProbeHandler under the proto name "handler".
  return type === 'ProbeHandler' || (INLINE_TYPES.has(type) && protoName === lowerFirst(type));
}

/** The compiled message, or undefined when the table has no such message. */
export function messageOf(name: string): CompiledMessage | undefined {
  if (compiled.has(name)) return compiled.get(name);
  const raw = rawTable().get(name);
  if (!raw) {
    compiled.set(name, undefined);
    return undefined;
  }
  const short = shortName(name);
  const fields: CompiledField[] = Object.entries(raw)
    .map(([proto, f]) => {
      const json = JSON_NAMES[`${short}.${proto}`] ?? lowerFirst(proto);
      return {
        proto,
        json,
        n: f.n,
        type: f.t,
        scalar: SCALARS.has(f.t) ? (f.t as ScalarType) : undefined,
        repeated: f.rep === true,
        map: f.map,
        inline: isInline(proto, f),
        keepZero: keepsZero(short, json),
      };
    })
    .sort((a, b) => a.n - b.n);
  const message: CompiledMessage = { name, fields, byNumber: new Map(fields.map((f) => [f.n, f])), jsonKeys: new Set(), listWrapper: LIST_WRAPPERS.has(short) };
  // Set before resolving inline fields: messages may refer to themselves (JSONSchemaProps-like trees).
  compiled.set(name, message);
  const keys = message.jsonKeys as Set<string>;
  for (const f of fields) {
    if (!f.inline) keys.add(f.json);
    else for (const k of messageOf(f.type)?.jsonKeys ?? []) keys.add(k);
  }
  return message;
}

/** k8s.io/api package folder -> API group, where the group is not `<folder>.k8s.io`. */
export const GROUP_OF_PACKAGE: Readonly<Record<string, string>> = {
  core: '',
  apps: 'apps',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  extensions: 'extensions',
  rbac: 'rbac.authorization.k8s.io',
  flowcontrol: 'flowcontrol.apiserver.k8s.io',
  apiserverinternal: 'internal.apiserver.k8s.io',
};

/** The API group whose types live in the k8s.io/api package folder `pkg`. */
export function groupOfPackage(pkg: string): string {
  return GROUP_OF_PACKAGE[pkg] ?? `${pkg}.k8s.io`;
}

const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.';
let packageOfGroup: ReadonlyMap<string, string> | undefined;

/** API group -> k8s.io/api package folder, built from the package names in the table. */
function packages(): ReadonlyMap<string, string> {
  if (!packageOfGroup) {
    const map = new Map<string, string>();
    for (const name of rawTable().keys()) {
      if (!name.startsWith('k8s.io.api.')) continue;
      const pkg = name.split('.')[3] as string;
      map.set(groupOfPackage(pkg), pkg);
    }
    packageOfGroup = map;
  }
  return packageOfGroup;
}

/**
 * The message of a top-level object: `k8s.io.api.<package>.<version>.<Kind>` for built-in groups,
 * else the meta types every group version carries (Status, DeleteOptions, WatchEvent, APIResourceList,
 * Table, PartialObjectMetadata...). Undefined for kinds without a message (custom resources).
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (!kind || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^v\d+((alpha|beta)\d+)?$/.test(version)) return undefined;
  const pkg = packages().get(group);
  if (pkg !== undefined) {
    const name = `k8s.io.api.${pkg}.${version}.${kind}`;
    if (rawTable().has(name)) return name;
  }
  if (pkg === undefined && group !== 'meta.k8s.io') return undefined;
  for (const name of [`${META_PACKAGE}${version}.${kind}`, `${META_PACKAGE}v1.${kind}`]) {
    if (rawTable().has(name)) return name;
  }
  return undefined;
}
