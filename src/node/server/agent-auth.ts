// Who may use the agent's HTTPS endpoint, as the kubelet decides with webhook authentication off
// and webhook authorization on: a client certificate from the cluster CA names the caller
// (anonymous callers get 401); system:masters and the API server's kubelet-client identity are
// allowed outright; anyone else is asked about with a SubjectAccessReview on the node's
// `nodes/<subresource>` (upstream's kubelet authorizer attributes), 403 when not allowed.

import type { TLSSocket } from 'node:tls';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import type { AgentCaller } from './routes.ts';

export const KUBELET_API_CLIENT = 'kube-apiserver-kubelet-client';
const MASTERS = 'system:masters';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
/** How long a SubjectAccessReview answer is reused (the kubelet caches 5 min allowed, 30 s denied). */
const ALLOWED_TTL_MS = 300_000;
const DENIED_TTL_MS = 30_000;

/** The caller a verified client certificate names (CN user, O groups), or undefined for anonymous. */
export function authenticateSocket(socket: TLSSocket): AgentCaller | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const eku = (cert as { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && !eku.includes(CLIENT_AUTH_OID)) return undefined;
  const cn = cert.subject.CN;
  const user = Array.isArray(cn) ? cn[0] : cn;
  if (!user) return undefined;
  const o = cert.subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { user, groups: [...groups, 'system:authenticated'] };
}

/** Upstream's kubelet authorizer: the request's path picks the nodes subresource, its method the verb. */
export function kubeletAttributes(method: string, path: string): { verb: string; subresource: string } {
  const verbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method] ?? method.toLowerCase();
  const first = path.split('/').filter(Boolean)[0] ?? '';
  const subresource = first === 'stats' ? 'stats' : first === 'metrics' ? 'metrics' : first === 'logs' ? 'log' : first === 'spec' ? 'spec' : 'proxy';
  return { verb, subresource };
}

export type AgentAuthorizer = (caller: AgentCaller, method: string, path: string) => Promise<{ allowed: boolean; reason: string }>;

/** Decides with the rules above, asking the API server (through `client`) for other callers. */
export function subjectAccessReviewAuthorizer(client: RestClient, nodeName: string, now: () => number = Date.now): AgentAuthorizer {
  const cache = new Map<string, { allowed: boolean; reason: string; until: number }>();
  return async (caller, method, path) => {
    if (caller.groups.includes(MASTERS) || caller.user === KUBELET_API_CLIENT) return { allowed: true, reason: '' };
    const { verb, subresource } = kubeletAttributes(method, path);
    const key = JSON.stringify([caller.user, caller.groups, verb, subresource]);
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit;
    const review: KubeObject = await client.create<KubeObject>(
      { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews' },
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        metadata: {},
        spec: { user: caller.user, groups: [...caller.groups], resourceAttributes: { verb, resource: 'nodes', subresource, name: nodeName } },
      },
    );
    const allowed = (review['status'] as { allowed?: boolean } | undefined)?.allowed === true;
    const reason = `Forbidden (user=${caller.user}, verb=${verb}, resource=nodes, subresource=${subresource})`;
    const decision = { allowed, reason, until: now() + (allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS) };
    if (cache.size > 1000) cache.clear();
    cache.set(key, decision);
    return decision;
  };
}
