// The node's pod workers, one per pod uid, with what they share: one relist of the runtime and
// one crash-loop back-off table. The agent feeds it the pods bound to this node (update), says
// when a pod is gone from the API (remove: its containers and sandbox go), and after its first
// full list removes what belongs to no known pod (cleanupOrphans), as upstream's
// HandlePodCleanups does. Pods already running in the runtime are re-adopted by their workers.

import { ContainerBackoff } from './pod-backoff.ts';
import { RuntimeRelister } from './pod-observe.ts';
import { LABEL_POD_UID, podUid, type AgentPod } from './pod-types.ts';
import { PodWorker, type PodWorkerDeps } from './pod-worker.ts';

export type PodWorkersDeps = Omit<PodWorkerDeps, 'relister' | 'backoff'>;

export class PodWorkers {
  readonly #deps: PodWorkersDeps;
  readonly #workers = new Map<string, PodWorker>();
  readonly #relister: RuntimeRelister;
  readonly #backoff: ContainerBackoff;

  constructor(deps: PodWorkersDeps) {
    this.#deps = deps;
    this.#relister = new RuntimeRelister(deps.runtime, deps.clock, deps.resyncMs ?? 1000);
    this.#backoff = new ContainerBackoff(deps.clock);
  }

  /** A pod bound to this node was added or changed. */
  update(pod: AgentPod): PodWorker {
    const uid = podUid(pod);
    let w = this.#workers.get(uid);
    if (w) {
      w.update(pod);
      return w;
    }
    w = new PodWorker(pod, { ...this.#deps, relister: this.#relister, backoff: this.#backoff });
    this.#workers.set(uid, w);
    w.start();
    return w;
  }

  get(uid: string): PodWorker | undefined {
    return this.#workers.get(uid);
  }

  uids(): string[] {
    return [...this.#workers.keys()];
  }

  /** The pod is gone from the API: its worker stops and its containers and sandbox are removed. */
  async remove(uid: string): Promise<void> {
    const w = this.#workers.get(uid);
    if (!w) return;
    this.#workers.delete(uid);
    w.dispose();
    await w.idle();
    await w.cleanup();
    this.#backoff.forget(`${uid}/`);
    this.#relister.invalidate();
  }

  /** Removes sandboxes and containers of pods that are neither known nor in `liveUids`. */
  async cleanupOrphans(liveUids: Iterable<string>): Promise<string[]> {
    const live = new Set([...liveUids, ...this.#workers.keys()]);
    const { runtime } = this.#deps;
    const orphans = new Set<string>();
    const sandboxes = new Set<string>();
    for (const c of await runtime.listContainers()) {
      const uid = c.labels[LABEL_POD_UID];
      if (uid === undefined || live.has(uid)) continue;
      orphans.add(uid);
      sandboxes.add(c.podSandboxId);
    }
    for (const s of (await runtime.listPodSandbox?.()) ?? []) {
      if (live.has(s.metadata.uid)) continue;
      orphans.add(s.metadata.uid);
      sandboxes.add(s.id);
    }
    for (const id of sandboxes) {
      await runtime.stopPodSandbox(id).catch(() => undefined);
      await runtime.removePodSandbox(id).catch(() => undefined);
    }
    this.#relister.invalidate();
    this.#backoff.gc();
    return [...orphans];
  }

  /** Stops every worker; containers keep running for the next agent to re-adopt. */
  dispose(): void {
    for (const w of this.#workers.values()) w.dispose();
    this.#workers.clear();
  }
}
