// The cri runtime: pods as containers in containerd (or any CRI runtime) over its unix socket.

export { CriRuntime, type CriRuntimeOptions } from './cri-runtime.ts';
export { CriClient, CriCallError, criEndpointAnswers, DEFAULT_CRI_ENDPOINT, socketPath } from './cri-client.ts';
export { RuntimeHealth, type Health } from './runtime-health.ts';
export { CriLogRotator, type LogRotationLimits } from './log-rotation.ts';
export { nodeNetworkOnly, type NetworkNamespaceMode, type SandboxNetworkPolicy } from './cri-convert.ts';
