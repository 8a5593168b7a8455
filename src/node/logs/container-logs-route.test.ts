import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus } from '../runtime/cri.ts';
import { pickContainer } from './container-logs-route.ts';

function container(id: string, name: string, createdAt: number, state: ContainerStatus['state'], pod = 'p'): ContainerStatus {
  return {
    id, podSandboxId: 's', metadata: { name, attempt: createdAt }, state, createdAt, startedAt: createdAt, finishedAt: 0, exitCode: 0, reason: '', logPath: `/logs/${id}`,
    image: { image: 'x' }, imageRef: 'x', annotations: {},
    labels: { 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.name': pod, 'io.kubernetes.container.name': name },
  };
}

test('the current instance is the newest; previous is the one before it', () => {
  const all = [container('old', 'c', 1, 'CONTAINER_EXITED'), container('new', 'c', 2, 'CONTAINER_RUNNING'), container('other', 'd', 3, 'CONTAINER_RUNNING'), container('x', 'c', 9, 'CONTAINER_RUNNING', 'q')];
  assert.equal((pickContainer(all, 'ns', 'p', 'c', false) as { container: ContainerStatus }).container.id, 'new');
  assert.equal((pickContainer(all, 'ns', 'p', 'c', true) as { container: ContainerStatus }).container.id, 'old');
  assert.deepEqual(pickContainer(all, 'ns', 'p', 'd', true), { code: 400, message: 'previous terminated container "d" in pod "p" not found' });
  assert.deepEqual(pickContainer(all, 'ns', 'p', 'e', false), { code: 400, message: 'container "e" in pod "p" is waiting to start: ContainerCreating' });
  assert.deepEqual(pickContainer(all, 'ns', 'gone', 'c', false), { code: 404, message: 'pod "gone" does not exist' });
});
