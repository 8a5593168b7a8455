// Builds the /openapi/v3 root and the per-group/version documents from the served resources.
// Documents are plain data with keys in a fixed order, so the same resource set always
// serializes to the same bytes and therefore the same hash.

import { createHash } from 'node:crypto';
import { buildComponents, sortedRecord } from './components.ts';
import { resourcePaths } from './paths.ts';
import type { OpenApiDocument, OpenApiResource, OpenApiRoot, PathItem } from './types.ts';

export interface GroupVersion {
  group: string;
  version: string;
}

export interface DocumentInfo {
  title: string;
  version: string;
}

export const DEFAULT_INFO: DocumentInfo = { title: 'Kubernetes', version: 'v1.33.0' };

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the key under /openapi/v3/. */
export function groupVersionKey(gv: GroupVersion): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

/** Parses a key back; undefined if it is not one. */
export function parseGroupVersionKey(key: string): GroupVersion | undefined {
  const parts = key.split('/');
  if (parts.length === 2 && parts[0] === 'api' && parts[1]) return { group: '', version: parts[1] };
  if (parts.length === 3 && parts[0] === 'apis' && parts[1] && parts[2]) return { group: parts[1], version: parts[2] };
  return undefined;
}

/** Distinct group/versions of the resources, in first-seen order. */
export function servedGroupVersions(resources: readonly OpenApiResource[]): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of resources) {
    const key = groupVersionKey(r);
    if (!seen.has(key)) seen.set(key, { group: r.group, version: r.version });
  }
  return [...seen.values()];
}

/** The document of one group/version ("apis/apps/v1" or {group, version}); undefined if nothing is served there. */
export function openapiV3Document(
  resources: readonly OpenApiResource[], groupVersion: string | GroupVersion, info: DocumentInfo = DEFAULT_INFO,
): OpenApiDocument | undefined {
  const gv = typeof groupVersion === 'string' ? parseGroupVersionKey(groupVersion) : groupVersion;
  if (!gv) return undefined;
  const mine = resources.filter((r) => r.group === gv.group && r.version === gv.version);
  if (mine.length === 0) return undefined;
  const { schemas, names } = buildComponents(mine, servedGroupVersions(resources));
  const paths: Record<string, PathItem> = {};
  mine.forEach((r, i) => Object.assign(paths, resourcePaths(r, names[i]!)));
  return { openapi: '3.0.0', info: { ...info }, paths: sortedRecord(paths), components: { schemas } };
}

/** Upstream's content hash: SHA-512 of the served bytes, upper-case hex. */
export function contentHash(body: Uint8Array): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

export function serialize(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The root document; `hashOf` gives each group/version document's hash (computed if omitted). */
export function openapiV3Root(
  resources: readonly OpenApiResource[], hashOf?: (key: string) => string | undefined, info: DocumentInfo = DEFAULT_INFO,
): OpenApiRoot {
  const paths: OpenApiRoot['paths'] = {};
  for (const gv of servedGroupVersions(resources)) {
    const key = groupVersionKey(gv);
    const hash = hashOf?.(key) ?? contentHash(serialize(openapiV3Document(resources, gv, info)));
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths: sortedRecord(paths) };
}
