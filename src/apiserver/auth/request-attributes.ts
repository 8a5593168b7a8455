// Turns an HTTP request into authorization attributes, and a refusal into the 403 Status that
// upstream's responsewriters.Forbidden writes (kubectl prints its message verbatim).

import { failure, type StatusError } from '../../machinery/status-error.ts';
import type { UserInfo } from '../filters/authn.ts';
import type { ResourceRequestInfo } from '../http/request-info.ts';
import type { AuthorizationAttributes } from './authorizer.ts';

/** Attributes of a request; `info` is the parsed resource path, undefined for non-resource paths. */
export function requestAttributes(user: UserInfo, method: string, path: string, info: ResourceRequestInfo | undefined): AuthorizationAttributes {
  if (info === undefined) {
    // Upstream's non-resource verb is the lower-case method (HEAD reads as get).
    const verb = method === 'HEAD' ? 'get' : method.toLowerCase();
    return { user, verb, resourceRequest: false, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', path };
  }
  // A namespace object is addressed within itself (upstream RequestInfoFactory), so a namespaced
  // grant on "namespaces" covers reading one's own namespace.
  const namespace = info.namespace ?? (info.group === '' && info.resource === 'namespaces' && info.name !== undefined ? info.name : '');
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: info.subresource ?? '',
    namespace,
    name: info.name ?? '',
    path,
  };
}

/** upstream forbiddenMessage: `User "u" cannot <verb> resource "<res>" in API group "<g>" …`. */
export function forbiddenMessage(attributes: AuthorizationAttributes): string {
  const user = attributes.user.username;
  if (!attributes.resourceRequest) return `User ${JSON.stringify(user)} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const scope = attributes.namespace ? `in the namespace ${JSON.stringify(attributes.namespace)}` : 'at the cluster scope';
  return `User ${JSON.stringify(user)} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.group)} ${scope}`;
}

/** The 403 Forbidden Status for a refused request (upstream apierrors.NewForbidden). */
export function forbiddenError(attributes: AuthorizationAttributes, reason?: string): StatusError {
  const detail = reason ? `${forbiddenMessage(attributes)}: ${reason}` : forbiddenMessage(attributes);
  if (!attributes.resourceRequest) return failure(403, 'Forbidden', `forbidden: ${detail}`, {});
  const qualified = attributes.group ? `${attributes.resource}.${attributes.group}` : attributes.resource;
  const message = attributes.name ? `${qualified} ${JSON.stringify(attributes.name)} is forbidden: ${detail}` : `${qualified} is forbidden: ${detail}`;
  const details: { name?: string; group?: string; kind: string } = { kind: attributes.resource };
  if (attributes.name) details.name = attributes.name;
  if (attributes.group) details.group = attributes.group;
  return failure(403, 'Forbidden', message, details);
}
