import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUntoleratedTaint, toleratesTaint, tolerationsTolerateTaint } from './taints.ts';

describe('taints and tolerations', () => {
  const gpu = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

  it('matches as core/v1 does: effect, key, Equal value or Exists', () => {
    assert.ok(toleratesTaint({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, gpu));
    assert.ok(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu' }, gpu), 'an empty effect matches any effect');
    assert.ok(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, gpu));
    assert.ok(toleratesTaint({ operator: 'Exists' }, gpu), 'an empty key with Exists tolerates everything');
    assert.ok(!toleratesTaint({ key: 'dedicated', value: 'cpu' }, gpu));
    assert.ok(!toleratesTaint({ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }, gpu));
    assert.ok(!toleratesTaint({ key: 'other', operator: 'Exists' }, gpu));
    assert.ok(!toleratesTaint({ key: 'dedicated', operator: 'Gt', value: 'gpu' }, gpu), 'an unknown operator tolerates nothing');
  });

  it('finds the first untolerated taint among those the filter keeps', () => {
    const taints = [{ key: 'soft', effect: 'PreferNoSchedule' }, gpu, { key: 'x', effect: 'NoExecute' }];
    assert.equal(findUntoleratedTaint(taints, [])?.key, 'soft');
    assert.equal(findUntoleratedTaint(taints, [], (t) => t.effect !== 'PreferNoSchedule')?.key, 'dedicated');
    assert.equal(findUntoleratedTaint(taints, [{ key: 'dedicated', operator: 'Exists' }], (t) => t.effect !== 'PreferNoSchedule')?.key, 'x');
    assert.equal(findUntoleratedTaint(taints, [{ operator: 'Exists' }]), undefined);
    assert.ok(!tolerationsTolerateTaint(undefined, gpu));
  });
});
