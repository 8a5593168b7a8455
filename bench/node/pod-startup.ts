// Pod startup latency as upstream's SLI counts it (no image pulls here): from the create request
// to the first watch event that shows the pod Running with its container running. Pods are
// created at a steady rate (not all at once) so the figure is a pod's start, not queueing.

import type { KubeObject } from '../../src/api/types.ts';
import type { RestClient } from '../../src/client/index.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

export interface StartupOptions {
  namespace: string;
  count: number;
  /** Creates per second. */
  qps: number;
  /** Bind each pod to this node directly (skips the scheduler). */
  nodeName?: string;
  /** Label selecting the pods of this run. */
  label: string;
  timeoutMs: number;
}

export interface StartupResult {
  /** Per pod, ms from create sent to Running observed, in creation order. */
  latenciesMs: number[];
  /** ms from the first create to the last pod Running. */
  totalMs: number;
}

type PodObject = KubeObject & { status?: { phase?: string; containerStatuses?: { state?: { running?: unknown } }[] } };

const running = (pod: PodObject): boolean => pod.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).every((c) => c.state?.running !== undefined);

export function podManifest(name: string, label: string, nodeName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: label } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }],
    },
  };
}

/** Creates `count` pods at `qps` and times each one to Running through a watch. */
export async function measurePodStartup(client: RestClient, o: StartupOptions): Promise<StartupResult> {
  const ref = { ...PODS, namespace: o.namespace };
  const list = await client.list(ref, { labelSelector: `bench=${o.label}` });
  const sentAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const ac = new AbortController();
  let wake: () => void = () => {};
  const watching = (async () => {
    for await (const e of client.watch<PodObject>(ref, { labelSelector: `bench=${o.label}`, resourceVersion: list.metadata.resourceVersion ?? '', signal: ac.signal })) {
      const name = String(e.object.metadata.name ?? '');
      if ((e.type === 'ADDED' || e.type === 'MODIFIED') && !runningAt.has(name) && running(e.object)) {
        runningAt.set(name, performance.now());
        wake();
      }
    }
  })().catch((err: unknown) => {
    if (!ac.signal.aborted) throw err;
  });
  const first = performance.now();
  const creates: Promise<unknown>[] = [];
  for (let i = 0; i < o.count; i++) {
    const due = first + (i * 1000) / o.qps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const name = `${o.label}-${i}`;
    sentAt.set(name, performance.now());
    creates.push(client.create(ref, podManifest(name, o.label, o.nodeName)));
  }
  await Promise.all(creates);
  const deadline = performance.now() + o.timeoutMs;
  while (runningAt.size < o.count) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`only ${runningAt.size} of ${o.count} pods Running after ${o.timeoutMs} ms`);
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, Math.min(left, 1000));
    });
  }
  ac.abort();
  await watching;
  const names = [...sentAt.keys()];
  return {
    latenciesMs: names.map((n) => runningAt.get(n)! - sentAt.get(n)!),
    totalMs: Math.max(...runningAt.values()) - first,
  };
}

/** The q-quantile (0..1) of `xs` by nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}
