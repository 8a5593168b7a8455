import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import { withRetentionOwners, desiredClaimOwners, hasStaleOwnerRef } from './claim-retention.ts';
import { claimsFor, identityMatches, newStatefulSetPod, parentAndOrdinal, podInOrdinalRange, storageMatches } from './identity.ts';
import { maxUnavailableOf, scaledValue } from './rolling.ts';
import type { PersistentVolumeClaim, StatefulSet, StatefulSetSpec } from './types.ts';

const set = (spec: Partial<StatefulSetSpec> = {}): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'set-uid' },
  spec: {
    replicas: 2, serviceName: 'nginx', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'x' } }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'] } }],
    ...spec,
  },
});

describe('StatefulSet pod identity', () => {
  it('parses "<set>-<ordinal>" names', () => {
    assert.deepEqual(parentAndOrdinal('web-12'), { parent: 'web', ordinal: 12 });
    assert.deepEqual(parentAndOrdinal('my-web-0'), { parent: 'my-web', ordinal: 0 });
    assert.deepEqual(parentAndOrdinal('web'), { parent: '', ordinal: -1 });
    assert.deepEqual(parentAndOrdinal('web-99999999999'), { parent: '', ordinal: -1 }, 'beyond int32');
  });

  it('builds a pod with its name, identity labels, hostname, subdomain and claim volumes', () => {
    const pod = newStatefulSetPod(set(), 1);
    assert.equal(pod.metadata.name, 'web-1');
    assert.deepEqual(pod.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    assert.equal(pod.spec?.['hostname'], 'web-1');
    assert.equal(pod.spec?.['subdomain'], 'nginx');
    // The claim replaces the template's same-named volume; other volumes stay.
    assert.deepEqual(pod.spec?.['volumes'], [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }, { name: 'cfg', configMap: { name: 'x' } }]);
    assert.ok(identityMatches(set(), pod) && storageMatches(set(), pod));
    const relabelled: Pod = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web' } } };
    assert.ok(!identityMatches(set(), relabelled));
  });

  it('names claims <template>-<set>-<ordinal> with the selector labels', () => {
    const claim = claimsFor(set(), 3).get('data');
    assert.equal(claim?.metadata.name, 'data-web-3');
    assert.deepEqual(claim?.metadata.labels, { tier: 'db', app: 'web' });
    assert.deepEqual(claim?.spec, { accessModes: ['ReadWriteOnce'] });
  });

  it('knows the wanted ordinal range, from spec.ordinals.start', () => {
    const s = set({ replicas: 2, ordinals: { start: 3 } });
    assert.deepEqual([2, 3, 4, 5].map((o) => podInOrdinalRange(newStatefulSetPod(s, o), s)), [false, true, true, false]);
  });

  it('resolves maxUnavailable: percentages round down, never below one', () => {
    assert.equal(maxUnavailableOf(undefined, 10), 1);
    assert.equal(maxUnavailableOf('25%', 10), 2);
    assert.equal(maxUnavailableOf('5%', 10), 1);
    assert.equal(maxUnavailableOf(3, 10), 3);
    assert.equal(scaledValue('25%', 10, true, 0), 3);
    assert.throws(() => scaledValue('x', 10, true, 0));
  });
});

describe('claim retention policy', () => {
  const live = (o: number, uid: string): Pod => ({ ...newStatefulSetPod(set(), o), metadata: { ...newStatefulSetPod(set(), o).metadata, uid } });
  const claim = (refs?: PersistentVolumeClaim['metadata']['ownerReferences']): PersistentVolumeClaim => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-web-1', ...(refs ? { ownerReferences: refs } : {}) } });
  const policy = (whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete') => set({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });

  it('decides who owns a claim from whenDeleted, whenScaled and whether the pod is scaled down', () => {
    const inRange = live(1, 'p1');
    const scaledDown = live(2, 'p2');
    assert.deepEqual(desiredClaimOwners(policy('Retain', 'Retain'), scaledDown), { set: false, pod: false });
    assert.deepEqual(desiredClaimOwners(policy('Delete', 'Retain'), scaledDown), { set: true, pod: false });
    assert.deepEqual(desiredClaimOwners(policy('Retain', 'Delete'), inRange), { set: false, pod: false });
    assert.deepEqual(desiredClaimOwners(policy('Retain', 'Delete'), scaledDown), { set: false, pod: true });
    assert.deepEqual(desiredClaimOwners(policy('Delete', 'Delete'), inRange), { set: true, pod: false });
    assert.deepEqual(desiredClaimOwners(policy('Delete', 'Delete'), scaledDown), { set: false, pod: true });
  });

  it('rewrites owner references: adds the wanted, removes the unwanted, keeps foreign ones', () => {
    const s = policy('Delete', 'Delete');
    const pod = live(2, 'p2');
    const foreign = { apiVersion: 'v1', kind: 'Other', name: 'o', uid: 'o1' };
    const next = withRetentionOwners(claim([foreign, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' }]), s, pod);
    assert.deepEqual(next?.metadata.ownerReferences, [foreign, { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'p2' }]);
    assert.equal(withRetentionOwners(next!, s, pod), undefined, 'already as wanted');
    assert.equal(withRetentionOwners(claim(), policy('Retain', 'Retain'), pod), undefined);
  });

  it('calls a claim owned by an earlier pod of the same name stale', () => {
    const c = claim([{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'old' }]);
    assert.ok(hasStaleOwnerRef(c, live(1, 'new')));
    assert.ok(!hasStaleOwnerRef(c, live(1, 'old')));
  });
});
