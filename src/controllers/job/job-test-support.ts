// Helpers the Job, CronJob and TTL integration tests share: Job manifests the test PodDriver
// runs to completion, a fast-configured controller spec, and readers for Job status and pods.

import type { RestClient } from '../../client/index.ts';
import type { ControllerSpec } from '../index.ts';
import type { Pod } from '../util/pods.ts';
import { JOBS, PODS } from '../util/refs.ts';
import { jobController } from './job-controller.ts';
import type { JobControllerOptions } from './job-sync.ts';
import type { Job, JobSpec } from './types.ts';

/** The Job controller with short batching and backoff, under a name of its own so the test cluster runs it instead of the default. */
export function fastJobController(options: JobControllerOptions = {}): ControllerSpec {
  return { name: 'job-fast', component: 'job-controller', make: (ctx) => jobController(ctx, { batchPeriodMs: 20, backoffBaseMs: 100, backoffMaxMs: 400, ...options }) };
}

/** A Job whose pods the PodDriver finishes with `exitCode` after `runMs`. */
export function simJob(name: string, spec: Partial<JobSpec>, sim: { exitCode?: number; runMs?: number; annotations?: Record<string, string> } = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      ...spec,
      template: {
        metadata: {
          annotations: { 'sim.strata.dev/exit-code': String(sim.exitCode ?? 0), 'sim.strata.dev/run-ms': String(sim.runMs ?? 150), ...(sim.annotations ?? {}) },
        },
        spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
      },
    },
  };
}

export const getJob = (client: RestClient, name: string): Promise<Job> => client.get<Job>({ ...JOBS, namespace: 'default', name });

export async function jobPods(client: RestClient, name: string): Promise<Pod[]> {
  return (await client.list<Pod>({ ...PODS, namespace: 'default' }, { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { name?: string; kind?: string };
}

/** Events in `default` about the object of that kind and name. */
export async function eventsFor(client: RestClient, kind: string, name: string): Promise<EventLike[]> {
  const list = await client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
  return (list.items as unknown as EventLike[]).filter((e) => e.involvedObject?.kind === kind && e.involvedObject.name === name);
}

export const conditionOf = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/**
 * Follows the Job's pods through a watch and records the most that were active (not finished,
 * not deleted) at any one time. Call stop() to end it.
 */
export function trackMaxActive(client: RestClient, jobName: string): { max: () => number; stop: () => void } {
  const ac = new AbortController();
  const active = new Set<string>();
  let max = 0;
  void (async () => {
    try {
      for await (const ev of client.watch<Pod>({ ...PODS, namespace: 'default' }, { labelSelector: `batch.kubernetes.io/job-name=${jobName}`, signal: ac.signal })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') continue;
        const pod = ev.object;
        const phase = pod.status?.phase;
        const running = ev.type !== 'DELETED' && !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
        if (running) active.add(pod.metadata.uid ?? '');
        else active.delete(pod.metadata.uid ?? '');
        max = Math.max(max, active.size);
      }
    } catch {
      // Aborted.
    }
  })();
  return { max: () => max, stop: () => ac.abort() };
}
