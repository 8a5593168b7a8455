// Query parameters of list, watch and delete requests, parsed and checked once.

import { parseFieldSelector } from '../../machinery/fields.ts';
import { parseLabelSelector } from '../../machinery/labels.ts';
import { badRequest, fieldErrors, invalid, type FieldError } from '../../machinery/status-error.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Strategy } from '../registry/strategy.ts';

export interface ListOptions {
  matches: ((obj: KubeObject) => boolean) | undefined;
  limit: number | undefined;
  continueToken: string | undefined;
  resourceVersion: string | undefined;
  resourceVersionMatch: string | undefined;
  timeoutSeconds: number | undefined;
  allowWatchBookmarks: boolean;
  includeObject: 'None' | 'Metadata' | 'Object';
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid value for ${name}: "${raw}" is not an integer`);
  return Number(raw);
}

export function parseListOptions(query: URLSearchParams, strategy: Strategy): ListOptions {
  const labelRaw = query.get('labelSelector') ?? '';
  const fieldRaw = query.get('fieldSelector') ?? '';
  const labels = labelRaw ? parseLabelSelector(labelRaw) : undefined;
  const fields = fieldRaw ? parseFieldSelector(fieldRaw) : undefined;
  if (fields) {
    const allowed = new Set(['metadata.name', 'metadata.namespace', ...strategy.selectableFields]);
    const unsupported = fields.unsupportedFields(allowed);
    if (unsupported.length) throw badRequest(`field label not supported: ${unsupported[0]}`);
  }
  let matches: ListOptions['matches'];
  if (labels || fields) {
    matches = (obj) => {
      if (labels && !labels.matches(obj.metadata.labels ?? {})) return false;
      if (fields) {
        const set: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '', 'metadata.namespace': obj.metadata.namespace ?? '', ...strategy.fields(obj) };
        if (!fields.matches(set)) return false;
      }
      return true;
    };
  }
  const resourceVersion = query.get('resourceVersion') ?? undefined;
  checkResourceVersion(resourceVersion);
  const rvMatch = query.get('resourceVersionMatch') || undefined;
  const matchErrors = validateResourceVersionMatch(rvMatch, resourceVersion, query.get('continue') || undefined);
  // Upstream answers ValidateListOptions failures with 422 Invalid on meta.k8s.io ListOptions.
  if (matchErrors.length) throw invalid('ListOptions', 'meta.k8s.io', '', matchErrors);
  const include = query.get('includeObject') || 'Metadata';
  if (include !== 'None' && include !== 'Metadata' && include !== 'Object') throw badRequest(`includeObject: Unsupported value: "${include}"`);
  const limit = intParam(query, 'limit');
  if (limit !== undefined && limit < 0) throw badRequest('limit must be non-negative');
  return {
    matches,
    limit,
    continueToken: query.get('continue') || undefined,
    resourceVersion,
    resourceVersionMatch: rvMatch,
    timeoutSeconds: intParam(query, 'timeoutSeconds'),
    allowWatchBookmarks: query.get('allowWatchBookmarks') === 'true',
    includeObject: include,
  };
}

/** A resourceVersion parameter is empty or a revision number; anything else is a 400. */
export function checkResourceVersion(resourceVersion: string | null | undefined): void {
  if (resourceVersion && !/^\d+$/.test(resourceVersion)) throw badRequest(`invalid resourceVersion "${resourceVersion}": must be a non-negative integer`);
}

function validateResourceVersionMatch(match: string | undefined, resourceVersion: string | undefined, continueToken: string | undefined): FieldError[] {
  if (!match) return [];
  const errors: FieldError[] = [];
  if (!resourceVersion) errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
  if (continueToken) errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  if (match !== 'Exact' && match !== 'NotOlderThan') errors.push(fieldErrors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
  if (match === 'Exact' && resourceVersion === '0') errors.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  return errors;
}
