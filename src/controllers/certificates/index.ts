// Certificate controllers: auto-approval of node client CSRs and signing with the cluster CA.

export { csrApprovingController, CsrApprover, shouldAutoApprove, nodeClientProblem } from './csr-approving.ts';
export { csrSigningController, CsrSigner, signCsr, certificateDurationMs } from './csr-signing.ts';
export { CSRS, KUBELET_CLIENT_SIGNER, API_CLIENT_SIGNER } from './csr.ts';
