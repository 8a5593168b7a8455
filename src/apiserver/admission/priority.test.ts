import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { admitPriority, type PriorityClassLookup } from './priority.ts';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
const lookup = (classes: KubeObject[]): PriorityClassLookup => ({
  get: async (name) => classes.find((c) => c.metadata.name === name),
  globalDefault: async () => classes.find((c) => c['globalDefault'] === true),
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], ...spec } });
const spec = (p: KubeObject) => p['spec'] as { priority?: number; priorityClassName?: string; preemptionPolicy?: string };

describe('Priority admission', () => {
  it('resolves the class into spec.priority and spec.preemptionPolicy', async () => {
    const p = pod({ priorityClassName: 'high' });
    await admitPriority(p, lookup([pc('high', 1_000_000, { preemptionPolicy: 'Never' })]));
    assert.deepEqual([spec(p).priority, spec(p).preemptionPolicy], [1_000_000, 'Never']);
  });

  it('gives a pod without a class the global default, or 0', async () => {
    const p = pod();
    await admitPriority(p, lookup([pc('low', 10), pc('normal', 100, { globalDefault: true })]));
    assert.deepEqual([spec(p).priorityClassName, spec(p).priority, spec(p).preemptionPolicy], ['normal', 100, 'PreemptLowerPriority']);
    const q = pod();
    await admitPriority(q, lookup([]));
    assert.deepEqual([spec(q).priorityClassName, spec(q).priority], [undefined, 0]);
  });

  it('knows the system classes without storing them', async () => {
    const p = pod({ priorityClassName: 'system-node-critical' });
    await admitPriority(p, lookup([]));
    assert.equal(spec(p).priority, 2_000_001_000);
  });

  it('refuses an unknown class and a client-set priority that differs (403)', async () => {
    await assert.rejects(admitPriority(pod({ priorityClassName: 'nope' }), lookup([])), (e) => isStatusError(e) && e.status.code === 403 && /no PriorityClass with name nope was found/.test(e.status.message ?? ''));
    await assert.rejects(admitPriority(pod({ priorityClassName: 'high', priority: 5 }), lookup([pc('high', 7)])), (e) => isStatusError(e) && e.status.code === 403 && /computed 7/.test(e.status.message ?? ''));
    const same = pod({ priorityClassName: 'high', priority: 7 });
    await admitPriority(same, lookup([pc('high', 7)]));
    assert.equal(spec(same).priority, 7);
  });
});
