// Carrying out a preemption in the background (upstream async preemption): each victim gets the
// DisruptionTarget=True condition (reason PreemptionByScheduler) and is deleted, or is rejected if
// it is waiting at Permit; lower-priority pods nominated to the same node lose their nomination.
// While this runs the preemptor is held back by PreEnqueue; if it was turned away meanwhile it is
// let in again at the end (normally the victims' deletions requeue it).

import type { Handle } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { isNotFound } from '../../../machinery/status-error.ts';
import { metaTime } from '../../../controllers/util/conditions.ts';
import type { Candidate } from './victims.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

export class PreemptionExecutor {
  readonly #handle: Handle;
  readonly #pluginName: string;
  readonly #running = new Map<string, Promise<void>>();

  constructor(handle: Handle, pluginName: string) {
    this.#handle = handle;
    this.#pluginName = pluginName;
  }

  isPreempting(uid: string): boolean {
    return this.#running.has(uid);
  }

  /** Settles when every preemption started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  start(preemptor: PodInfo, c: Candidate): void {
    const run = this.#run(preemptor, c).finally(() => {
      this.#running.delete(preemptor.uid);
      this.#handle.ungate([preemptor]);
    });
    this.#running.set(preemptor.uid, run);
  }

  async #run(preemptor: PodInfo, c: Candidate): Promise<void> {
    const log = this.#handle.logger;
    const lower = this.#handle.nominator.nominatedPodsForNode(c.name).filter((p) => p.priority < preemptor.priority);
    await Promise.all([
      ...c.victims.pods.filter((v) => !v.terminating).map((v) => this.#preemptOne(preemptor, v, c.name)),
      ...lower.map((p) => this.#clearNomination(p)),
    ]).catch((err: unknown) => log?.warn({ err, pod: preemptor.key }, 'preemption: an API call failed'));
  }

  async #preemptOne(preemptor: PodInfo, victim: PodInfo, node: string): Promise<void> {
    const h = this.#handle;
    if (h.rejectWaitingPod(victim.uid, this.#pluginName, 'preempted')) return;
    const client = h.client;
    if (!client) return;
    const ref = { ...PODS, namespace: victim.namespace, name: victim.pod.metadata.name ?? '' };
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: `${preemptor.pod.spec?.schedulerName ?? h.schedulerName}: preempting to accommodate a higher priority pod`,
      lastTransitionTime: metaTime(h.clock.now()),
    };
    try {
      await client.patch(ref, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
      await client.delete({ ...ref }, { preconditions: { uid: victim.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    h.logger?.info({ preemptor: preemptor.key, victim: victim.key, node }, 'preempted victim pod');
    void h.recorder?.event(victim.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${node}`);
  }

  async #clearNomination(p: PodInfo): Promise<void> {
    const client = this.#handle.client;
    if (!client || !p.pod.status?.nominatedNodeName) return;
    const ref = { ...PODS, namespace: p.namespace, name: p.pod.metadata.name ?? '' };
    await client.patch(ref, 'merge', { status: { nominatedNodeName: null } }, { subresource: 'status' }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
