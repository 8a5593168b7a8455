// When a finished Job with ttlSecondsAfterFinished becomes due for deletion.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../job/index.ts';
import { needsCleanup, ttlTimeLeft } from './ttl.ts';

const T = Date.parse('2024-03-01T12:00:00Z');

function job(ttl: number | undefined, condition?: { type: string; status?: 'True' | 'False'; at?: string }, deleting = false): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'j', namespace: 'ns', ...(deleting ? { deletionTimestamp: '2024-03-01T12:00:00Z' } : {}) },
    spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }) },
    status: condition ? { conditions: [{ type: condition.type, status: condition.status ?? 'True', ...(condition.at ? { lastTransitionTime: condition.at } : {}) }] } : {},
  };
}

describe('ttl after finished', () => {
  it('only finished Jobs with a TTL that are not being deleted need cleanup', () => {
    assert.equal(needsCleanup(job(10, { type: 'Complete', at: '2024-03-01T12:00:00Z' })), true);
    assert.equal(needsCleanup(job(0, { type: 'Failed', at: '2024-03-01T12:00:00Z' })), true);
    assert.equal(needsCleanup(job(undefined, { type: 'Complete' })), false);
    assert.equal(needsCleanup(job(10, { type: 'Complete', status: 'False' })), false);
    assert.equal(needsCleanup(job(10, { type: 'SuccessCriteriaMet' })), false);
    assert.equal(needsCleanup(job(10)), false);
    assert.equal(needsCleanup(job(10, { type: 'Complete' }, true)), false);
  });

  it('counts the TTL from the terminal condition transition', () => {
    assert.deepEqual(ttlTimeLeft(job(100, { type: 'Complete', at: '2024-03-01T12:00:00Z' }), T + 30_000), { leftMs: 70_000, expireAtMs: T + 100_000 });
    assert.deepEqual(ttlTimeLeft(job(0, { type: 'Failed', at: '2024-03-01T12:00:00Z' }), T + 1), { leftMs: -1, expireAtMs: T });
    // Finished "in the future" (clock skew): waits the whole TTL from then.
    assert.equal(ttlTimeLeft(job(5, { type: 'Complete', at: '2024-03-01T12:01:00Z' }), T)?.leftMs, 65_000);
    assert.equal(ttlTimeLeft(job(5, { type: 'Complete' }), T), undefined, 'no transition time: nothing to go by');
  });
});
