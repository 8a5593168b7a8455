import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeLeases } from './fake-leases.ts';
import { FakeClock } from './clock.ts';
import { LeaderElector, type Lease, type LeaseClient } from './leader-election.ts';


function candidate(identity: string, leases: LeaseClient, clock: FakeClock) {
  const state = { leading: false, stopped: 0 };
  const elector = new LeaderElector(
    {
      namespace: 'kube-system',
      name: 'l',
      identity,
      onStartedLeading: () => void (state.leading = true),
      onStoppedLeading: () => void ((state.leading = false), state.stopped++),
    },
    { leases, clock },
  );
  const ac = new AbortController();
  const done = elector.run(ac.signal);
  return { elector, state, ac, done };
}

describe('LeaderElector', () => {
  it('lets exactly one candidate lead, and hands over on release', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    const a = candidate('a', leases, clock);
    await clock.advance(0);
    const b = candidate('b', leases, clock);
    await clock.advance(30_000);
    assert.equal(a.state.leading, true);
    assert.equal(b.state.leading, false);
    assert.equal(leases.lease?.spec?.holderIdentity, 'a');
    assert.equal(leases.lease?.spec?.leaseDurationSeconds, 15);
    a.ac.abort();
    await a.done;
    assert.equal(a.state.stopped, 1);
    assert.equal(leases.lease?.spec?.holderIdentity, undefined, 'released');
    await clock.advance(2_000);
    assert.equal(b.state.leading, true);
    assert.equal(leases.lease?.spec?.holderIdentity, 'b');
    assert.equal(leases.lease?.spec?.leaseTransitions, 1);
    b.ac.abort();
    await b.done;
  });

  it('takes over an expired lease only after the lease duration', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    leases.lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: 'kube-system', name: 'l', resourceVersion: '1' },
      spec: { holderIdentity: 'dead', leaseDurationSeconds: 15, renewTime: '2020-01-01T00:00:00.000000Z', leaseTransitions: 3 },
    };
    const b = candidate('b', leases, clock);
    await clock.advance(14_000);
    assert.equal(b.state.leading, false);
    await clock.advance(2_000);
    assert.equal(b.state.leading, true);
    assert.equal(leases.lease?.spec?.leaseTransitions, 4);
    b.ac.abort();
    await b.done;
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    const a = candidate('a', leases, clock);
    await clock.advance(0);
    assert.equal(a.state.leading, true);
    leases.failing = true;
    await clock.advance(8_000);
    assert.equal(a.state.leading, true);
    await clock.advance(2_000);
    await a.done;
    assert.equal(a.state.leading, false);
    assert.equal(a.state.stopped, 1);
  });

  it('steps down at once when another holder took the lease', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    const a = candidate('a', leases, clock);
    await clock.advance(0);
    leases.lease = { ...leases.lease!, metadata: { ...leases.lease!.metadata, resourceVersion: String(++leases.rv) }, spec: { ...leases.lease!.spec, holderIdentity: 'x' } };
    await clock.advance(2_000);
    await a.done;
    assert.equal(a.state.leading, false);
  });
});
