// The API server's side of reaching node agents.

export type { KubeletClient, KubeletRequest, KubeletUpgrade } from './kubelet-client.ts';
export { HttpsKubeletClient, nodeEndpoint, type HttpsKubeletClientConfig } from './https-kubelet-client.ts';
