import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { admitDefaultTolerationSeconds } from './default-toleration-seconds.ts';

const pod = (tolerations?: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'x' }], ...(tolerations ? { tolerations } : {}) },
});
const tolerations = (p: KubeObject): unknown[] => (p['spec'] as { tolerations?: unknown[] }).tolerations ?? [];

const NOT_READY = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

describe('DefaultTolerationSeconds', () => {
  it('adds not-ready then unreachable NoExecute tolerations of 300 s to a pod without tolerations', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(tolerations(p), [NOT_READY, UNREACHABLE]);
  });

  it('appends after the pod\'s own tolerations and leaves those alone', () => {
    const own = { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' };
    const p = pod([own]);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(tolerations(p), [own, NOT_READY, UNREACHABLE]);
  });

  it('adds only the missing one when the pod tolerates one of the taints already', () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
    const p = pod([own]);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(tolerations(p), [own, NOT_READY]);
  });

  it('treats an empty key or an empty effect as covering the taint, as upstream', () => {
    for (const own of [{ operator: 'Exists' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, { operator: 'Exists', effect: 'NoExecute' }]) {
      const p = pod([own]);
      admitDefaultTolerationSeconds(p);
      const expected = own.key ? [own, UNREACHABLE] : [own];
      assert.deepEqual(tolerations(p), expected, JSON.stringify(own));
    }
  });

  it('does not count a NoSchedule toleration of the same key', () => {
    const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
    const p = pod([own]);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(tolerations(p), [own, NOT_READY, UNREACHABLE]);
  });

  it('is idempotent and takes configured seconds', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p, { notReadySeconds: 10, unreachableSeconds: 20 });
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(tolerations(p), [{ ...NOT_READY, tolerationSeconds: 10 }, { ...UNREACHABLE, tolerationSeconds: 20 }]);
  });
});
