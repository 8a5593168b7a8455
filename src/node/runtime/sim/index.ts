// Public surface of the simulated runtime: SimCluster (many KWOK-style nodes in one process),
// its options, the CRI-shaped SimRuntime, and the annotations that steer simulated pods.

export { SimCluster, type SimClusterDeps, type SimStats } from './sim-cluster.ts';
export { resolveSimConfig, parseLabels, zoneName, nodeName, type SimConfig, type SimOptions } from './options.ts';
export { SimRuntime, RUN_MS_ANNOTATION, EXIT_CODE_ANNOTATION } from './sim-runtime.ts';
export { NEVER_READY_ANNOTATION, type PodBehaviour } from './sim-kubelet.ts';
export { KUBELET_VERSION, SIMULATED_LABEL } from './node-object.ts';
export type { RuntimeService, PodSandboxConfig, PodSandboxStatus, ContainerConfig, ContainerStatus, ContainerState } from '../cri.ts';
