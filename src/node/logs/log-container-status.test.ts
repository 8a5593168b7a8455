import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { logContainerFromStatus } from './log-container-status.ts';

const pod = (cs: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'c', ...cs }] } });

test('the instance a log request means follows the kubelet: running, terminated, last terminated, previous', () => {
  const running = pod({ containerID: 'process://new', state: { running: {} }, lastState: { terminated: { containerID: 'process://old' } } });
  assert.deepEqual(logContainerFromStatus(running, 'c', false), { id: 'new' });
  assert.deepEqual(logContainerFromStatus(running, 'c', true), { id: 'old' });
  // A crash loop: waiting to restart, both views show the instance that just died.
  const crashLoop = pod({ containerID: 'process://old', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { containerID: 'process://old' } } });
  assert.deepEqual(logContainerFromStatus(crashLoop, 'c', false), { id: 'old' });
  assert.deepEqual(logContainerFromStatus(crashLoop, 'c', true), { id: 'old' });
  const done = pod({ containerID: 'process://only', state: { terminated: { containerID: 'process://only' } }, lastState: {} });
  assert.deepEqual(logContainerFromStatus(done, 'c', false), { id: 'only' });
  assert.deepEqual(logContainerFromStatus(done, 'c', true), { message: 'previous terminated container "c" in pod "p" not found' });
});

test('a container that never ran says why; one the status does not list is left to the runtime', () => {
  assert.deepEqual(logContainerFromStatus(pod({ state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} }), 'c', false), { message: 'container "c" in pod "p" is waiting to start: ContainerCreating' });
  assert.deepEqual(logContainerFromStatus(pod({ state: { waiting: { reason: 'ImagePullBackOff' } }, lastState: {} }), 'c', false), { message: 'container "c" in pod "p" is waiting to start: trying and failing to pull image' });
  assert.equal(logContainerFromStatus(pod({}), 'other', false), undefined);
});
