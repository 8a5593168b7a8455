// Node stats: the machine's and containers' CPU, memory and filesystem use as a kubelet Summary,
// served on the agent endpoint at /stats/summary and read by the eviction manager.

export { CpuRates, type CpuReading } from './cpu-rate.ts';
export { hostReader, parseHostMemory, parseProcStat, type HostCpu, type HostFs, type HostMemory, type HostReader } from './host-stats.ts';
export { DEFAULT_HOUSEKEEPING_MS, StatsProvider, type StatsProviderOptions } from './stats-provider.ts';
export { statsRoute } from './summary-route.ts';
export type * from './summary-types.ts';
