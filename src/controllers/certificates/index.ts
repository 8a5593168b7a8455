// Certificate controllers: auto-approval of node client (and a node's own serving) CSRs and signing with the cluster CA.

export { csrApprovingController, CsrApprover, shouldAutoApprove, nodeClientProblem } from './csr-approving.ts';
export { csrSigningController, CsrSigner, signCsr, certificateDurationMs } from './csr-signing.ts';
export { CSRS, KUBELET_CLIENT_SIGNER, API_CLIENT_SIGNER, KUBELET_SERVING_SIGNER } from './csr.ts';
export { kubeletServingApproval, kubeletServingProblem } from './kubelet-serving.ts';
