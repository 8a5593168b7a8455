// Indexed Job bookkeeping: completed/failed/pending indexes, duplicates, per-index counts, names,
// JOB_COMPLETION_INDEX and the success policy.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import {
  addCompletionIndexEnv,
  completionIndexOf,
  duplicateIndexPods,
  failedIndexes,
  firstPendingIndexes,
  generateNameWithIndex,
  indexedPodExtras,
  podsWithDelayedDeletion,
  succeededIndexes,
} from './indexed.ts';
import { formatIndexes, parseIndexes } from './indexes.ts';
import { matchSuccessPolicy } from './success-policy.ts';
import { JOB_TRACKING_FINALIZER, type Job } from './types.ts';

let seq = 0;
function pod(index: number | string | undefined, phase: string, opts: { finalizer?: boolean; failures?: number; ready?: boolean; deleting?: boolean; created?: string } = {}): Pod {
  const name = `p${seq++}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, uid: name, creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z',
      annotations: {
        ...(index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(index) }),
        ...(opts.failures === undefined ? {} : { 'batch.kubernetes.io/job-index-failure-count': String(opts.failures) }),
      },
      ...(opts.finalizer === false ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:10Z' } : {}),
    },
    spec: { nodeName: 'n1' },
    status: { phase, conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
  };
}

const job = (spec: NonNullable<Job['spec']>, status: Job['status'] = {}): Job => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work', namespace: 'ns' }, spec: { completionMode: 'Indexed', ...spec }, status });

describe('indexed job bookkeeping', () => {
  it('reads the completion index strictly', () => {
    assert.deepEqual([pod(3, 'Running'), pod('x', 'Running'), pod('-1', 'Running'), pod(undefined, 'Running')].map(completionIndexOf), [3, -1, -1, -1]);
  });

  it('adds succeeded pods that still hold the finalizer to the recorded completed indexes', () => {
    const j = job({ completions: 6 }, { completedIndexes: '0,1' });
    const pods = [pod(3, 'Succeeded'), pod(4, 'Succeeded', { finalizer: false }), pod(5, 'Failed'), pod(9, 'Succeeded'), pod(2, 'Running')];
    const { prev, all } = succeededIndexes(j, pods, 6);
    assert.equal(formatIndexes(prev), '0,1');
    assert.equal(formatIndexes(all), '0,1,3');
  });

  it('an index fails when its failure count reached backoffLimitPerIndex or by a FailIndex rule', () => {
    const j = job({ completions: 4, backoffLimitPerIndex: 1 }, { failedIndexes: '3' });
    assert.equal(formatIndexes(failedIndexes(j, [pod(0, 'Failed', { failures: 0 }), pod(1, 'Failed', { failures: 1 })], 4)), '1,3');
    const withRule = job({ completions: 4, backoffLimitPerIndex: 5, podFailurePolicy: { rules: [{ action: 'FailIndex', onPodConditions: [{ type: 'Bad' }] }] } });
    const bad = pod(2, 'Failed', { failures: 0 });
    bad.status!.conditions = [{ type: 'Bad', status: 'True' }];
    assert.equal(formatIndexes(failedIndexes(withRule, [bad], 4)), '2');
  });

  it('picks the lowest pending indexes, skipping succeeded, failed, active and (Failed-only replacement) terminating ones', () => {
    const succeeded = parseIndexes('0,2', 10);
    const failed = parseIndexes('5', 10);
    const active = [pod(1, 'Running'), pod(4, 'Pending')];
    const terminating = pod(3, 'Running', { deleting: true });
    assert.deepEqual(firstPendingIndexes([...active, terminating], active, succeeded, failed, false, 4, 10), [3, 6, 7, 8]);
    assert.deepEqual(firstPendingIndexes([...active, terminating], active, succeeded, failed, true, 4, 10), [6, 7, 8, 9]);
    assert.deepEqual(firstPendingIndexes([], [], succeeded, undefined, false, 10, 4), [1, 3]);
    assert.deepEqual(firstPendingIndexes([], [], [], undefined, false, 0, 4), []);
  });

  it('removes pods with invalid or duplicate indexes, keeping the most advanced pod of an index', () => {
    const keepMe = pod(1, 'Running', { ready: true });
    const dup = pod(1, 'Pending');
    const invalid = pod(7, 'Running');
    const noIndex = pod(undefined, 'Running');
    const single = pod(0, 'Running');
    const { remove, keep } = duplicateIndexPods([dup, keepMe, invalid, noIndex, single], 3);
    assert.deepEqual(remove.map((p) => p.metadata.name).sort(), [dup, invalid, noIndex].map((p) => p.metadata.name).sort());
    assert.deepEqual(keep.map((p) => p.metadata.name), [single.metadata.name, keepMe.metadata.name]);
  });

  it('keeps the latest failed pod of an index without a replacement for backoff and counts', () => {
    const j = job({ completions: 4, backoffLimitPerIndex: 3 });
    const first = pod(0, 'Failed', { failures: 0 });
    const second = pod(0, 'Failed', { failures: 1 });
    const replaced = pod(1, 'Failed', { failures: 0 });
    const replacement = pod(1, 'Running', { failures: 1 });
    const done = pod(2, 'Failed', { failures: 0 });
    const delayed = podsWithDelayedDeletion(j, [first, second, replaced, replacement, done], [replacement], parseIndexes('2', 4), [], new Set(), 4);
    assert.deepEqual([...delayed.entries()].map(([ix, p]) => [ix, p.metadata.name]), [[0, second.metadata.name]]);
    assert.deepEqual(podsWithDelayedDeletion(j, [second], [], [], [], new Set([second.metadata.uid!]), 4).size, 0, 'not while its finalizer removal is in flight');
    const extras = indexedPodExtras(j, 0, second, true);
    assert.deepEqual(extras.annotations, { 'batch.kubernetes.io/job-completion-index': '0', 'batch.kubernetes.io/job-index-failure-count': '2' });
    assert.deepEqual(extras.labels, { 'batch.kubernetes.io/job-completion-index': '0' });
    assert.equal(extras.hostname, 'work-0');
    const ignoring = job({ completions: 4, backoffLimitPerIndex: 3, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [] } }] } });
    const exited = pod(0, 'Failed', { failures: 1 });
    exited.status!['containerStatuses'] = [{ name: 'c', state: { terminated: { exitCode: 2 } } }];
    assert.deepEqual(indexedPodExtras(ignoring, 0, exited, true).annotations, {
      'batch.kubernetes.io/job-completion-index': '0',
      'batch.kubernetes.io/job-index-failure-count': '1',
      'batch.kubernetes.io/job-index-ignored-failure-count': '1',
    });
  });

  it('names pods <job>-<index>- and trims long job names', () => {
    assert.equal(generateNameWithIndex('work', 12), 'work-12-');
    const long = 'x'.repeat(70);
    const name = generateNameWithIndex(long, 3);
    assert.equal(name.length, 58);
    assert.ok(name.endsWith('-3-'));
  });

  it('adds JOB_COMPLETION_INDEX to containers and init containers that lack it', () => {
    const t = { spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }, { name: 'b', env: [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }] }] } };
    addCompletionIndexEnv(t);
    const env = (c: unknown) => (c as { env: { name: string; value?: string }[] }).env;
    assert.equal(env(t.spec.initContainers[0]).length, 1);
    assert.deepEqual(env(t.spec.containers[0]).map((e) => e.name), ['X', 'JOB_COMPLETION_INDEX']);
    assert.deepEqual(env(t.spec.containers[1]), [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }]);
  });

  it('matches success policy rules by listed indexes and counts', () => {
    const j = (rules: { succeededIndexes?: string; succeededCount?: number }[]) => job({ completions: 10, successPolicy: { rules } });
    const succeeded = parseIndexes('0,2-4', 10);
    assert.equal(matchSuccessPolicy(j([{ succeededIndexes: '0-2' }]), succeeded, 10), undefined);
    assert.equal(matchSuccessPolicy(j([{ succeededIndexes: '0-2', succeededCount: 2 }]), succeeded, 10), 'Matched rules at index 0');
    assert.equal(matchSuccessPolicy(j([{ succeededIndexes: '9' }, { succeededCount: 4 }]), succeeded, 10), 'Matched rules at index 1');
    assert.equal(matchSuccessPolicy(j([{ succeededCount: 5 }]), succeeded, 10), undefined);
  });
});
