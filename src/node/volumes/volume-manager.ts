// The node's volume manager (upstream's volumemanager + the pod directories of kubelet_pods):
// sets up every volume of a pod under <podsDir>/<uid>/volumes/<plugin>/<name> before its
// containers start and on every later sync (API-data volumes pick up changes that way), reports
// failures per volume, tears everything down when the pod is removed, and watches disk-backed
// emptyDir sizeLimits for the eviction the worker carries out.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../client/clock.ts';
import type { PodRuntimeFacts } from '../agent/downward-values.ts';
import type { ObjectSource } from '../agent/object-source.ts';
import type { AgentPod } from '../agent/pod-types.ts';
import { configMapPlugin } from './config-map.ts';
import { downwardApiPlugin } from './downward-api.ts';
import { emptyDirPlugin, sizeLimitBytes } from './empty-dir.ts';
import { hostPathPlugin } from './host-path.ts';
import { diskUsage } from './mount-utils.ts';
import { persistentVolumeClaimPlugin } from './persistent-volume-claim.ts';
import { projectedPlugin } from './projected.ts';
import { secretPlugin } from './secret.ts';
import type { TokenSource } from './service-account-token.ts';
import type { MountedVolume, Volume, VolumeContext, VolumePlugin } from './types.ts';

export const DEFAULT_PLUGINS: readonly VolumePlugin[] = [
  emptyDirPlugin, hostPathPlugin, configMapPlugin, secretPlugin, downwardApiPlugin, projectedPlugin, persistentVolumeClaimPlugin,
];

/** Plugins whose volume, once set up, needs no refresh. */
const SET_UP_ONCE = new Set([emptyDirPlugin.name, hostPathPlugin.name, persistentVolumeClaimPlugin.name]);

export interface VolumeManagerOptions {
  /** Where pod directories live (<agent data dir>/pods). */
  podsDir: string;
  objects: ObjectSource;
  tokens?: TokenSource;
  clock: Clock;
  /** The node's allocatable, for resourceFieldRef items. */
  allocatable?: () => Readonly<Record<string, unknown>>;
  /** Whether the agent may mount (default: running as root). */
  root?: boolean;
  plugins?: readonly VolumePlugin[];
  /** How often disk-backed emptyDirs with a sizeLimit are measured (10 s). */
  usageCheckMs?: number;
}

export interface VolumeFailure {
  volume: string;
  message: string;
}

export interface VolumeSetUp {
  /** Every volume that is set up, by name. */
  volumes: ReadonlyMap<string, MountedVolume>;
  /** Volumes that could not be set up (the pod must not start containers that mount them). */
  failures: VolumeFailure[];
}

export class VolumeManager {
  readonly #opts: VolumeManagerOptions;
  readonly #plugins: readonly VolumePlugin[];
  readonly #mounted = new Map<string, Map<string, MountedVolume>>();
  readonly #lastUsageCheck = new Map<string, number>();

  constructor(opts: VolumeManagerOptions) {
    this.#opts = opts;
    this.#plugins = opts.plugins ?? DEFAULT_PLUGINS;
  }

  podDir(uid: string): string {
    return join(this.#opts.podsDir, uid);
  }

  /** Sets up (or refreshes) the pod's volumes. */
  async setUp(pod: AgentPod, facts: PodRuntimeFacts): Promise<VolumeSetUp> {
    const uid = pod.metadata.uid ?? '';
    const mounted = this.#mounted.get(uid) ?? new Map<string, MountedVolume>();
    this.#mounted.set(uid, mounted);
    const ctx: VolumeContext = {
      pod,
      podDir: this.podDir(uid),
      objects: this.#opts.objects,
      ...(this.#opts.tokens ? { tokens: this.#opts.tokens } : {}),
      facts,
      allocatable: this.#opts.allocatable?.() ?? {},
      clock: this.#opts.clock,
      root: this.#opts.root ?? process.getuid?.() === 0,
    };
    const failures: VolumeFailure[] = [];
    for (const volume of (pod.spec.volumes ?? []) as Volume[]) {
      const plugin = this.#plugins.find((p) => p.supports(volume));
      if (!plugin) {
        failures.push({ volume: volume.name, message: `the node agent has no plugin for volume "${volume.name}" (supported: emptyDir, hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim)` });
        continue;
      }
      if (mounted.has(volume.name) && SET_UP_ONCE.has(plugin.name)) continue;
      try {
        mounted.set(volume.name, await plugin.setUp(volume, ctx));
      } catch (err) {
        failures.push({ volume: volume.name, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return { volumes: mounted, failures };
  }

  /** The volumes of a pod set up so far. */
  mounted(uid: string): ReadonlyMap<string, MountedVolume> {
    return this.#mounted.get(uid) ?? new Map();
  }

  /**
   * The host file mounted at a container's terminationMessagePath: one per container start
   * (name and restart count), under the pod's directory, so the agent reads what it wrote.
   */
  terminationLogPath(uid: string, container: string, attempt: number, create = false): string {
    const path = join(this.podDir(uid), 'containers', container, String(attempt));
    if (create && !existsSync(path)) {
      mkdirSync(join(path, '..'), { recursive: true });
      closeSync(openSync(path, 'a', 0o666));
    }
    return path;
  }

  /**
   * upstream's emptyDir eviction check: the message to evict the pod with when a disk-backed
   * emptyDir uses more than its sizeLimit (measured at most every usageCheckMs).
   */
  emptyDirOverLimit(pod: AgentPod): string | undefined {
    const uid = pod.metadata.uid ?? '';
    const now = this.#opts.clock.now();
    const last = this.#lastUsageCheck.get(uid);
    if (last !== undefined && now - last < (this.#opts.usageCheckMs ?? 10_000)) return undefined;
    this.#lastUsageCheck.set(uid, now);
    for (const volume of (pod.spec.volumes ?? []) as Volume[]) {
      if (!volume.emptyDir || volume.emptyDir.medium === 'Memory') continue;
      const limit = sizeLimitBytes(volume);
      const dir = this.#mounted.get(uid)?.get(volume.name)?.hostPath;
      if (limit === undefined || !dir) continue;
      if (diskUsage(dir) > limit) return `Usage of EmptyDir volume "${volume.name}" exceeds the limit "${String(volume.emptyDir.sizeLimit)}". `;
    }
    return undefined;
  }

  /** Unmounts and removes everything of the pod (after its containers are gone). */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    this.#mounted.delete(uid);
    this.#lastUsageCheck.delete(uid);
    this.#opts.tokens?.forgetPod?.(uid);
    const volumesDir = join(dir, 'volumes');
    if (existsSync(volumesDir)) {
      for (const plugin of this.#plugins) {
        if (!plugin.tearDown) continue;
        const pluginDir = join(volumesDir, plugin.name);
        if (!existsSync(pluginDir)) continue;
        // An unmount that fails leaves the pod directory in place: removing it would delete the mount's content.
        for (const name of readdirSync(pluginDir)) await plugin.tearDown(join(pluginDir, name));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }

  /** Removes the directories of pods not in `live` (after the agent's first list of its pods). */
  async cleanupOrphans(live: Iterable<string>): Promise<string[]> {
    const keep = new Set([...live, ...this.#mounted.keys()]);
    if (!existsSync(this.#opts.podsDir)) return [];
    const removed: string[] = [];
    for (const uid of readdirSync(this.#opts.podsDir)) {
      if (keep.has(uid)) continue;
      await this.tearDown(uid);
      removed.push(uid);
    }
    return removed;
  }
}
