// Where the HPA gets pod usage: the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics) through
// the controller's client, as upstream's resource metrics client. A pod's value sums its
// containers (or the one container a ContainerResource metric names); a pod lacking the resource
// for any container it should count is left out, so the calculator treats it as missing.

import type { RestClient } from '../../client/index.ts';
import { quantityToMilli } from '../../machinery/quantity.ts';
import type { PodMetrics } from './replica-calculator.ts';

export interface ResourceMetricsClient {
  /** Usage of `resource` (milli) per pod name among the pods `selector` (a label selector string) picks. */
  podResourceMetrics(resource: string, namespace: string, selector: string, container?: string, signal?: AbortSignal): Promise<{ metrics: PodMetrics; timestamp: number }>;
}

interface PodMetricsWire {
  metadata: { name: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}

/** "10s", "1m30s", "1.5s" (metav1.Duration) in ms. */
export function parseGoDuration(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
  return ms;
}

export function apiMetricsClient(client: RestClient): ResourceMetricsClient {
  return {
    async podResourceMetrics(resource, namespace, selector, container, signal) {
      const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
      const list = await client.request<{ items?: PodMetricsWire[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${q}`, undefined, signal ? { signal } : {});
      const items = list.items ?? [];
      if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
      const metrics: PodMetrics = new Map();
      let timestamp = 0;
      for (const item of items) {
        const containers = item.containers.filter((c) => !container || c.name === container);
        if (containers.length === 0 || containers.some((c) => c.usage[resource] === undefined)) continue;
        const value = containers.reduce((sum, c) => sum + Number(quantityToMilli(c.usage[resource] ?? '0')), 0);
        const at = Date.parse(item.timestamp) || 0;
        metrics.set(item.metadata.name, { timestamp: at, windowMs: parseGoDuration(item.window ?? ''), value });
        timestamp = Math.max(timestamp, at);
      }
      return { metrics, timestamp };
    },
  };
}
