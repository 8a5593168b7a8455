// The kubernetes.io/kubelet-serving signer's rules (upstream ValidateKubeletServingCSR): a node's
// serving certificate names the node (CN system:node:<name>, O system:nodes), carries only DNS
// and IP subject alternative names (at least one), and asks for server auth.
//
// Upstream leaves approval of these CSRs to a human or an external approver, because the SANs a
// node claims are not checked against anything. Strata approves a node's own request
// automatically, like the widely deployed kubelet-csr-approver: the node's agent cannot serve
// logs, exec or stats without it, and a node asking for its own name is what the node
// authorizer would let it do anyway. Requests from anyone but that node are left for a human.

import type { KubeObject } from '../../api/types.ts';
import { x509 } from '../../apiserver/pki/x509.ts';
import { csrSpec, KUBELET_SERVING_SIGNER, NODE_USER_PREFIX, NODES_GROUP, parseCsrRequest } from './csr.ts';

const SERVING_USAGES = new Set(['key encipherment', 'digital signature', 'server auth']);
const SAN_OID = '2.5.29.17';

/** Why the request is not a valid kubelet serving request, or undefined when it is. */
export function kubeletServingProblem(request: x509.Pkcs10CertificateRequest, usages: readonly string[]): string | undefined {
  const o = request.subjectName.getField('O');
  const cn = request.subjectName.getField('CN');
  if (o.length !== 1 || o[0] !== NODES_GROUP) return `organization must be exactly [${NODES_GROUP}]`;
  if (cn.length !== 1 || !cn[0]?.startsWith(NODE_USER_PREFIX) || cn[0].length === NODE_USER_PREFIX.length) return `common name must be ${NODE_USER_PREFIX}<name>`;
  const sanExtension = request.getExtension(SAN_OID);
  const names = sanExtension ? new x509.SubjectAlternativeNameExtension(sanExtension.rawData).names.toJSON() : [];
  if (names.some((n) => n.type !== 'dns' && n.type !== 'ip')) return 'only DNS and IP subject alternative names are allowed';
  if (names.length === 0) return 'at least one DNS or IP subject alternative name is required';
  if (!usages.includes('server auth')) return 'usages must include server auth';
  const extra = usages.filter((u) => !SERVING_USAGES.has(u));
  if (extra.length > 0) return `usages ${extra.join(', ')} are not allowed`;
  return undefined;
}

/** Whether a kubelet-serving CSR may be approved: valid, and requested by the node it names. */
export function kubeletServingApproval(csr: KubeObject): { approve: true } | { approve: false; reason: string } {
  const spec = csrSpec(csr);
  if (spec.signerName !== KUBELET_SERVING_SIGNER) return { approve: false, reason: 'other signer' };
  const request = parseCsrRequest(csr);
  if (request === undefined) return { approve: false, reason: 'unparsable request' };
  const problem = kubeletServingProblem(request, spec.usages ?? []);
  if (problem !== undefined) return { approve: false, reason: problem };
  const cn = request.subjectName.getField('CN')[0];
  if (spec.username !== cn || !(spec.groups ?? []).includes(NODES_GROUP)) return { approve: false, reason: 'requester is not the node itself' };
  return { approve: true };
}
