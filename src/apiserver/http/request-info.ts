// Parses a request path into the parts the handlers route on, with upstream's verb names
// (get, list, watch, create, update, patch, delete, deletecollection).

import { badRequest } from '../../machinery/status-error.ts';

export interface ResourceRequestInfo {
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  verb: string;
}

/**
 * Returns undefined for non-resource paths (/version, /api, /apis/<g>, /openapi/...).
 * Handles /api/v1/..., /apis/<g>/<v>/..., the deprecated /watch/ prefix, and the namespace
 * object itself (/api/v1/namespaces/<name>[/status|/finalize]).
 */
export function parseResourcePath(pathname: string, method: string, query: URLSearchParams): ResourceRequestInfo | undefined {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  // A proxy subresource carries the path it proxies to after it (nodes/N/proxy/stats/summary).
  if (!resource || (rest.length > 3 && rest[2] !== 'proxy')) return undefined;
  // /api/v1/namespaces/foo/status addresses the namespace "foo" itself.
  if (namespace !== undefined && resource !== undefined && rest.length === 1 && (resource === 'status' || resource === 'finalize') && group === '') {
    return { group, version, namespace: undefined, resource: 'namespaces', name: namespace, subresource: resource, verb: verbFor(method, true, legacyWatch, query) };
  }
  return {
    group,
    version,
    namespace,
    resource,
    name,
    subresource,
    verb: verbFor(method, name !== undefined, legacyWatch, query),
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is the client's mistake, not a server error.
    throw badRequest(`invalid URL path segment "${segment}"`);
  }
}

function verbFor(method: string, hasName: boolean, legacyWatch: boolean, query: URLSearchParams): string {
  const watch = legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
