// The part of the kubelet Summary API (stats/v1alpha1) the metrics API reads. Declared here, as
// metrics-server does, because the API server does not depend on the node layer: the agent's
// JSON is the contract.

interface CpuWire {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

interface MemoryWire {
  time: string;
  workingSetBytes?: number;
}

export interface SummaryWire {
  node: { nodeName: string; cpu?: CpuWire; memory?: MemoryWire };
  pods: {
    podRef: { name: string; namespace: string; uid: string };
    containers: { name: string; cpu?: CpuWire; memory?: MemoryWire }[];
  }[];
}
