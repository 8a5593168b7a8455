import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { GraphBuilder, type GraphSinks } from './graph-builder.ts';
import type { ObjectIdentity } from './identity.ts';

function recorder() {
  const calls = { del: [] as string[], orphan: [] as string[], invalid: [] as { dep: string; message: string }[] };
  const sinks: GraphSinks = {
    attemptToDelete: (uid) => void calls.del.push(uid),
    attemptToOrphan: (uid) => void calls.orphan.push(uid),
    invalidOwnerNamespace: (dep, message) => void calls.invalid.push({ dep: dep.uid, message }),
  };
  return { calls, sinks };
}

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid, ...extra });

function cm(uid: string, namespace: string, meta: Partial<KubeObject['metadata']> = {}): { id: ObjectIdentity; obj: KubeObject } {
  const id: ObjectIdentity = { apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid, namespace };
  return { id, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id.name, namespace, uid, ...meta } } };
}

describe('GraphBuilder', () => {
  it('makes a virtual node for an owner not yet observed, queues it, and marks it observed when its informer shows it', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const dep = cm('d', 'ns', { ownerReferences: [ref('o')] });
    b.observe('add', dep.id, dep.obj);
    const owner = b.graph.get('o');
    assert.ok(owner?.virtual);
    assert.equal(owner.identity.namespace, 'ns', 'an unknown kind is assumed to live in the dependent namespace');
    assert.deepEqual([...owner.dependents].map((n) => n.uid), ['d']);
    assert.deepEqual(calls.del, ['o']);
    const o = cm('o', 'ns');
    b.observe('add', o.id, o.obj);
    assert.equal(b.graph.get('o')?.virtual, false);
    assert.deepEqual(calls.del, ['o'], 'an owner observed with matching coordinates queues nothing');
  });

  it('gives virtual owners of kinds discovery knows as cluster-scoped no namespace', () => {
    const { sinks } = recorder();
    const b = new GraphBuilder(sinks, { namespaced: (_v, kind) => (kind === 'Node' ? false : undefined) });
    const dep = cm('d', 'ns', { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n' }] });
    b.observe('add', dep.id, dep.obj);
    assert.equal(b.graph.get('n')?.identity.namespace, '');
  });

  it('queues the dependents of a deleted owner and remembers the owner as absent', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const o = cm('o', 'ns');
    b.observe('add', o.id, o.obj);
    for (const d of ['a', 'b']) {
      const dep = cm(d, 'ns', { ownerReferences: [ref('o')] });
      b.observe('add', dep.id, dep.obj);
    }
    calls.del.length = 0;
    b.observe('delete', o.id, o.obj);
    assert.equal(b.graph.get('o'), undefined);
    assert.deepEqual(calls.del.sort(), ['a', 'b']);
    assert.equal(b.absentOwners.has(o.id), true);
  });

  it('queues an object starting deletion with the orphan finalizer once, not on later updates', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const o = cm('o', 'ns');
    b.observe('add', o.id, o.obj);
    const deleting = cm('o', 'ns', { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['orphan'], resourceVersion: '2' });
    b.observe('update', o.id, deleting.obj, o.obj);
    const again = cm('o', 'ns', { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['orphan'], resourceVersion: '3' });
    b.observe('update', o.id, again.obj, deleting.obj);
    assert.deepEqual(calls.orphan, ['o']);
    assert.equal(b.graph.get('o')?.beingDeleted, true);
  });

  it('marks a foreground deletion and queues the owner and its dependents; a blocking reference removed wakes the owner', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const o = cm('o', 'ns');
    b.observe('add', o.id, o.obj);
    const dep = cm('d', 'ns', { ownerReferences: [ref('o', { blockOwnerDeletion: true })] });
    b.observe('add', dep.id, dep.obj);
    assert.deepEqual(b.graph.get('o')?.blockingDependents().map((n) => n.uid), ['d']);
    const fg = cm('o', 'ns', { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] });
    b.observe('update', o.id, fg.obj, o.obj);
    assert.equal(b.graph.get('o')?.deletingDependents, true);
    assert.deepEqual(calls.del.sort(), ['d', 'o']);
    calls.del.length = 0;
    // The dependent's reference stops blocking: the waiting owner is looked at again.
    const unblocked = cm('d', 'ns', { ownerReferences: [ref('o', { blockOwnerDeletion: false })] });
    b.observe('update', dep.id, unblocked.obj, dep.obj);
    assert.deepEqual(calls.del, ['o']);
    assert.deepEqual(b.graph.get('o')?.blockingDependents(), []);
    calls.del.length = 0;
    // A dependent's deletion also wakes its foreground owner.
    b.observe('delete', dep.id, unblocked.obj);
    assert.deepEqual(calls.del, ['o']);
    assert.equal(b.graph.get('o')?.dependents.size, 0);
  });

  it('reports a namespaced dependent naming an owner observed in another namespace, and queues it for verification', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const o = cm('o', 'ns1');
    b.observe('add', o.id, o.obj);
    const dep = cm('d', 'ns2', { ownerReferences: [ref('o')] });
    b.observe('add', dep.id, dep.obj);
    assert.deepEqual(calls.del, ['d']);
    assert.equal(calls.invalid.length, 1);
    assert.equal(calls.invalid[0]?.dep, 'd');
    assert.match(calls.invalid[0]?.message ?? '', /^ownerRef \[v1\/ConfigMap, namespace: ns2, name: cm-o, uid: o\] does not exist in namespace "ns2"$/);
  });

  it('re-verifies dependents whose references disagree with the identity an informer later shows', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const dep = cm('d', 'ns2', { ownerReferences: [ref('o')] });
    b.observe('add', dep.id, dep.obj);
    calls.del.length = 0;
    const o = cm('o', 'ns1');
    b.observe('add', o.id, o.obj);
    assert.deepEqual(calls.del, ['d']);
    assert.equal(calls.invalid.length, 1);
    assert.equal(b.graph.get('o')?.identity.namespace, 'ns1');
  });

  it('on a virtual delete keeps a virtual node that other dependents name differently, queueing only the matching ones', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const a = cm('a', 'ns', { ownerReferences: [ref('o')] });
    const c = cm('c', 'ns', { ownerReferences: [ref('o', { kind: 'Secret' })] });
    b.observe('add', a.id, a.obj);
    b.observe('add', c.id, c.obj);
    calls.del.length = 0;
    const asConfigMap = { ...ref('o'), namespace: 'ns' };
    b.virtualDelete(asConfigMap);
    assert.ok(b.graph.get('o'), 'kept for the dependent that names a Secret');
    assert.equal(b.graph.get('o')?.identity.kind, 'Secret', 'switched to the alternate identity');
    assert.deepEqual(calls.del, ['a', 'o']);
    assert.equal(b.absentOwners.has(asConfigMap), true);
    calls.del.length = 0;
    // Refuted as a Secret too: 'c' is queued, the node is kept for 'a' until the dependents go.
    b.virtualDelete({ ...ref('o', { kind: 'Secret' }), namespace: 'ns' });
    assert.deepEqual(calls.del, ['c', 'o']);
    b.observe('delete', a.id, a.obj);
    b.observe('delete', c.id, c.obj);
    assert.equal(b.graph.get('o')?.dependents.size, 0);
    b.virtualDelete(b.graph.get('o')!.identity);
    assert.equal(b.graph.get('o'), undefined);
  });

  it('never removes an observed node on a virtual delete of other coordinates', () => {
    const { calls, sinks } = recorder();
    const b = new GraphBuilder(sinks);
    const o = cm('o', 'ns');
    b.observe('add', o.id, o.obj);
    const dep = cm('d', 'ns', { ownerReferences: [ref('o', { kind: 'Secret' })] });
    b.observe('add', dep.id, dep.obj);
    calls.del.length = 0;
    b.virtualDelete({ ...ref('o', { kind: 'Secret' }), namespace: 'ns' });
    assert.ok(b.graph.get('o'));
    assert.deepEqual(calls.del, ['d']);
  });
});
