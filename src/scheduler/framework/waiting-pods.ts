// Pods held at Permit (upstream waitingPodsMap): each Permit plugin that answered Wait must Allow
// before its timeout; any Reject, or a timeout, fails the binding cycle.

import type { Clock, TimerHandle } from '../../client/index.ts';
import type { PodInfo } from './pod-info.ts';
import { Code, Status, SUCCESS } from './status.ts';

export class WaitingPod {
  readonly pod: PodInfo;
  readonly #pending = new Map<string, TimerHandle>();
  readonly done: Promise<Status>;
  #resolve!: (s: Status) => void;
  #settled = false;

  constructor(pod: PodInfo, waits: Map<string, number>, clock: Clock) {
    this.pod = pod;
    this.done = new Promise((r) => (this.#resolve = r));
    for (const [plugin, ms] of waits) {
      this.#pending.set(plugin, clock.setTimeout(() => this.reject(plugin, `rejected due to timeout after waiting ${ms / 1000}s at plugin ${plugin}`), ms));
    }
  }

  get pendingPlugins(): string[] {
    return [...this.#pending.keys()];
  }

  allow(plugin: string): void {
    this.#pending.get(plugin)?.cancel();
    this.#pending.delete(plugin);
    if (this.#pending.size === 0) this.#settle(SUCCESS);
  }

  reject(plugin: string, message: string): void {
    for (const t of this.#pending.values()) t.cancel();
    this.#pending.clear();
    this.#settle(new Status(Code.Unschedulable, [message], plugin));
  }

  #settle(s: Status): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(s);
  }
}

export class WaitingPods {
  readonly #pods = new Map<string, WaitingPod>();

  add(wp: WaitingPod): void {
    this.#pods.set(wp.pod.uid, wp);
    void wp.done.then(() => {
      if (this.#pods.get(wp.pod.uid) === wp) this.#pods.delete(wp.pod.uid);
    });
  }

  get(uid: string): WaitingPod | undefined {
    return this.#pods.get(uid);
  }

  get size(): number {
    return this.#pods.size;
  }

  rejectAll(message: string): void {
    for (const wp of [...this.#pods.values()]) for (const p of wp.pendingPlugins) wp.reject(p, message);
  }
}
