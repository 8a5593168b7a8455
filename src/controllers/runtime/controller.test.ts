import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, Informer, type ListWatch } from '../../client/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { Controller } from './controller.ts';
import type { Reconciler, Result } from './reconciler.ts';

/** A reconciler whose calls the test releases one by one, recording concurrency per key. */
class FakeReconciler implements Reconciler {
  calls: string[] = [];
  inFlight = new Map<string, number>();
  maxSameKey = 0;
  maxOverall = 0;
  pending: { key: string; resolve: (r: Result | void) => void; reject: (e: unknown) => void }[] = [];

  reconcile(key: string): Promise<Result | void> {
    this.calls.push(key);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.maxSameKey = Math.max(this.maxSameKey, this.inFlight.get(key)!);
    this.maxOverall = Math.max(this.maxOverall, [...this.inFlight.values()].reduce((a, b) => a + b, 0));
    return new Promise((resolve, reject) => {
      const done = (): void => void this.inFlight.set(key, this.inFlight.get(key)! - 1);
      this.pending.push({ key, resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) });
    });
  }

  /** Settles the oldest pending call of `key`. */
  settle(key: string, outcome: Result | void | Error): void {
    const i = this.pending.findIndex((p) => p.key === key);
    assert.ok(i >= 0, `no pending reconcile of ${key}`);
    const [p] = this.pending.splice(i, 1);
    if (outcome instanceof Error) p!.reject(outcome);
    else p!.resolve(outcome);
  }
}

const tick = async (clock: FakeClock, ms = 0): Promise<void> => clock.advance(ms);

function start(workers: number) {
  const clock = new FakeClock(1_000_000);
  const reconciler = new FakeReconciler();
  const controller = new Controller({ name: 'test', reconciler, workers, clock });
  const ac = new AbortController();
  const done = controller.run(ac.signal);
  return { clock, reconciler, controller, ac, done };
}

describe('Controller', () => {
  it('never reconciles one key concurrently, but runs distinct keys in parallel', async () => {
    const { clock, reconciler, controller, ac, done } = start(4);
    await tick(clock);
    controller.queue.add('a');
    controller.queue.add('b');
    await tick(clock);
    controller.queue.add('a'); // while a is in flight: queued behind it, not handed to another worker
    controller.queue.add('a');
    await tick(clock);
    assert.deepEqual(reconciler.calls, ['a', 'b']);
    assert.equal(reconciler.maxOverall, 2);
    reconciler.settle('a', undefined);
    await tick(clock);
    assert.deepEqual(reconciler.calls, ['a', 'b', 'a'], 'the re-add runs once, after the first finished');
    reconciler.settle('a', undefined);
    reconciler.settle('b', undefined);
    await tick(clock, 10_000);
    assert.deepEqual(reconciler.calls, ['a', 'b', 'a']);
    assert.equal(reconciler.maxSameKey, 1);
    ac.abort();
    await done;
  });

  it('requeues failures with growing backoff and forgets them on success', async () => {
    const { clock, reconciler, controller, ac, done } = start(2);
    await tick(clock);
    controller.queue.add('k');
    await tick(clock);
    reconciler.settle('k', new Error('boom'));
    await tick(clock);
    assert.equal(controller.queue.numRequeues('k'), 1);
    await tick(clock, 4);
    assert.equal(reconciler.calls.length, 1, 'not retried before the 5 ms backoff');
    await tick(clock, 1);
    assert.equal(reconciler.calls.length, 2);
    reconciler.settle('k', new Error('boom'));
    await tick(clock, 9);
    assert.equal(reconciler.calls.length, 2, 'the second retry waits 10 ms');
    await tick(clock, 1);
    assert.equal(reconciler.calls.length, 3);
    reconciler.settle('k', undefined);
    await tick(clock);
    assert.equal(controller.queue.numRequeues('k'), 0, 'success forgets the failures');
    await tick(clock, 60_000);
    assert.equal(reconciler.calls.length, 3);
    ac.abort();
    await done;
  });

  it('honours requeueAfter without counting a failure', async () => {
    const { clock, reconciler, controller, ac, done } = start(1);
    await tick(clock);
    controller.queue.add('r');
    await tick(clock);
    reconciler.settle('r', { requeueAfter: 1000 });
    await tick(clock, 999);
    assert.equal(reconciler.calls.length, 1);
    assert.equal(controller.queue.numRequeues('r'), 0);
    await tick(clock, 1);
    assert.equal(reconciler.calls.length, 2);
    reconciler.settle('r', undefined);
    ac.abort();
    await done;
  });

  it('enqueues the keys informer handlers compute and starts workers only after the caches synced', async () => {
    const clock = new FakeClock(0);
    const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns1', resourceVersion: '1' } });
    let releaseList!: () => void;
    const listed = new Promise<void>((r) => (releaseList = r));
    const lw: ListWatch<KubeObject> = {
      list: async () => {
        await listed;
        return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '1' }, items: [cm('a'), cm('b')] };
      },
      watch: (opts) => ({
        async *[Symbol.asyncIterator]() {
          await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve, { once: true }));
        },
      }),
    };
    const informer = new Informer(lw, { clock });
    const reconciler = new FakeReconciler();
    const controller = new Controller({ name: 'test', reconciler, clock }).watch(informer, (o) => o.metadata.namespace);
    const ac = new AbortController();
    const done = controller.run(ac.signal);
    await tick(clock);
    assert.deepEqual(reconciler.calls, []);
    releaseList();
    await tick(clock);
    assert.deepEqual(reconciler.calls, ['ns1'], 'two objects of one namespace make one key');
    reconciler.settle('ns1', undefined);
    ac.abort();
    await done;
  });

  it('stops workers and informers when the signal aborts, even mid-reconcile', async () => {
    const { clock, reconciler, controller, ac, done } = start(1);
    await tick(clock);
    controller.queue.add('x');
    await tick(clock);
    ac.abort();
    reconciler.settle('x', new Error('aborted'));
    await done;
    assert.equal(controller.queue.shuttingDown, true);
  });
});
