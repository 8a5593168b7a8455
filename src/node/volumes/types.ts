// The core/v1 volume sources the agent sets up (typed here: the API layer types pods loosely),
// and what every volume plugin gets and gives: the pod, where its directories live, how to read
// the objects it refers to and to request tokens; back the host path the volume lives at.

import type { Clock } from '../../client/clock.ts';
import type { PodRuntimeFacts } from '../agent/downward-values.ts';
import type { ObjectSource } from '../agent/object-source.ts';
import type { AgentPod, ResourceFieldSelector } from '../agent/pod-types.ts';
import type { TokenSource } from './service-account-token.ts';

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: { fieldPath: string; apiVersion?: string };
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface VolumeProjection {
  configMap?: Omit<ConfigMapVolumeSource, 'defaultMode'>;
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: ServiceAccountTokenProjection;
}

export interface ProjectedVolumeSource {
  sources?: VolumeProjection[];
  defaultMode?: number;
}

export interface EmptyDirVolumeSource {
  medium?: '' | 'Memory';
  sizeLimit?: string | number;
}

export interface HostPathVolumeSource {
  path: string;
  type?: string;
}

export interface PersistentVolumeClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

export interface Volume {
  name: string;
  emptyDir?: EmptyDirVolumeSource;
  hostPath?: HostPathVolumeSource;
  configMap?: ConfigMapVolumeSource;
  secret?: SecretVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  projected?: ProjectedVolumeSource;
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
}

export interface VolumeContext {
  pod: AgentPod;
  /** The pod's own directory: <pods dir>/<uid>. */
  podDir: string;
  objects: ObjectSource;
  tokens?: TokenSource;
  facts: PodRuntimeFacts;
  /** The node's allocatable (resource limits a container leaves unset). */
  allocatable: Readonly<Record<string, unknown>>;
  clock: Clock;
  /** The agent may mount (tmpfs for emptyDir medium Memory). */
  root: boolean;
}

/** A set-up volume: where it lives on the host, and whether containers must see it read-only. */
export interface MountedVolume {
  hostPath: string;
  readOnly: boolean;
}

export interface VolumePlugin {
  /** Upstream's plugin name with '/' as '~', the folder under <pod>/volumes/. */
  readonly name: string;
  supports(volume: Volume): boolean;
  /** Sets the volume up (idempotent; refreshes content for API-data volumes). */
  setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume>;
  /** Undoes what setUp did beyond creating files under the pod's directory (unmounts). */
  tearDown?(dir: string): Promise<void>;
}

/** The directory a plugin keeps a volume in. */
export const volumeDir = (podDir: string, plugin: string, name: string): string => `${podDir}/volumes/${plugin}/${name}`;
