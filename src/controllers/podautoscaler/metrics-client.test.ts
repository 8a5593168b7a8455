// The HPA's resource metrics client over a PodMetricsList: per-pod sums, one named container, pods
// lacking the resource left out, no items an error; metav1.Duration windows.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RestClient } from '../../client/index.ts';
import { apiMetricsClient, parseGoDuration } from './metrics-client.ts';

const list = {
  kind: 'PodMetricsList',
  items: [
    { metadata: { name: 'a' }, timestamp: '2026-01-01T00:00:10Z', window: '10s', containers: [{ name: 'app', usage: { cpu: '150m', memory: '10Mi' } }, { name: 'side', usage: { cpu: '50000000n', memory: '1Mi' } }] },
    { metadata: { name: 'b' }, timestamp: '2026-01-01T00:00:12Z', window: '1m0.5s', containers: [{ name: 'app', usage: { memory: '5Mi' } }] },
  ],
};

function fakeClient(body: unknown, seen: string[]): RestClient {
  return { request: async (_method: string, path: string) => (seen.push(path), body) } as unknown as RestClient;
}

describe('apiMetricsClient', () => {
  it('sums containers per pod in milli-units and asks with the selector', async () => {
    const seen: string[] = [];
    const { metrics, timestamp } = await apiMetricsClient(fakeClient(list, seen)).podResourceMetrics('cpu', 'ns', 'app=web,tier in (a)');
    assert.deepEqual(seen, ['/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods?labelSelector=app%3Dweb%2Ctier%20in%20(a)']);
    assert.deepEqual([...metrics.entries()], [['a', { timestamp: Date.parse('2026-01-01T00:00:10Z'), windowMs: 10_000, value: 200 }]], 'b has no cpu: left out');
    assert.equal(timestamp, Date.parse('2026-01-01T00:00:10Z'));
  });

  it('reads one container for ContainerResource metrics', async () => {
    const { metrics } = await apiMetricsClient(fakeClient(list, [])).podResourceMetrics('memory', 'ns', '', 'app');
    assert.equal(metrics.get('a')?.value, 10 * 1024 * 1024 * 1000);
    assert.equal(metrics.get('b')?.value, 5 * 1024 * 1024 * 1000);
  });

  it('fails without items', async () => {
    await assert.rejects(apiMetricsClient(fakeClient({ items: [] }, [])).podResourceMetrics('cpu', 'ns', ''), /no metrics returned from resource metrics API/);
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1m0.5s'), 60_500);
    assert.equal(parseGoDuration('250ms'), 250);
  });
});
