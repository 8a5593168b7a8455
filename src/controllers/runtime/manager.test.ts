import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeLeases } from '../../client/fake-leases.ts';
import { FakeClock, type Lease, type LeaseClient } from '../../client/index.ts';
import { Controller } from './controller.ts';
import { ControllerManager, LEADER_ELECTION_NAME, LEADER_ELECTION_NAMESPACE } from './manager.ts';


function manager(identity: string, leases: LeaseClient, clock: FakeClock) {
  const terms = { started: 0, running: 0 };
  const factory = (): Controller => {
    terms.started++;
    const c = new Controller({ name: `c-${identity}`, reconciler: { reconcile: async () => undefined }, clock });
    const run = c.run.bind(c);
    c.run = async (signal) => {
      terms.running++;
      try {
        await run(signal);
      } finally {
        terms.running--;
      }
    };
    return c;
  };
  const m = new ControllerManager({ identity, leases, clock, controllers: [factory] });
  const ac = new AbortController();
  const done = m.run(ac.signal);
  return { m, terms, ac, done };
}

describe('ControllerManager', () => {
  it('runs the controllers only on the leader, on Lease kube-system/strata-controller-manager', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    const a = manager('a', leases, clock);
    await clock.advance(0);
    const b = manager('b', leases, clock);
    await clock.advance(5_000);
    assert.equal(leases.lease?.metadata.namespace, LEADER_ELECTION_NAMESPACE);
    assert.equal(leases.lease?.metadata.name, LEADER_ELECTION_NAME);
    assert.equal(leases.lease?.spec?.leaseDurationSeconds, 15);
    assert.equal(leases.lease?.spec?.holderIdentity, 'a');
    assert.deepEqual([a.terms.running, b.terms.running], [1, 0]);
    assert.deepEqual(a.m.controllers, ['c-a']);

    // Stopping a releases the Lease; b takes over within a retry period with fresh controllers.
    a.ac.abort();
    await a.done;
    assert.equal(a.terms.running, 0);
    await clock.advance(2_000);
    assert.equal(leases.lease?.spec?.holderIdentity, 'b');
    assert.deepEqual([b.terms.started, b.terms.running], [1, 1]);
    b.ac.abort();
    await b.done;
    assert.equal(b.terms.running, 0);
  });

  it('stops the controllers when leadership is lost and starts new ones when it is won again', async () => {
    const clock = new FakeClock(1_000_000);
    const leases = new FakeLeases();
    const a = manager('a', leases, clock);
    await clock.advance(0);
    assert.equal(a.terms.running, 1);
    leases.failing = true; // cannot renew: steps down after the 10 s renew deadline
    await clock.advance(9_000);
    assert.equal(a.terms.running, 1);
    await clock.advance(3_000);
    assert.equal(a.terms.running, 0);
    assert.equal(a.m.isLeader, false);
    leases.failing = false;
    await clock.advance(2_000);
    assert.deepEqual([a.terms.started, a.terms.running], [2, 1]);
    a.ac.abort();
    await a.done;
    assert.equal(a.terms.running, 0);
  });
});
