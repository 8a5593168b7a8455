import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RestClient } from '../../../client/index.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { Code } from '../../framework/status.ts';
import { makePod } from '../../testing/fixtures.ts';
import { newDefaultBinder } from './default-binder.ts';

test('binds through pods/binding with a Binding naming the node', async () => {
  const calls: unknown[][] = [];
  const client = { request: async (...args: unknown[]) => calls.push(args) } as unknown as RestClient;
  const pod = makePod('web', { namespace: 'prod' });
  const s = await newDefaultBinder({ client }).bind(new CycleState(), new PodInfo(pod), 'node-1', new AbortController().signal);
  assert.equal(s, undefined);
  assert.equal(calls[0]?.[0], 'POST');
  assert.equal(calls[0]?.[1], '/api/v1/namespaces/prod/pods/web/binding');
  assert.deepEqual(calls[0]?.[2], {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'web', namespace: 'prod', uid: pod.metadata.uid },
    target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
  });
});

test('a failed bind is an Error status (the pod backs off and is retried)', async () => {
  const client = { request: async () => Promise.reject(new Error('conflict')) } as unknown as RestClient;
  const s = await newDefaultBinder({ client }).bind(new CycleState(), new PodInfo(makePod('p')), 'n', new AbortController().signal);
  assert.equal(s?.code, Code.Error);
  assert.equal(s?.message, 'conflict');
});
