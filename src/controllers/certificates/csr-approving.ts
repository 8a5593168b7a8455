// Upstream's csrapproving controller (pkg/controller/certificates/approver), for kubelet client
// certificates: a CSR for kubernetes.io/kube-apiserver-client-kubelet is auto-approved when it
// asks for exactly a node client identity (CN system:node:<name>, O system:nodes, no SANs,
// client auth usages) and comes from a bootstrap token (system:bootstrappers) or from that same
// node renewing its certificate. Anything else is left for a human. A node's own
// kubernetes.io/kubelet-serving request is approved too (see kubelet-serving.ts for why).

import type { KubeObject } from '../../api/types.ts';
import type { Informer, RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { CSRS, csrSpec, csrStatus, hasCondition, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, NODE_USER_PREFIX, NODES_GROUP, parseCsrRequest } from './csr.ts';
import { kubeletServingApproval } from './kubelet-serving.ts';

export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
const ALLOWED_USAGES = new Set(['key encipherment', 'digital signature', 'client auth']);

/** Why the request is not a plain node client certificate request, or undefined when it is. */
export function nodeClientProblem(subjectCN: readonly string[], subjectO: readonly string[], hasSans: boolean, usages: readonly string[]): string | undefined {
  if (subjectO.length !== 1 || subjectO[0] !== NODES_GROUP) return `organization must be exactly [${NODES_GROUP}]`;
  if (subjectCN.length !== 1 || !subjectCN[0]?.startsWith(NODE_USER_PREFIX) || subjectCN[0].length === NODE_USER_PREFIX.length) return `common name must be ${NODE_USER_PREFIX}<name>`;
  if (hasSans) return 'subject alternative names are not allowed';
  if (!usages.includes('client auth')) return 'usages must include client auth';
  const extra = usages.filter((u) => !ALLOWED_USAGES.has(u));
  if (extra.length > 0) return `usages ${extra.join(', ')} are not allowed`;
  return undefined;
}

/** Whether the csrapproving controller should approve this CSR, with the reason it would not. */
export function shouldAutoApprove(csr: KubeObject): { approve: true } | { approve: false; reason: string } {
  const spec = csrSpec(csr);
  if (hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return { approve: false, reason: 'already decided' };
  if (spec.signerName === KUBELET_SERVING_SIGNER) return kubeletServingApproval(csr);
  if (spec.signerName !== KUBELET_CLIENT_SIGNER) return { approve: false, reason: 'other signer' };
  const request = parseCsrRequest(csr);
  if (request === undefined) return { approve: false, reason: 'unparsable request' };
  const cn = request.subjectName.getField('CN');
  const o = request.subjectName.getField('O');
  const hasSans = request.getExtension('2.5.29.17') !== null;
  const problem = nodeClientProblem(cn, o, hasSans, spec.usages ?? []);
  if (problem !== undefined) return { approve: false, reason: problem };
  const fromBootstrapper = (spec.groups ?? []).includes(BOOTSTRAPPERS_GROUP);
  const fromSelf = spec.username === cn[0] && (spec.groups ?? []).includes(NODES_GROUP);
  if (!fromBootstrapper && !fromSelf) return { approve: false, reason: 'requester is neither a bootstrapper nor the node itself' };
  return { approve: true };
}

function approvalMessage(csr: KubeObject): string {
  return csrSpec(csr).signerName === KUBELET_SERVING_SIGNER ? 'Auto approving self kubelet serving certificate.' : 'Auto approving kubelet client certificate after SubjectAccessReview.';
}

export class CsrApprover implements Reconciler {
  readonly #client: RestClient;
  readonly #csrs: Informer;
  readonly #now: () => Date;

  constructor(client: RestClient, csrs: Informer, now: () => Date) {
    this.#client = client;
    this.#csrs = csrs;
    this.#now = now;
  }

  async reconcile(name: string, signal: AbortSignal): Promise<void> {
    const csr = this.#csrs.lister.get(undefined, name);
    if (!csr || !shouldAutoApprove(csr).approve) return;
    const copy = structuredClone(csr);
    const status = (copy['status'] = { ...csrStatus(csr) });
    const now = this.#now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    status.conditions = [
      ...(status.conditions ?? []),
      { type: 'Approved', status: 'True', reason: 'AutoApproved', message: approvalMessage(csr), lastUpdateTime: now, lastTransitionTime: now },
    ];
    try {
      // A Conflict (stale cache) throws and requeues; the next look sees the current object.
      await this.#client.request('PUT', `/apis/${CSRS.group}/${CSRS.version}/${CSRS.resource}/${encodeURIComponent(name)}/approval`, copy, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export function csrApprovingController(ctx: ControllerContext): Controller {
  const csrs = ctx.informers.informerFor(CSRS);
  const now = ctx.clock ? () => new Date(ctx.clock!.now()) : () => new Date();
  return new Controller({ name: 'csrapproving', reconciler: new CsrApprover(ctx.client, csrs, now), ...common(ctx) }).watch(csrs, (csr) => csr.metadata.name);
}
