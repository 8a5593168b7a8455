import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/types.ts';
import type { RestClient } from '../../../client/index.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { fakeHandle, filterAll, makeNode, makePod, snapshotOf } from '../../testing/fixtures.ts';
import { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_UNBOUND_IMMEDIATE, newVolumeBinding, SELECTED_NODE_ANNOTATION } from './volume-binding.ts';

const pvc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec });
const sc = (name: string, mode: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, volumeBindingMode: mode, ...extra });
const withClaim = (claim: string) => makePod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] } });
const nodes = () => [makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z2' } })];

test('missing claims, and unbound claims of Immediate classes, block in PreFilter', () => {
  const snap = snapshotOf(nodes());
  const pl = newVolumeBinding({}, fakeHandle(snap, [pvc('imm', { storageClassName: 'fast' }), sc('fast', 'Immediate')]));
  assert.deepEqual(filterAll(pl, withClaim('nope'), snap), { a: 'prefilter: persistentvolumeclaim "nope" not found', b: 'prefilter: persistentvolumeclaim "nope" not found' });
  assert.equal(filterAll(pl, withClaim('imm'), snap)['a'], `prefilter: ${ERR_REASON_UNBOUND_IMMEDIATE}`);
  assert.deepEqual(filterAll(pl, makePod('novol'), snap), { a: '', b: '' });
});

test("a bound claim's PV node affinity must match", () => {
  const pv: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1' },
    spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }] } } },
  };
  const snap = snapshotOf(nodes());
  const pl = newVolumeBinding({}, fakeHandle(snap, [pvc('bound', { volumeName: 'pv1' }), pv]));
  assert.deepEqual(filterAll(pl, withClaim('bound'), snap), { a: ERR_REASON_NODE_CONFLICT, b: '' });
});

test('WaitForFirstConsumer: allowedTopologies filter nodes, and PreBind annotates the selected node', async () => {
  const snap = snapshotOf(nodes());
  const patches: unknown[] = [];
  const objects = [pvc('wffc', { storageClassName: 'local' }), sc('local', 'WaitForFirstConsumer', { provisioner: 'example.com/csi', allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['z1'] }] }] })];
  const handle = { ...fakeHandle(snap, objects), client: { patch: async (...args: unknown[]) => patches.push(args) } as unknown as RestClient };
  const pl = newVolumeBinding({}, handle);
  assert.deepEqual(filterAll(pl, withClaim('wffc'), snap), { a: '', b: ERR_REASON_BIND_CONFLICT });
  const state = new CycleState();
  const pi = new PodInfo(withClaim('wffc'));
  pl.preFilter(state, pi, snap.nodeInfoList);
  const s = await pl.preBind(state, pi, 'a', new AbortController().signal);
  assert.equal(s, undefined);
  assert.equal(patches.length, 1);
  assert.deepEqual((patches[0] as unknown[]).slice(0, 3), [
    { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default', name: 'wffc' },
    'merge',
    { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: 'a' } } },
  ]);
});
