// Reads what the runtime holds for one pod — its sandboxes and containers, found by the
// io.kubernetes.pod.uid label — which is also how a restarted agent re-adopts running pods
// instead of starting them again. Runtimes with CRI's ListPodSandbox let it find sandboxes that
// have no container yet; otherwise sandboxes are found through their containers and the ids the
// worker remembers.

import type { Clock } from '../../client/clock.ts';
import { RuntimeNotFoundError, type ContainerStatus, type PodSandboxStatus, type RuntimeService } from '../runtime/cri.ts';
import type { PodRuntimeState } from './pod-sync.ts';
import { LABEL_POD_UID } from './pod-types.ts';

export async function observePod(runtime: RuntimeService, uid: string, knownSandboxes: Iterable<string> = []): Promise<PodRuntimeState> {
  const containers = (await runtime.listContainers()).filter((c) => c.labels[LABEL_POD_UID] === uid);
  let sandboxes: PodSandboxStatus[];
  if (runtime.listPodSandbox) {
    sandboxes = (await runtime.listPodSandbox()).filter((s) => s.metadata.uid === uid);
  } else {
    sandboxes = await sandboxesOf(runtime, [...knownSandboxes, ...containers.map((c) => c.podSandboxId)]);
  }
  sandboxes.sort((a, b) => b.createdAt - a.createdAt);
  return { sandboxes, containers };
}

async function sandboxesOf(runtime: RuntimeService, ids: Iterable<string>): Promise<PodSandboxStatus[]> {
  const out: PodSandboxStatus[] = [];
  for (const id of new Set(ids)) {
    try {
      out.push(await runtime.podSandboxStatus(id));
    } catch (err) {
      if (!(err instanceof RuntimeNotFoundError)) throw err;
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt);
}

interface Snapshot {
  at: number;
  containers: ContainerStatus[];
  sandboxes: PodSandboxStatus[] | undefined;
}

/**
 * One relist of the runtime shared by the node's pod workers (upstream's PLEG relists once for
 * all pods): without it every worker would list every container each second. A snapshot serves
 * for maxAgeMs; a worker that changed something invalidates it, and a list that was under way
 * while it did is not kept.
 */
export class RuntimeRelister {
  readonly #runtime: RuntimeService;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  #gen = 0;
  #snapshot: Snapshot | undefined;
  #pending: { gen: number; promise: Promise<Snapshot> } | undefined;

  constructor(runtime: RuntimeService, clock: Clock, maxAgeMs = 1000) {
    this.#runtime = runtime;
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
  }

  invalidate(): void {
    this.#gen++;
    this.#snapshot = undefined;
  }

  async #list(): Promise<Snapshot> {
    if (this.#snapshot && this.#clock.now() - this.#snapshot.at < this.#maxAgeMs) return this.#snapshot;
    if (this.#pending?.gen === this.#gen) return this.#pending.promise;
    const gen = this.#gen;
    const promise = (async (): Promise<Snapshot> => {
      const at = this.#clock.now();
      const [containers, sandboxes] = await Promise.all([this.#runtime.listContainers(), this.#runtime.listPodSandbox?.()]);
      const snap = { at, containers, sandboxes };
      if (gen === this.#gen) this.#snapshot = snap;
      return snap;
    })().finally(() => {
      if (this.#pending?.promise === promise) this.#pending = undefined;
    });
    this.#pending = { gen, promise };
    return promise;
  }

  async observe(uid: string, knownSandboxes: Iterable<string> = []): Promise<PodRuntimeState> {
    const snap = await this.#list();
    const containers = snap.containers.filter((c) => c.labels[LABEL_POD_UID] === uid);
    if (snap.sandboxes) {
      return { containers, sandboxes: snap.sandboxes.filter((s) => s.metadata.uid === uid).sort((a, b) => b.createdAt - a.createdAt) };
    }
    return { containers, sandboxes: await sandboxesOf(this.#runtime, [...knownSandboxes, ...containers.map((c) => c.podSandboxId)]) };
  }
}
