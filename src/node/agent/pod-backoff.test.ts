import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import { ContainerBackoff, goDuration } from './pod-backoff.ts';

test('back-off doubles from 10 s to 300 s', () => {
  const clock = new FakeClock(1_000_000);
  const b = new ContainerBackoff(clock);
  const key = ContainerBackoff.key('uid', 'app');
  assert.equal(b.remaining(key, clock.now()), 0, 'the first exit restarts at once');
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    b.next(key, clock.now());
    delays.push(b.delay(key));
    // the container exits right after its restart
    assert.equal(b.remaining(key, clock.now()), b.delay(key));
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('remaining counts from the exit time', async () => {
  const clock = new FakeClock(0);
  const b = new ContainerBackoff(clock);
  b.next('k', 0);
  await clock.advance(4_000);
  assert.equal(b.remaining('k', 3_000), 9_000);
  await clock.advance(10_000);
  assert.equal(b.remaining('k', 3_000), 0);
});

test('a container that ran 10 minutes before failing starts over at 10 s', async () => {
  const clock = new FakeClock(0);
  const b = new ContainerBackoff(clock);
  for (let i = 0; i < 6; i++) b.next('k', clock.now());
  assert.equal(b.delay('k'), 300_000);
  await clock.advance(600_001);
  assert.equal(b.remaining('k', clock.now()), 0, 'not in back-off after a long run');
  b.next('k', clock.now());
  assert.equal(b.delay('k'), 10_000);
  // a shorter run keeps doubling
  await clock.advance(599_000);
  b.next('k', clock.now());
  assert.equal(b.delay('k'), 20_000);
});

test('keys are per pod and container; forget drops a pod', () => {
  const clock = new FakeClock(0);
  const b = new ContainerBackoff(clock);
  b.next(ContainerBackoff.key('a', 'x'), 0);
  b.next(ContainerBackoff.key('b', 'x'), 0);
  b.forget('a/');
  assert.equal(b.delay(ContainerBackoff.key('a', 'x')), 0);
  assert.equal(b.delay(ContainerBackoff.key('b', 'x')), 10_000);
});

test('goDuration formats like Go', () => {
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(300_000), '5m0s');
});
