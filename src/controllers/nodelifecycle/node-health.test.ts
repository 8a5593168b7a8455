import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaTime } from '../util/conditions.ts';
import { NodeHealthTracker, unknownConditions, type Lease } from './node-health.ts';
import type { Node } from './taints.ts';

const T0 = Date.parse('2025-05-01T00:00:00Z');
const GRACE = 40_000;

const node = (heartbeat: number | undefined, extra: Partial<Node['metadata']> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', creationTimestamp: metaTime(T0 - 3_600_000), ...extra },
  status: heartbeat === undefined ? {} : { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: metaTime(heartbeat), lastTransitionTime: metaTime(T0 - 3_600_000) }] },
});
const lease = (renew: number): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(renew).toISOString() } });

describe('NodeHealthTracker', () => {
  it('goes silent a grace period after the controller last saw a heartbeat change, on its own clock', () => {
    const h = new NodeHealthTracker({ gracePeriodMs: GRACE, startupGracePeriodMs: 60_000 });
    // The node's heartbeat is an hour old, but the controller only just met it: it gets a full grace period.
    assert.equal(h.observe(node(T0 - 3_600_000), undefined, T0).silent, false);
    assert.equal(h.observe(node(T0 - 3_600_000), undefined, T0 + GRACE).silent, false);
    assert.equal(h.observe(node(T0 - 3_600_000), undefined, T0 + GRACE + 1).silent, true);
    // A new heartbeat on the Ready condition revives it.
    assert.equal(h.observe(node(T0 + 50_000), undefined, T0 + 50_000).silent, false);
    assert.equal(h.observe(node(T0 + 50_000), undefined, T0 + 50_000 + GRACE + 1).silent, true);
  });

  it('counts a newer Lease renewal as a heartbeat, and an unchanged one not', () => {
    const h = new NodeHealthTracker({ gracePeriodMs: GRACE, startupGracePeriodMs: 60_000 });
    const n = node(T0);
    h.observe(n, lease(T0), T0);
    assert.equal(h.observe(n, lease(T0 + 30_000), T0 + 30_000).silent, false);
    assert.equal(h.observe(n, lease(T0 + 30_000), T0 + 30_000 + GRACE).silent, false);
    assert.equal(h.observe(n, lease(T0 + 30_000), T0 + 30_001 + GRACE).silent, true);
    assert.equal(h.observe(n, lease(T0 + 30_000 - 5), T0 + 80_000).silent, true, 'an older renewTime is no heartbeat');
  });

  it('gives a node that never posted Ready the startup grace period from its creation', () => {
    const h = new NodeHealthTracker({ gracePeriodMs: GRACE, startupGracePeriodMs: 60_000 });
    const fresh = node(undefined, { creationTimestamp: metaTime(T0) });
    const obs = h.observe(fresh, undefined, T0 + 59_000);
    assert.deepEqual([obs.silent, obs.gracePeriodMs, obs.observed.status], [false, 60_000, 'Unknown']);
    assert.equal(h.observe(fresh, undefined, T0 + 60_001).silent, true);
  });

  it('resetAll gives every node a fresh grace period', () => {
    const h = new NodeHealthTracker({ gracePeriodMs: GRACE, startupGracePeriodMs: 60_000 });
    h.observe(node(T0), undefined, T0);
    h.resetAll(T0 + 100_000);
    assert.equal(h.observe(node(T0), undefined, T0 + 100_000 + GRACE).silent, false);
  });
});

describe('unknownConditions', () => {
  it('turns the kubelet conditions Unknown, adds missing ones as never updated, leaves NetworkUnavailable alone', () => {
    const n: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', creationTimestamp: metaTime(T0 - 1000) },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: metaTime(T0 - 500), lastTransitionTime: metaTime(T0 - 900) },
          { type: 'MemoryPressure', status: 'False' },
          { type: 'NetworkUnavailable', status: 'False' },
        ],
      },
    };
    const out = unknownConditions(n, T0);
    assert.deepEqual(out?.find((c) => c.type === 'Ready'), {
      type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: metaTime(T0 - 500), lastTransitionTime: metaTime(T0),
    });
    assert.equal(out?.find((c) => c.type === 'MemoryPressure')?.status, 'Unknown');
    assert.deepEqual(out?.find((c) => c.type === 'DiskPressure'), {
      type: 'DiskPressure', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: metaTime(T0 - 1000), lastTransitionTime: metaTime(T0),
    });
    assert.equal(out?.find((c) => c.type === 'NetworkUnavailable')?.status, 'False');
    assert.equal(unknownConditions({ ...n, status: { conditions: out } }, T0 + 5000), undefined, 'already Unknown: nothing to write');
  });
});
