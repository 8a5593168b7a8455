// Thresholds from --eviction-hard, the ranking under memory pressure and the kubelet's message.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PodStats } from '../stats/index.ts';
import { evictionMessage } from './message.ts';
import { observedMachine } from './observed-machine.ts';
import { rankForEviction, type EvictablePod } from './ranking.ts';
import { parseEvictionHard, thresholdBytes } from './thresholds.ts';

const MI = 1024 * 1024;

function pod(name: string, memoryRequest: string | undefined, priority = 0): EvictablePod {
  return {
    metadata: { name, namespace: 'default', uid: name },
    spec: { priority, containers: [{ name: 'c', resources: memoryRequest ? { requests: { memory: memoryRequest } } : {} }] },
    status: { phase: 'Running' },
  };
}

function stats(name: string, workingSet: number): PodStats {
  return {
    podRef: { name, namespace: 'default', uid: name },
    startTime: '2026-01-01T00:00:00Z',
    containers: [{ name: 'c', startTime: '2026-01-01T00:00:00Z', memory: { time: '2026-01-01T00:00:00Z', workingSetBytes: workingSet } }],
    memory: { time: '2026-01-01T00:00:00Z', workingSetBytes: workingSet },
  };
}

describe('eviction thresholds', () => {
  it('parses quantities and percentages, refuses unknown signals and bad values', () => {
    const t = parseEvictionHard('memory.available<100Mi, nodefs.available<10%');
    assert.deepEqual(t, [{ signal: 'memory.available', bytes: 100 * MI }, { signal: 'nodefs.available', fraction: 0.1 }]);
    assert.equal(thresholdBytes(t[1]!, 1000), 100);
    assert.throws(() => parseEvictionHard('imagefs.available<15%'), /unsupported eviction signal "imagefs.available"/);
    assert.throws(() => parseEvictionHard('memory.available<lots'), /is not a quantity/);
    assert.throws(() => parseEvictionHard('memory.available=1Gi'), /want signal<quantity/);
    assert.throws(() => parseEvictionHard('nodefs.available<150%'), /between 0% and 100%/);
  });
});

describe('rankForEviction (memory)', () => {
  it('puts pods without stats first, then those over their requests, then lower priority, then the larger excess; skips critical pods', () => {
    const pods = [pod('within', '500Mi'), pod('over-high-prio', '10Mi', 1000), pod('over-small', '90Mi'), pod('over-big', '10Mi'), pod('besteffort-idle', undefined), pod('critical', undefined, 2_000_000_000)];
    const s = new Map([
      ['within', stats('within', 100 * MI)],
      ['over-high-prio', stats('over-high-prio', 400 * MI)],
      ['over-small', stats('over-small', 100 * MI)],
      ['over-big', stats('over-big', 300 * MI)],
      ['critical', stats('critical', 900 * MI)],
    ]);
    // A pod without stats goes first, as upstream's comparators put it.
    assert.deepEqual(rankForEviction(pods, s, 'memory').map((p) => p.metadata.name), ['besteffort-idle', 'over-big', 'over-small', 'over-high-prio', 'within']);
  });
});

describe('evictionMessage', () => {
  it('names the threshold, what was available and each container over its request', () => {
    const { message, offending } = evictionMessage('memory', pod('p', '10Mi'), stats('p', 300 * MI), 100 * MI, 90 * MI);
    assert.equal(message, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi. Container c was using 300Mi, request is 10Mi, has larger consumption of memory. ');
    assert.deepEqual(offending, ['c']);
    assert.equal(evictionMessage('memory', pod('p', '1Gi'), stats('p', 300 * MI), 100 * MI, 90 * MI).message, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi. ');
    const disk = stats('p', 0);
    disk.containers[0]!.logs = { time: '2026-01-01T00:00:00Z', usedBytes: 2 * 1024 * MI };
    assert.equal(
      evictionMessage('ephemeral-storage', pod('p', undefined), disk, 10 * 1024 * MI, 5 * 1024 * MI).message,
      'The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 5Gi. Container c was using 2Gi, request is 0, has larger consumption of ephemeral-storage. ',
    );
  });
});

describe('observedMachine', () => {
  it('puts the eviction signals into the snapshot the Node conditions are computed from', () => {
    const snap = { cpus: 2, memory: { totalBytes: 1000, availableBytes: 900 }, disk: { totalBytes: 100, availableBytes: 50 }, pids: { max: 10, running: 1 } };
    assert.equal(observedMachine(snap, undefined), snap);
    const out = observedMachine(snap, [{ signal: 'memory.available', available: 80, threshold: 100, met: true }, { signal: 'nodefs.available', available: 5, threshold: 10, met: true }]);
    assert.deepEqual(out, { ...snap, memory: { totalBytes: 1000, availableBytes: 80 }, disk: { totalBytes: 100, availableBytes: 5 } });
  });
});
