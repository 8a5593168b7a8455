// Public surface of the scheduler: the Scheduler and its run helpers, configuration loading, the
// framework contract for plugins, and the in-tree plugin registry.

export { Scheduler, type SchedulerMetrics, type SchedulerOptions } from './scheduler.ts';
export { runLeaderElected, runSchedulerTerm, type SchedulerRunOptions } from './run.ts';
export { runInformers, schedulerHandlers, schedulerListers, type SchedulerHandlers } from './event-handlers.ts';
export { Algorithm, numFeasibleNodesToFind, type ScheduleResult } from './schedule-pod.ts';
export { ConfigError, defaultConfig, loadConfigFile, resolveConfig } from './profile/config.ts';
export type { KubeSchedulerConfiguration, ResolvedProfile, SchedulerConfig } from './profile/types.ts';
export { Framework, type FrameworkDeps, type Registry } from './framework/framework.ts';
export type * from './framework/interface.ts';
export { CycleState, type StateData } from './framework/cycle-state.ts';
export { Code, Status, SUCCESS } from './framework/status.ts';
export { PodInfo } from './framework/pod-info.ts';
export { fitErrorMessage, FitError } from './framework/fit-error.ts';
export { staticListers, informerListers, type ClusterListers } from './framework/listers.ts';
export { ActionType, QueueingHint, type ClusterEvent, type ClusterEventWithHint } from './framework/events.ts';
export { SchedulerCache } from './cache/cache.ts';
export { NodeInfo } from './cache/node-info.ts';
export { Snapshot } from './cache/snapshot.ts';
export { SchedulingQueue } from './queue/scheduling-queue.ts';
export { inTreeRegistry } from './plugins/registry.ts';
export { Names as PluginNames } from './plugins/names.ts';
export type { Node, Pod } from './api-types.ts';
