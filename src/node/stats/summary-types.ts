// The kubelet Summary API's shape (stats/v1alpha1, served at /stats/summary): what metrics-server
// scrapes for `kubectl top` and what the eviction manager reads. Times are RFC 3339 strings.

export interface CPUStats {
  time: string;
  /** Average use over the last sampling window, in billionths of a core. */
  usageNanoCores?: number;
  /** Cumulative CPU time since the container (or machine) started. */
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface RlimitStats {
  time: string;
  maxpid?: number;
  curproc?: number;
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  fs?: FsStats;
  rlimit?: RlimitStats;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  /** The container's log files. */
  logs?: FsStats;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime: string;
  containers: ContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
  'ephemeral-storage'?: FsStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** Anything that answers a Summary: the agent's stats provider, or a fixture in tests. */
export interface SummarySource {
  summary(): Promise<Summary>;
}
