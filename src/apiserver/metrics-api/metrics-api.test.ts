// Points from kubelet summaries as metrics-server makes them, and the scraper's resolution cache.

import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { KubeletClient } from '../kubelet/kubelet-client.ts';
import { KubeletScraper } from './kubelet-scraper.ts';
import { cpuQuantity, memoryQuantity, nodePoint, podPoints } from './metrics-points.ts';
import type { SummaryWire } from './summary-wire.ts';

const T = '2026-01-01T00:00:10Z';
const summary = (nodeCores: number): SummaryWire => ({
  node: { nodeName: 'n1', cpu: { time: T, usageNanoCores: nodeCores }, memory: { time: T, workingSetBytes: 2048 * 1024 } },
  pods: [
    { podRef: { name: 'full', namespace: 'a', uid: '1' }, containers: [{ name: 'c', cpu: { time: T, usageNanoCores: 5e6 }, memory: { time: T, workingSetBytes: 1024 } }] },
    // One container without a CPU rate yet: the whole pod is left out, as metrics-server does.
    { podRef: { name: 'partial', namespace: 'a', uid: '2' }, containers: [{ name: 'c', cpu: { time: T, usageNanoCores: 5e6 }, memory: { time: T, workingSetBytes: 1 } }, { name: 'd', memory: { time: T, workingSetBytes: 1 } }] },
  ],
});

describe('metrics points', () => {
  it('formats CPU in nanocores and memory in binary units when whole', () => {
    assert.equal(cpuQuantity(123456789.4), '123456789n');
    assert.equal(memoryQuantity(3 * 1024 * 1024), '3Mi');
    assert.equal(memoryQuantity(1536), '1536');
    assert.equal(memoryQuantity(4096), '4Ki');
    assert.equal(memoryQuantity(0), '0');
  });

  it('takes the node rate and working set, and only pods whose every container has both', () => {
    assert.deepEqual(nodePoint(summary(7e8)), { timestamp: T, window: '10s', usage: { cpu: 7e8, memory: 2048 * 1024 } });
    assert.deepEqual([...podPoints(summary(0)).keys()], ['a/full']);
  });
});

describe('KubeletScraper', () => {
  it('scrapes each node once per resolution and drops a node that fails', async () => {
    let calls = 0;
    let fail = false;
    const kubelet: KubeletClient = {
      async request(_node, req) {
        calls++;
        assert.equal(req.path, '/stats/summary?only_cpu_and_memory=true');
        const res = Readable.from([Buffer.from(JSON.stringify(summary(calls * 1e8)))]) as unknown as IncomingMessage;
        (res as { statusCode?: number }).statusCode = fail ? 500 : 200;
        return res;
      },
    } as KubeletClient;
    let now = 0;
    const scraper = new KubeletScraper(kubelet, { resolutionMs: 15_000, now: () => now });
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    assert.equal((await scraper.collect([node])).nodes.get('n1')?.usage.cpu, 1e8);
    now = 10_000;
    assert.equal((await scraper.collect([node])).nodes.get('n1')?.usage.cpu, 1e8, 'cached');
    assert.equal(calls, 1);
    now = 16_000;
    fail = true;
    // While the new scrape runs, the previous summary answers; once it failed, nothing does.
    assert.equal((await scraper.collect([node])).nodes.get('n1')?.usage.cpu, 1e8);
    await new Promise((r) => setImmediate(r));
    assert.equal((await scraper.collect([node])).nodes.size, 0);
    assert.equal(calls, 2);
  });

  it('answers without a node whose first scrape does not come back in time', async () => {
    const kubelet = { request: () => new Promise<IncomingMessage>(() => {}) } as unknown as KubeletClient;
    const scraper = new KubeletScraper(kubelet, { firstWaitMs: 20 });
    const snapshot = await scraper.collect([{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'lost' } }]);
    assert.equal(snapshot.nodes.size, 0);
  });
});
