// Naming rules between proto messages, OpenAPI definitions and group/version/kinds.
//   proto  k8s.io.api.apps.v1.Deployment                 <-> io.k8s.api.apps.v1.Deployment
//   proto  k8s.io.apimachinery.pkg.apis.meta.v1.Status    <-> io.k8s.apimachinery.pkg.apis.meta.v1.Status

import { GROUP_OF_PACKAGE, groupOfPackage } from '../../machinery/protobuf/schema.ts';
import type { GroupVersionKind } from '../types.ts';
import { protoMessages } from './facts.ts';

const PROTO_PREFIX = 'k8s.io.';
const DEFINITION_PREFIX = 'io.k8s.';
const API_PREFIX = 'io.k8s.api.';

export function definitionOfProto(message: string): string {
  return message.startsWith(PROTO_PREFIX) ? DEFINITION_PREFIX + message.slice(PROTO_PREFIX.length) : message;
}

export function protoOfDefinition(definition: string): string {
  return definition.startsWith(DEFINITION_PREFIX) ? PROTO_PREFIX + definition.slice(DEFINITION_PREFIX.length) : definition;
}

const PACKAGE_OF_GROUP: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(GROUP_OF_PACKAGE).map(([pkg, group]) => [group, pkg]),
);

function packageOfGroup(group: string): string {
  return PACKAGE_OF_GROUP[group] ?? (group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group);
}

/** The GVK of a k8s.io/api definition (io.k8s.api.apps.v1.Deployment -> apps/v1 Deployment). */
export function gvkOfDefinition(definition: string): GroupVersionKind | undefined {
  if (!definition.startsWith(API_PREFIX)) return undefined;
  const parts = definition.slice(API_PREFIX.length).split('.');
  if (parts.length !== 3) return undefined;
  const [pkg, version, kind] = parts as [string, string, string];
  return { group: groupOfPackage(pkg), version, kind };
}

/** The built-in definition for a GVK, if the fact tables know it. */
export function definitionOfGvk(gvk: GroupVersionKind): string | undefined {
  const definition = `${API_PREFIX}${packageOfGroup(gvk.group)}.${gvk.version}.${gvk.kind}`;
  return protoMessages().has(protoOfDefinition(definition)) ? definition : undefined;
}

/** Component name for a kind that has no built-in definition (CRDs), as upstream names them:
 * group reversed, then version and kind (stable.example.com/v1 CronTab -> com.example.stable.v1.CronTab). */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].filter(Boolean).join('.');
}

/** "v1.PodSpec", "resource.Quantity": the Go type name as encoding/json prints it. */
export function goTypeName(definition: string): string {
  const parts = definition.split('.');
  return parts.slice(-2).join('.');
}

export function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}
