import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pinToNode, requiredAffinityMatches, targetNodeName, termMatches } from './node-affinity.ts';
import { nodeShouldRunDaemonPod } from './placement.ts';
import { addOrUpdateToleration, daemonPodTolerations, toleratesTaint } from './tolerations.ts';
import type { DaemonSet, Node, SchedulingSpec, Taint } from './types.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints },
});
const ds = (spec: SchedulingSpec = {}): DaemonSet => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'ns' },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], ...spec } } },
});

describe('tolerations', () => {
  it('tolerate by key, value and effect; Exists ignores the value; empty key with Exists tolerates everything', () => {
    const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.ok(toleratesTaint({ key: 'k', value: 'v', effect: 'NoSchedule' }, taint));
    assert.ok(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint), 'no effect means any effect');
    assert.ok(!toleratesTaint({ key: 'k', value: 'w' }, taint));
    assert.ok(!toleratesTaint({ key: 'k', value: 'v', effect: 'NoExecute' }, taint));
    assert.ok(toleratesTaint({ key: 'k', operator: 'Exists' }, taint));
    assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
    assert.ok(!toleratesTaint({ key: 'k', operator: 'Lt', value: 'v' }, taint));
  });

  it('adds the daemon tolerations, replacing same ones and adding network-unavailable for host network', () => {
    const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 };
    const list = daemonPodTolerations({ tolerations: [{ key: 'x', operator: 'Exists' }, own] });
    assert.equal(list.length, 7);
    assert.deepEqual(list[1], { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }, 'upstream replaces it: no tolerationSeconds');
    assert.ok(daemonPodTolerations({ hostNetwork: true }).some((t) => t.key === 'node.kubernetes.io/network-unavailable'));
    assert.ok(!daemonPodTolerations({}).some((t) => t.key === 'node.kubernetes.io/network-unavailable'));
    assert.equal(addOrUpdateToleration([{ key: 'a', value: '1' }], { key: 'a', value: '2' }).length, 2, 'another value is another toleration');
  });
});

describe('required node affinity', () => {
  it('matches nodeSelector labels and any required term', () => {
    const n = node('n1', { zone: 'a', cores: '16' });
    assert.ok(requiredAffinityMatches({ nodeSelector: { zone: 'a' } }, n));
    assert.ok(!requiredAffinityMatches({ nodeSelector: { zone: 'b' } }, n));
    const affinity = (nodeSelectorTerms: unknown[]): SchedulingSpec => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: nodeSelectorTerms as never } } } });
    assert.ok(requiredAffinityMatches(affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }]), n));
    assert.ok(!requiredAffinityMatches(affinity([]), n), 'no terms match nothing');
    assert.ok(!requiredAffinityMatches(affinity([{}]), n), 'an empty term matches nothing');
  });

  it('evaluates operators and metadata.name fields', () => {
    const n = node('n1', { zone: 'a', cores: '16' });
    const t = (key: string, operator: string, values?: string[]) => termMatches({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }, n);
    assert.deepEqual([t('zone', 'In', ['a', 'b']), t('zone', 'NotIn', ['a']), t('gpu', 'NotIn', ['x']), t('zone', 'Exists'), t('gpu', 'DoesNotExist'), t('cores', 'Lt', ['8']), t('zone', 'Gt', ['1'])], [true, false, true, true, true, false, false]);
    assert.ok(termMatches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, n));
    assert.ok(!termMatches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, n));
    assert.ok(termMatches({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }, n));
    assert.ok(!termMatches({ matchFields: [{ key: 'metadata.labels', operator: 'In', values: ['n1'] }] }, n));
  });

  it('pins a pod to a node, replacing the required terms, and reads the pin back', () => {
    const affinity = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }] }, podAntiAffinity: {} }, 'n7');
    assert.deepEqual(affinity, {
      podAntiAffinity: {},
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }], requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }] } },
    });
    assert.equal(targetNodeName({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { affinity } }), 'n7');
    assert.equal(targetNodeName({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { nodeName: 'n2', affinity } }), 'n2');
    assert.equal(targetNodeName({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} }), undefined);
  });
});

describe('NodeShouldRunDaemonPod', () => {
  it('runs where selector and affinity admit the node and every NoSchedule/NoExecute taint is tolerated', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), ds()), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), ds({ nodeSelector: { disk: 'ssd' } })), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), ds({ nodeName: 'n2' })), { shouldRun: false, shouldContinueRunning: false });
    const noSchedule = node('n1', {}, [{ key: 'dedicated', effect: 'NoSchedule' }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds()), { shouldRun: false, shouldContinueRunning: true }, 'a pod already there may stay');
    assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] })), { shouldRun: true, shouldContinueRunning: true });
    const noExecute = node('n1', {}, [{ key: 'maintenance', effect: 'NoExecute' }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noExecute, ds()), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), ds()), { shouldRun: true, shouldContinueRunning: true });
  });

  it('tolerates node conditions by default: not-ready, unreachable, pressure, unschedulable', () => {
    for (const [key, effect] of [['node.kubernetes.io/not-ready', 'NoExecute'], ['node.kubernetes.io/unreachable', 'NoExecute'], ['node.kubernetes.io/unschedulable', 'NoSchedule'], ['node.kubernetes.io/memory-pressure', 'NoSchedule']] as const) {
      assert.equal(nodeShouldRunDaemonPod(node('n1', {}, [{ key, effect }]), ds()).shouldRun, true, key);
    }
    const network = node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
    assert.equal(nodeShouldRunDaemonPod(network, ds()).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(network, ds({ hostNetwork: true })).shouldRun, true);
  });
});
