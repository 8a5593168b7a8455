import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaTime } from '../util/conditions.ts';
import { FakeNodeCluster, T0 } from './testing.ts';
import type { Toleration } from './taints.ts';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const defaults: Toleration[] = [
  { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];
const has = (c: FakeNodeCluster, node: string, key: string, effect: string) => c.taints(node).some((t) => t.key === key && t.effect === effect);
const timeAdded = (c: FakeNodeCluster, node: string, key: string) => c.taints(node).find((t) => t.key === key && t.effect === 'NoExecute')?.timeAdded;

/** A cluster of `names` nodes whose kubelets renew their Leases every 10 s, except those in `silent`. */
function cluster(names: string[], labels: (name: string) => Record<string, string> = () => ({})) {
  const c = new FakeNodeCluster();
  const silent = new Set<string>();
  for (const n of names) {
    c.addNode(n, labels(n));
    c.renewLease(n);
  }
  let last = c.now;
  c.onStep = () => {
    if (c.now - last < 10_000) return;
    last = c.now;
    for (const n of names) if (!silent.has(n)) c.renewLease(n);
  };
  return { c, silent };
}

describe('node lifecycle: health and taints', () => {
  it('turns a silent node Unknown after the grace period, taints it, marks its pods not Ready, and undoes it all when the node is back', async () => {
    const { c, silent } = cluster(['n1', 'n2', 'n3']);
    c.addPod('p', 'n1', defaults);
    c.addPod('q', 'n2', defaults);
    await c.start();
    silent.add('n1');
    await c.advance(40_000);
    assert.equal(c.readyStatus('n1'), 'True', 'not yet: the grace period is 40 s from the last heartbeat seen');
    await c.advance(5_000);
    const ready = c.node('n1').status?.conditions?.find((x) => x.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(c.node('n1').status?.conditions?.find((x) => x.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
    assert.ok(has(c, 'n1', UNREACHABLE, 'NoExecute'), 'unreachable:NoExecute');
    assert.ok(has(c, 'n1', UNREACHABLE, 'NoSchedule'), 'unreachable:NoSchedule');
    assert.equal(timeAdded(c, 'n1', UNREACHABLE), metaTime(T0 + 45_000));
    assert.equal(c.pod('p')?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
    assert.equal(c.pod('q')?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True', 'pods of healthy nodes are left alone');
    assert.ok(c.events.some((e) => e.reason === 'NodeNotReady' && e.object === 'n1'));
    assert.deepEqual(['n2', 'n3'].map((n) => c.readyStatus(n)), ['True', 'True']);

    // The kubelet is back: it renews its Lease and posts Ready.
    silent.delete('n1');
    c.renewLease('n1');
    c.postStatus('n1', 'True');
    await c.advance(5_000);
    assert.equal(c.readyStatus('n1'), 'True');
    assert.deepEqual(c.taints('n1'), [], 'both taints are gone');
    assert.ok(c.pod('p'), 'the pod outlived the outage (300 s toleration)');
  });

  it('swaps not-ready and unreachable NoExecute taints as the Ready condition moves between False and Unknown', async () => {
    const { c, silent } = cluster(['n1', 'n2', 'n3']);
    await c.start();
    c.postStatus('n1', 'False');
    await c.advance(5_000);
    assert.ok(has(c, 'n1', NOT_READY, 'NoExecute'));
    assert.ok(has(c, 'n1', NOT_READY, 'NoSchedule'));
    silent.add('n1');
    await c.advance(50_000);
    assert.equal(c.readyStatus('n1'), 'Unknown');
    assert.ok(has(c, 'n1', UNREACHABLE, 'NoExecute') && !has(c, 'n1', NOT_READY, 'NoExecute'), JSON.stringify(c.taints('n1')));
    assert.ok(has(c, 'n1', UNREACHABLE, 'NoSchedule') && !has(c, 'n1', NOT_READY, 'NoSchedule'));
  });

  it('counts a renewed Lease as a heartbeat even when the node status is old', async () => {
    const { c } = cluster(['n1']);
    await c.start();
    await c.advance(120_000);
    assert.equal(c.readyStatus('n1'), 'True');
    assert.deepEqual(c.taints('n1'), []);
  });

  it('gives a node that never posted status the startup grace period, then marks its conditions never updated', async () => {
    const { c } = cluster(['n1', 'n2', 'n3']);
    c.addNode('fresh', {}, null);
    await c.start();
    await c.advance(55_000);
    assert.equal(c.readyStatus('fresh'), undefined);
    await c.advance(10_000);
    const ready = c.node('fresh').status?.conditions?.find((x) => x.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['Unknown', 'NodeStatusNeverUpdated']);
    assert.ok(has(c, 'fresh', UNREACHABLE, 'NoExecute'));
  });

  it('keeps the unschedulable taint in line with spec.unschedulable (cordon, uncordon)', async () => {
    const { c } = cluster(['n1']);
    await c.start();
    c.setSpec('n1', { unschedulable: true });
    await c.run();
    assert.deepEqual(c.taints('n1').map((t) => [t.key, t.effect]), [['node.kubernetes.io/unschedulable', 'NoSchedule']]);
    c.setSpec('n1', { unschedulable: false });
    await c.run();
    assert.deepEqual(c.taints('n1'), []);
  });

  it('removes stale NoExecute taints from the nodes it meets, and leaves taints it does not own alone', async () => {
    const { c } = cluster(['n1']);
    c.setSpec('n1', { taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: metaTime(T0 - 1000) }, { key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    await c.start();
    assert.deepEqual(c.taints('n1').map((t) => t.key), ['dedicated']);
  });
});

describe('node lifecycle: taint eviction', () => {
  it('deletes a pod after its tolerationSeconds from the taint\'s timeAdded, keeps pods that tolerate longer or forever', async () => {
    const { c, silent } = cluster(['n1', 'n2', 'n3']);
    c.addPod('short', 'n1', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }, defaults[0]!]);
    c.addPod('default', 'n1', defaults);
    c.addPod('forever', 'n1', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }, defaults[0]!]);
    await c.start();
    silent.add('n1');
    await c.advance(45_000);
    assert.equal(timeAdded(c, 'n1', UNREACHABLE), metaTime(T0 + 45_000));
    await c.advance(59_000);
    assert.ok(c.pod('short'), 'still there 59 s after the taint');
    await c.advance(1_500);
    assert.equal(c.pod('short'), undefined, 'gone 60 s after the taint');
    const marked = c.podStatusWrites.find((p) => p.metadata.name === 'short' && p.status?.conditions?.some((x) => x.type === 'DisruptionTarget'));
    assert.equal(marked?.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.ok(c.events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod ns/short'));
    assert.ok(c.pod('default') && c.pod('forever'));
    // Back before 300 s: the pending eviction of `default` is cancelled.
    silent.delete('n1');
    c.renewLease('n1');
    c.postStatus('n1', 'True');
    await c.advance(5_000);
    assert.ok(c.events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Cancelling deletion of Pod ns/default'));
    await c.advance(300_000);
    assert.ok(c.pod('default') && c.pod('forever'));
  });

  it('deletes pods that do not tolerate a NoExecute taint at once, and spares those that do', async () => {
    const { c } = cluster(['n1']);
    c.addPod('plain', 'n1', defaults);
    c.addPod('tolerant', 'n1', [...defaults, { key: 'example.com/maintenance', operator: 'Equal', value: 'now', effect: 'NoExecute' }]);
    await c.start();
    c.setSpec('n1', { taints: [{ key: 'example.com/maintenance', value: 'now', effect: 'NoExecute' }] });
    await c.run();
    assert.equal(c.pod('plain'), undefined);
    assert.ok(c.pod('tolerant'));
  });

  it('marks a pod bound to a node that is not Ready as not Ready', async () => {
    const { c } = cluster(['n1', 'n2', 'n3']);
    await c.start();
    c.postStatus('n1', 'False');
    await c.advance(5_000);
    c.addPod('late', 'n1', defaults);
    await c.run();
    assert.equal(c.pod('late')?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  });
});

describe('node lifecycle: zones and rate limits', () => {
  const ten = Array.from({ length: 10 }, (_, i) => `n${i}`);

  it('taints one node per 10 s in a healthy zone (0.1 nodes/s, burst 1)', async () => {
    const { c, silent } = cluster(ten);
    await c.start();
    for (const n of ['n0', 'n1', 'n2']) silent.add(n);
    await c.advance(45_000);
    const times = () => ['n0', 'n1', 'n2'].map((n) => timeAdded(c, n, UNREACHABLE)).filter((t) => t !== undefined).sort();
    assert.equal(times().length, 1, 'one node at once');
    await c.advance(25_000);
    const t = times().map((x) => Date.parse(x));
    assert.equal(t.length, 3);
    assert.deepEqual([t[1]! - t[0]!, t[2]! - t[1]!], [10_000, 10_000]);
    assert.equal(c.reconciler.monitor.zoneState(''), 'Normal');
  });

  it('stops tainting in a partially disrupted zone of a small cluster, and resumes once it recovers', async () => {
    const { c, silent } = cluster(ten);
    await c.start();
    const down = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
    for (const n of down) silent.add(n);
    await c.advance(120_000);
    assert.equal(c.reconciler.monitor.zoneState(''), 'PartialDisruption');
    assert.deepEqual(down.map((n) => c.readyStatus(n)), Array(6).fill('Unknown'));
    assert.equal(down.filter((n) => has(c, n, UNREACHABLE, 'NoExecute')).length, 0, 'no NoExecute taint while 60% are down');
    for (const n of ['n0', 'n1', 'n2']) {
      silent.delete(n);
      c.renewLease(n);
      c.postStatus(n, 'True');
    }
    await c.advance(40_000);
    assert.equal(c.reconciler.monitor.zoneState(''), 'Normal');
    assert.ok(['n3', 'n4', 'n5'].filter((n) => has(c, n, UNREACHABLE, 'NoExecute')).length >= 2, 'tainting resumed at the normal rate');
  });

  it('uses the secondary rate (0.01) for a partially disrupted zone of a large cluster', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `m${i}`);
    const { c, silent } = cluster(many);
    await c.start();
    for (const n of many.slice(0, 40)) silent.add(n);
    await c.advance(100_000);
    assert.equal(c.reconciler.monitor.zoneState(''), 'PartialDisruption');
    const tainted = () => many.filter((n) => has(c, n, UNREACHABLE, 'NoExecute')).length;
    assert.equal(tainted(), 1, 'the one token the bucket held went at 45 s');
    await c.advance(44_000);
    assert.equal(tainted(), 1, 'no second node within 100 s');
    await c.advance(2_000);
    assert.equal(tainted(), 2);
  });

  it('takes no NoExecute action while every zone is fully disrupted, and starts over when a node is back', async () => {
    const { c, silent } = cluster(['n1', 'n2', 'n3']);
    c.addPod('p', 'n1', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    await c.start();
    for (const n of ['n1', 'n2', 'n3']) silent.add(n);
    await c.advance(100_000);
    assert.equal(c.reconciler.monitor.zoneState(''), 'FullDisruption');
    assert.deepEqual(['n1', 'n2', 'n3'].map((n) => c.readyStatus(n)), ['Unknown', 'Unknown', 'Unknown']);
    assert.deepEqual(['n1', 'n2', 'n3'].filter((n) => has(c, n, UNREACHABLE, 'NoExecute')), []);
    assert.ok(c.pod('p'), 'no pod is evicted when the whole cluster looks down');
    assert.ok(has(c, 'n1', UNREACHABLE, 'NoSchedule'), 'NoSchedule taints follow the conditions regardless');
    silent.delete('n3');
    c.renewLease('n3');
    c.postStatus('n3', 'True');
    await c.advance(5_000);
    assert.equal(c.reconciler.monitor.zoneState(''), 'Normal');
    await c.advance(5_000);
    assert.deepEqual(['n1', 'n2'].filter((n) => has(c, n, UNREACHABLE, 'NoExecute')), [], 'every node got a fresh grace period');
  });

  it('keeps tainting a fully disrupted zone at the normal rate while another zone is healthy', async () => {
    const names = ['a1', 'a2', 'b1', 'b2'];
    const { c, silent } = cluster(names, (n) => ({ 'topology.kubernetes.io/zone': n[0]! }));
    await c.start();
    silent.add('a1');
    silent.add('a2');
    await c.advance(60_000);
    assert.equal(c.reconciler.monitor.zoneState(':\x00:a'), 'FullDisruption');
    assert.equal(c.reconciler.monitor.zoneState(':\x00:b'), 'Normal');
    assert.deepEqual(['a1', 'a2'].filter((n) => has(c, n, UNREACHABLE, 'NoExecute')), ['a1', 'a2']);
  });
});
