import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/types.ts';
import { notFound } from '../machinery/status-error.ts';
import { FakeClock } from './clock.ts';
import { EventRecorder, type EventSink } from './event-recorder.ts';

class FakeSink {
  events = new Map<string, KubeObject>();
  writes: string[] = [];
  async create(_ref: unknown, obj: KubeObject): Promise<KubeObject> {
    this.writes.push('create');
    this.events.set(obj.metadata.name!, structuredClone(obj));
    return obj;
  }
  async patch(ref: { name?: string }, _type: string, patch: Record<string, unknown>): Promise<KubeObject> {
    this.writes.push('patch');
    const ev = this.events.get(ref.name ?? '');
    if (!ev) throw notFound({ group: '', resource: 'events' }, ref.name ?? '');
    Object.assign(ev, patch);
    return ev;
  }
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' } };

describe('EventRecorder', () => {
  it('aggregates repeats within 10 minutes, then starts a new Event', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const sink = new FakeSink();
    const r = new EventRecorder(sink as unknown as EventSink, { source: { component: 'c' }, clock });
    await r.event(pod, 'Warning', 'BackOff', 'restarting');
    await clock.advance(60_000);
    await r.event(pod, 'Warning', 'BackOff', 'restarting');
    await r.event(pod, 'Warning', 'BackOff', 'different message');
    assert.deepEqual(sink.writes, ['create', 'patch', 'create']);
    const first = [...sink.events.values()].find((e) => e.message === 'restarting')!;
    assert.equal(first.count, 2);
    assert.equal(first.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(first.lastTimestamp, '2026-01-01T00:01:00Z');
    await clock.advance(10 * 60_000 + 1);
    await r.event(pod, 'Warning', 'BackOff', 'restarting');
    assert.equal(sink.events.size, 3, 'outside the window a new Event is created');
  });

  it('serialises concurrent repeats and recreates an Event that disappeared', async () => {
    const sink = new FakeSink();
    const r = new EventRecorder(sink as unknown as EventSink, { source: { component: 'c' }, clock: new FakeClock(1000) });
    await Promise.all([r.event(pod, 'Normal', 'Pulled', 'ok'), r.event(pod, 'Normal', 'Pulled', 'ok'), r.event(pod, 'Normal', 'Pulled', 'ok')]);
    assert.deepEqual(sink.writes, ['create', 'patch', 'patch']);
    sink.events.clear();
    await r.event(pod, 'Normal', 'Pulled', 'ok');
    assert.deepEqual(sink.writes.slice(3), ['patch', 'create']);
    assert.equal([...sink.events.values()][0]?.count, 1);
  });

  it('never throws when the API refuses', async () => {
    const failing = { create: async () => Promise.reject(new Error('down')), patch: async () => Promise.reject(new Error('down')) };
    const r = new EventRecorder(failing as unknown as EventSink, { source: { component: 'c' } });
    await r.event(pod, 'Normal', 'X', 'y');
  });

  it('lets 25 Events per object through, then one per 5 minutes (the spam filter)', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const sink = new FakeSink();
    const r = new EventRecorder(sink as unknown as EventSink, { source: { component: 'c' }, clock });
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'rs1' } };
    for (let i = 0; i < 40; i++) await r.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`);
    assert.equal(sink.writes.length, 25);
    await r.event(pod, 'Normal', 'Pulled', 'another object has its own bucket');
    assert.equal(sink.writes.length, 26);
    await clock.advance(4 * 60_000);
    await r.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-40');
    assert.equal(sink.writes.length, 26, 'no token before 5 minutes');
    await clock.advance(60_000);
    await r.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-41');
    await r.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-42');
    assert.equal(sink.writes.length, 27, 'one token after 5 minutes');
    const unfiltered = new FakeSink();
    const off = new EventRecorder(unfiltered as unknown as EventSink, { source: { component: 'c' }, clock, spamBurst: 0 });
    for (let i = 0; i < 30; i++) await off.event(rs, 'Normal', 'X', `m${i}`);
    assert.equal(unfiltered.writes.length, 30, 'spamBurst 0 turns the filter off');
  });
});
