// The TTL-after-finished controller (upstream's ttl-after-finished-controller): a finished Job
// with spec.ttlSecondsAfterFinished is deleted that many seconds after it finished. The cached
// Job is only a hint: before deleting, a fresh read confirms the TTL (which may have changed)
// really ran out, and the delete is conditioned on that Job's uid. Deletion propagates in the
// background (the garbage collector removes the pods), as this project's lead asked; upstream
// uses foreground propagation.

import { realClock, splitKey, type Clock, type Informer, type RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import type { Job } from '../job/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { JOBS } from '../util/refs.ts';
import { needsCleanup, ttlTimeLeft } from './ttl.ts';

export class TtlAfterFinishedReconciler implements Reconciler {
  readonly #client: RestClient;
  readonly #jobs: Informer<Job>;
  readonly #clock: Clock;

  constructor(client: RestClient, jobs: Informer<Job>, clock: Clock) {
    this.#client = client;
    this.#jobs = jobs;
    this.#clock = clock;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#jobs.lister.get(namespace, name);
    if (!cached) return;
    const hint = ttlTimeLeft(cached, this.#clock.now());
    if (!hint) return;
    if (hint.leftMs > 0) return { requeueAfter: hint.leftMs };
    let fresh: Job;
    try {
      fresh = await this.#client.get<Job>({ ...JOBS, namespace, name }, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const left = ttlTimeLeft(fresh, this.#clock.now());
    if (!left) return;
    if (left.leftMs > 0) return { requeueAfter: left.leftMs };
    try {
      await this.#client.delete({ ...JOBS, namespace, name }, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata.uid ?? '' }, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function ttlAfterFinishedController(ctx: ControllerContext): Controller {
  const jobs = ctx.informers.informerFor<Job>(JOBS);
  const reconciler = new TtlAfterFinishedReconciler(ctx.client, jobs, ctx.clock ?? realClock);
  return new Controller({ name: 'ttl-after-finished', reconciler, workers: 5, ...common(ctx) }).watch(jobs, (job) =>
    needsCleanup(job) ? `${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}` : undefined,
  );
}
