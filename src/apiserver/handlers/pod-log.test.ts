import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { validateLogQuery } from './pod-log.ts';
import { proxiedPath } from './agent-proxy.ts';
import { resolveContainer } from './pod-location.ts';

function statusOf(fn: () => unknown): { code: number; reason: string; message: string; field?: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isStatusError(err));
    return { code: err.status.code, reason: err.status.reason ?? '', message: err.status.message ?? '', ...(err.status.details?.causes?.[0]?.field ? { field: err.status.details.causes[0].field } : {}) };
  }
  assert.fail('no error');
}

test('PodLogOptions: unparsable values are 400, out-of-range ones 422 with the field', () => {
  const check = (q: string) => () => validateLogQuery(new URLSearchParams(q), 'p');
  assert.doesNotThrow(check('follow=true&tailLines=0&limitBytes=1&sinceSeconds=1&timestamps=1'));
  assert.equal(statusOf(check('tailLines=abc')).code, 400);
  assert.equal(statusOf(check('follow=yes')).code, 400);
  assert.deepEqual(statusOf(check('tailLines=-1')), { code: 422, reason: 'Invalid', message: 'PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0', field: 'tailLines' });
  assert.equal(statusOf(check('limitBytes=0')).field, 'limitBytes');
  assert.equal(statusOf(check('sinceSeconds=0')).field, 'sinceSeconds');
  assert.match(statusOf(check('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z')).message, /at most one of `sinceTime` or `sinceSeconds` may be specified/);
});

test('the container is the one named, or the only one', () => {
  const pod = (names: string[], init: string[] = []): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: names.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) } });
  assert.equal(resolveContainer(pod(['a']), null), 'a');
  assert.equal(resolveContainer(pod(['a', 'b'], ['i']), 'i'), 'i');
  assert.equal(statusOf(() => resolveContainer(pod(['a', 'b'], ['i']), null)).message, 'a container name must be specified for pod p, choose one of: [i a b]');
  assert.deepEqual(statusOf(() => resolveContainer(pod(['a']), 'z')), { code: 400, reason: 'BadRequest', message: 'container z is not valid for pod p' });
});

test('nodes/proxy forwards the path after /proxy with its query', () => {
  assert.equal(proxiedPath(new URL('https://x/api/v1/nodes/n1/proxy/stats/summary?only_cpu_and_memory=true')), '/stats/summary?only_cpu_and_memory=true');
  assert.equal(proxiedPath(new URL('https://x/api/v1/nodes/n1/proxy')), '/');
});
