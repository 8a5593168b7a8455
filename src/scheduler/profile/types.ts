// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) as read from a file, and the
// defaulted, validated form the scheduler runs with.

export const CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const CONFIG_KIND = 'KubeSchedulerConfiguration';

export const EXTENSION_POINTS = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;

export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

export type Plugins = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;

export interface PluginConfig {
  name: string;
  args?: Record<string, unknown>;
}

export interface KubeSchedulerProfile {
  schedulerName?: string;
  percentageOfNodesToScore?: number | null;
  plugins?: Plugins;
  pluginConfig?: PluginConfig[];
}

export interface LeaderElectionConfiguration {
  leaderElect?: boolean;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
  resourceNamespace?: string;
  resourceName?: string;
}

export interface KubeSchedulerConfiguration {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number | null;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  parallelism?: number;
  profiles?: KubeSchedulerProfile[];
  leaderElection?: LeaderElectionConfiguration;
  clientConnection?: { kubeconfig?: string; [k: string]: unknown };
  [field: string]: unknown;
}

/** A plugin set after merging with the defaults: order and weights are final. */
export interface ResolvedPluginSet {
  enabled: PluginRef[];
  disabled: PluginRef[];
}

export interface ResolvedProfile {
  schedulerName: string;
  /** Overrides the global value when set. */
  percentageOfNodesToScore: number | undefined;
  plugins: Record<ExtensionPoint | 'multiPoint', ResolvedPluginSet>;
  /** Defaulted and validated args by plugin name. */
  pluginArgs: ReadonlyMap<string, unknown>;
}

export interface SchedulerConfig {
  /** 0 means adaptive (50% - nodes/125, at least 5%). */
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  profiles: readonly ResolvedProfile[];
  leaderElection: Required<LeaderElectionConfiguration>;
}
