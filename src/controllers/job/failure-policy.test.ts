// spec.podFailurePolicy matching and when a pod counts as failed, as upstream decides them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import { failJobMessage, isPodFailed, matchPodFailurePolicy, onlyReplaceFailedPods, pastBackoffLimitOnFailure } from './failure-policy.ts';
import type { Job, PodFailurePolicyRule } from './types.ts';

const job = (rules?: PodFailurePolicyRule[], extra: Partial<NonNullable<Job['spec']>> = {}): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns' },
  spec: { ...(rules ? { podFailurePolicy: { rules } } : {}), ...extra },
});

function pod(exits: Record<string, number | undefined>, opts: { phase?: string; conditions?: { type: string; status: string }[]; init?: Record<string, number>; deleting?: boolean } = {}): Pod {
  const statuses = (m: Record<string, number | undefined>) =>
    Object.entries(m).map(([name, code]) => ({ name, state: code === undefined ? { running: {} } : { terminated: { exitCode: code } } }));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    status: { phase: opts.phase ?? 'Failed', conditions: opts.conditions ?? [], containerStatuses: statuses(exits), initContainerStatuses: statuses(opts.init ?? {}) },
  };
}

describe('pod failure policy', () => {
  it('without a policy every failure counts', () => {
    assert.deepEqual(matchPodFailurePolicy(job(), pod({ c: 1 })), { countFailed: true });
  });

  it('FailJob on exit codes In, with the upstream message', () => {
    const j = job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42, 43] } }]);
    assert.deepEqual(matchPodFailurePolicy(j, pod({ a: 1, b: 43 })), {
      failJobMessage: 'Container b for pod ns/p failed with exit code 43 matching FailJob rule at index 0',
      countFailed: true,
      action: 'FailJob',
    });
    assert.deepEqual(matchPodFailurePolicy(j, pod({ a: 1 })), { countFailed: true });
  });

  it('NotIn never matches exit code 0 nor a running container, and honours containerName', () => {
    const j = job([{ action: 'Ignore', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [1] } }]);
    assert.equal(matchPodFailurePolicy(j, pod({ main: 0, side: 5 })).action, undefined);
    assert.equal(matchPodFailurePolicy(j, pod({ main: undefined })).action, undefined);
    assert.equal(matchPodFailurePolicy(j, pod({ main: 1 })).action, undefined);
    assert.deepEqual(matchPodFailurePolicy(j, pod({ main: 2 })), { countFailed: false, action: 'Ignore' });
  });

  it('checks init containers before containers', () => {
    const j = job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [7, 8] } }]);
    assert.match(matchPodFailurePolicy(j, pod({ c: 8 }, { init: { setup: 7 } })).failJobMessage ?? '', /^Container setup /);
  });

  it('matches pod conditions (status defaults to True) and the first matching rule wins', () => {
    const j = job([
      { action: 'Count', onExitCodes: { operator: 'In', values: [9] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    const disrupted = pod({ c: 137 }, { conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    assert.deepEqual(matchPodFailurePolicy(j, disrupted), { countFailed: false, action: 'Ignore' });
    assert.deepEqual(matchPodFailurePolicy(j, pod({ c: 9 }, { conditions: [{ type: 'DisruptionTarget', status: 'True' }] })), { countFailed: true, action: 'Count' });
    assert.deepEqual(matchPodFailurePolicy(j, pod({ c: 1 }, { conditions: [{ type: 'DisruptionTarget', status: 'False' }] })), { countFailed: true });
    const failJob = job([{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue' }] }]);
    assert.equal(matchPodFailurePolicy(failJob, pod({ c: 1 }, { conditions: [{ type: 'ConfigIssue', status: 'True' }] })).failJobMessage, 'Pod ns/p has condition ConfigIssue matching FailJob rule at index 0');
  });

  it('FailIndex counts the failure and names the action', () => {
    assert.deepEqual(matchPodFailurePolicy(job([{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }]), pod({ c: 3 })), { countFailed: true, action: 'FailIndex' });
  });

  it('a failed pod fails the Job only through a FailJob rule, and only once it is Failed', () => {
    const j = job([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }]);
    assert.equal(failJobMessage(j, [pod({ c: 1 }), pod({ c: 42 }, { phase: 'Running' })]), undefined);
    assert.ok(failJobMessage(j, [pod({ c: 1 }), pod({ c: 42 })]));
    assert.equal(failJobMessage(job(), [pod({ c: 42 })]), undefined);
  });

  it('a deleted pod counts as failed unless only Failed pods are replaced', () => {
    const deleting = pod({ c: undefined }, { phase: 'Running', deleting: true });
    assert.equal(isPodFailed(deleting, job()), true);
    assert.equal(isPodFailed(deleting, job(undefined, { podReplacementPolicy: 'Failed' })), false);
    assert.equal(isPodFailed(deleting, job([])), false);
    assert.equal(onlyReplaceFailedPods(job([])), true);
    assert.equal(isPodFailed(pod({ c: 0 }, { phase: 'Succeeded', deleting: true }), job()), false);
  });

  it('restartPolicy OnFailure fails once container restarts reach backoffLimit', () => {
    const onFailure = (limit: number) => job(undefined, { backoffLimit: limit, template: { spec: { restartPolicy: 'OnFailure' } } });
    const restarting = (n: number): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'r' }, status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: n }] } });
    assert.equal(pastBackoffLimitOnFailure(onFailure(3), [restarting(2)]), false);
    assert.equal(pastBackoffLimitOnFailure(onFailure(3), [restarting(1), restarting(2)]), true);
    assert.equal(pastBackoffLimitOnFailure(onFailure(0), [restarting(1)]), true);
    assert.equal(pastBackoffLimitOnFailure(job(undefined, { backoffLimit: 0 }), [restarting(5)]), false, 'only for OnFailure');
  });
});
