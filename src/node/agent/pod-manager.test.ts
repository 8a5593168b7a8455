// writeStatus: the merge patch the pod manager sends to pods/status, and how it handles a pod
// that was recreated under the same name or deleted meanwhile.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from '../../client/index.ts';
import { conflict, notFound } from '../../machinery/status-error.ts';
import { writeStatus } from './pod-manager.ts';
import type { AgentPod } from './pod-types.ts';

const POD_GR = { group: '', resource: 'pods' };

function pod(uid: string, status: Record<string, unknown> = {}): AgentPod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid }, spec: { containers: [] }, status };
}

/** A client whose patch answers from `answers` in turn and whose get returns `current`. */
function fakeClient(answers: (Error | undefined)[], current: () => AgentPod | Error): { client: RestClient; patches: unknown[]; gets: number } {
  const calls = { patches: [] as unknown[], gets: 0 };
  const client = {
    async patch(ref: { namespace: string; name: string }, type: string, body: unknown, opts: { subresource?: string }) {
      assert.deepEqual([ref.namespace, ref.name, type, opts.subresource], ['ns', 'p', 'merge', 'status']);
      calls.patches.push(body);
      const a = answers.shift();
      if (a) throw a;
      return {};
    },
    async get() {
      calls.gets++;
      const c = current();
      if (c instanceof Error) throw c;
      return c;
    },
  } as unknown as RestClient;
  return { client, get patches() { return calls.patches; }, get gets() { return calls.gets; } };
}

describe('writeStatus', () => {
  it('patches the status with the pod uid as precondition and clears owned fields the new status dropped', async () => {
    const f = fakeClient([undefined], () => new Error('no get expected'));
    await writeStatus(f.client, pod('u1', { phase: 'Pending', message: 'old', reason: 'Old', nominatedNodeName: 'n' }), { phase: 'Running', conditions: [] });
    assert.deepEqual(f.patches, [{ metadata: { uid: 'u1' }, status: { phase: 'Running', conditions: [], message: null, reason: null } }]);
  });

  it('retries a conflict after re-reading the pod', async () => {
    const f = fakeClient([conflict(POD_GR, 'p', 'busy'), undefined], () => pod('u1', { phase: 'Pending', podIP: '10.0.0.1' }));
    await writeStatus(f.client, pod('u1', {}), { phase: 'Running' });
    assert.equal(f.gets, 1);
    assert.deepEqual(f.patches.at(-1), { metadata: { uid: 'u1' }, status: { phase: 'Running', podIP: null } });
  });

  it('gives up quietly when the pod is gone or is another pod of the same name', async () => {
    const gone = fakeClient([notFound(POD_GR, 'p')], () => new Error('no get expected'));
    await writeStatus(gone.client, pod('u1'), { phase: 'Running' });
    const replaced = fakeClient([conflict(POD_GR, 'p', 'uid')], () => pod('u2'));
    await writeStatus(replaced.client, pod('u1'), { phase: 'Running' });
    assert.equal(replaced.patches.length, 1);
  });

  it('throws after repeated conflicts', async () => {
    const f = fakeClient(Array.from({ length: 10 }, () => conflict(POD_GR, 'p', 'busy')), () => pod('u1'));
    await assert.rejects(writeStatus(f.client, pod('u1'), { phase: 'Running' }), /busy/);
    assert.equal(f.patches.length, 5);
  });
});
