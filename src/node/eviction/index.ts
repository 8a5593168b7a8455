// Eviction under pressure: hard thresholds, ranking, the kubelet's eviction message and the
// manager that fails one pod per cycle while a threshold is crossed.

export { DEFAULT_MONITORING_INTERVAL_MS, DEFAULT_PRESSURE_TRANSITION_PERIOD_MS, EvictionManager, type EvictionCondition, type EvictionManagerOptions, type EvictionOutcome, type Observation } from './eviction-manager.ts';
export { evictionMessage } from './message.ts';
export { observedMachine } from './observed-machine.ts';
export { podRequest, podUsage, rankForEviction, SYSTEM_CRITICAL_PRIORITY, type EvictablePod, type Resource } from './ranking.ts';
export { DEFAULT_EVICTION_HARD, parseEvictionHard, pressureConfig, thresholdBytes, type Signal, type Threshold } from './thresholds.ts';
