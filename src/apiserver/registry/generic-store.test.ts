import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import type { KubeObject, ResourceDefinition } from '../../api/types.ts';
import { isStatusError, type StatusError } from '../../machinery/status-error.ts';
import { MemoryStore } from '../../store/index.ts';
import { ServiceAllocator } from './allocator.ts';
import { GenericStore } from './generic-store.ts';
import { strategyFor } from './strategies/index.ts';
import type { RequestContext } from './strategy.ts';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function ctx(overrides: Partial<RequestContext> = {}): RequestContext {
  return { user: 'tester', dryRun: false, fieldManager: undefined, now: NOW, ...overrides };
}

function definition(group: string, kind: string): ResourceDefinition {
  const def = BUILTIN_RESOURCES.find((d) => d.group === group && d.kind === kind);
  assert.ok(def, `${group}/${kind} is built in`);
  return def;
}

/** A started GenericStore for a built-in kind on a fresh memory store. */
async function open(group: string, kind: string, store = new MemoryStore()) {
  const def = definition(group, kind);
  const allocator = new ServiceAllocator(store, { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] });
  const gs = new GenericStore(def, strategyFor(def, { allocator }), store);
  await gs.start();
  return {
    gs,
    store,
    async [Symbol.asyncDispose]() {
      gs.cache.close();
      await store.close();
    },
  };
}

async function rejectsWithStatus(promise: Promise<unknown>, code: number, reason: string): Promise<StatusError> {
  let caught: StatusError | undefined;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.reason, reason, err.message);
    caught = err;
    return true;
  });
  return caught as StatusError;
}

function configMap(name: string, data: Record<string, string> = {}, metadata: KubeObject['metadata'] = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data };
}

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
}

function pod(name: string, nodeName?: string): KubeObject {
  const spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
  if (nodeName) spec['nodeName'] = nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec };
}

/** A mutation for update that edits the current object in place, as a patch does. */
function edit(change: (obj: KubeObject) => void): (current: KubeObject | undefined) => KubeObject {
  return (current) => {
    assert.ok(current, 'the object exists');
    change(current);
    return current;
  };
}

const spec = (obj: KubeObject) => obj['spec'] as Record<string, any>;
const status = (obj: KubeObject) => obj['status'] as Record<string, any>;

describe('GenericStore create and get', () => {
  it('assigns uid, creationTimestamp, namespace and resourceVersion; get reads it back', async () => {
    await using t = await open('', 'ConfigMap');
    const created = await t.gs.create('default', configMap('settings', { mode: 'fast' }, { uid: 'forged', deletionTimestamp: '2020-01-01T00:00:00Z' }), ctx());
    assert.match(created.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(created.metadata.uid, 'forged');
    assert.equal(created.metadata.creationTimestamp, '2026-03-04T05:06:07Z');
    assert.equal(created.metadata.namespace, 'default');
    assert.equal(created.metadata.deletionTimestamp, undefined);
    assert.equal(created.metadata.resourceVersion, String(await t.store.currentRevision()));
    assert.equal(created.metadata.generation, undefined, 'a kind without spec has no generation');
    assert.deepEqual(await t.gs.get('default', 'settings'), created);
  });

  it('names objects from generateName', async () => {
    await using t = await open('', 'ConfigMap');
    const a = await t.gs.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'job-' } }, ctx());
    const b = await t.gs.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'job-' } }, ctx());
    assert.match(a.metadata.name ?? '', /^job-[a-z0-9]{5}$/);
    assert.notEqual(a.metadata.name, b.metadata.name);
    assert.equal((await t.gs.get('default', a.metadata.name as string)).metadata.uid, a.metadata.uid);
  });

  it('starts generation at 1 for kinds with spec and resets status', async () => {
    await using t = await open('apps', 'Deployment');
    const input = deployment('web');
    input['status'] = { replicas: 99 };
    const created = await t.gs.create('default', input, ctx());
    assert.equal(created.metadata.generation, 1);
    assert.deepEqual(created['status'], {});
  });

  it('refuses duplicates with 409 AlreadyExists and bad requests with 400', async () => {
    await using t = await open('', 'ConfigMap');
    await t.gs.create('default', configMap('once'), ctx());
    const err = await rejectsWithStatus(t.gs.create('default', configMap('once'), ctx()), 409, 'AlreadyExists');
    assert.equal(err.message, 'configmaps "once" already exists');
    assert.deepEqual(err.status.details, { name: 'once', kind: 'configmaps' });
    await rejectsWithStatus(t.gs.create('default', configMap('rv', {}, { resourceVersion: '5' }), ctx()), 400, 'BadRequest');
    await rejectsWithStatus(t.gs.create('default', configMap('ns', {}, { namespace: 'other' }), ctx()), 400, 'BadRequest');
  });

  it('answers 404 NotFound for a missing object', async () => {
    await using t = await open('apps', 'Deployment');
    const err = await rejectsWithStatus(t.gs.get('default', 'missing'), 404, 'NotFound');
    assert.equal(err.message, 'deployments.apps "missing" not found');
  });

  it('rejects invalid objects with 422 Invalid and field causes, writing nothing', async () => {
    await using t = await open('apps', 'Deployment');
    const bad = deployment('Not_A_Name');
    spec(bad)['template'].spec.containers = [];
    const err = await rejectsWithStatus(t.gs.create('default', bad, ctx()), 422, 'Invalid');
    const fields = err.status.details?.causes?.map((c) => c.field) ?? [];
    assert.ok(fields.includes('metadata.name'), JSON.stringify(fields));
    assert.ok(fields.includes('spec.template.spec.containers'), JSON.stringify(fields));
    assert.equal(err.status.details?.kind, 'Deployment');
    assert.equal(err.status.details?.group, 'apps');
    assert.match(err.message, /^Deployment\.apps "Not_A_Name" is invalid: \[/);
    await rejectsWithStatus(t.gs.create('default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: spec(deployment('x')) }, ctx()), 422, 'Invalid');
    assert.equal(await t.store.currentRevision(), 0);

    await t.gs.create('default', deployment('web'), ctx());
    const revision = await t.store.currentRevision();
    const update = await rejectsWithStatus(
      t.gs.update('default', 'web', edit((cur) => { spec(cur)['replicas'] = -1; }), ctx()),
      422,
      'Invalid',
    );
    assert.ok(update.status.details?.causes?.some((c) => c.field === 'spec.replicas'));
    assert.equal(await t.store.currentRevision(), revision);
  });
});

describe('GenericStore update', () => {
  it('is a compare-and-swap when the caller pins a resourceVersion: stale means 409 Conflict', async () => {
    await using t = await open('', 'ConfigMap');
    const v1 = await t.gs.create('default', configMap('cfg', { a: '1' }), ctx());
    const { object: v2 } = await t.gs.update('default', 'cfg', () => configMap('cfg', { a: '2' }, { resourceVersion: v1.metadata.resourceVersion as string }), ctx());
    assert.ok(Number(v2.metadata.resourceVersion) > Number(v1.metadata.resourceVersion));
    assert.deepEqual(v2['data'], { a: '2' });
    const err = await rejectsWithStatus(
      t.gs.update('default', 'cfg', () => configMap('cfg', { a: 'stale' }, { resourceVersion: v1.metadata.resourceVersion as string }), ctx()),
      409,
      'Conflict',
    );
    assert.match(err.message, /^Operation cannot be fulfilled on configmaps "cfg": the object has been modified/);
    assert.deepEqual((await t.gs.get('default', 'cfg'))['data'], { a: '2' });
  });

  it('retries an unpinned update that lost a race, re-running the mutation on the new object', async () => {
    await using t = await open('', 'ConfigMap');
    await t.gs.create('default', configMap('cfg', { a: '1' }), ctx());
    let calls = 0;
    const { object } = await t.gs.update(
      'default',
      'cfg',
      async () => {
        calls++;
        // Someone else writes between our read and our write, once.
        if (calls === 1) await t.gs.update('default', 'cfg', edit((cur) => { cur['data'] = { a: '1', other: 'writer' }; }), ctx());
        return configMap('cfg', { a: 'mine' });
      },
      ctx(),
    );
    assert.equal(calls, 2);
    assert.deepEqual(object['data'], { a: 'mine' });
    assert.deepEqual((await t.gs.get('default', 'cfg'))['data'], { a: 'mine' });
  });

  it('retries patch-style updates (the mutation edits the current object) that race each other', async () => {
    await using t = await open('', 'ConfigMap');
    await t.gs.create('default', configMap('cfg'), ctx());
    // Like concurrent `kubectl label` calls: each patch applies to the object it is given.
    await Promise.all(
      ['x', 'y', 'z'].map((label) =>
        t.gs.update('default', 'cfg', edit((cur) => {
          cur.metadata.labels = { ...cur.metadata.labels, [label]: 'true' };
        }), ctx()),
      ),
    );
    assert.deepEqual((await t.gs.get('default', 'cfg')).metadata.labels, { x: 'true', y: 'true', z: 'true' });
  });

  it('does not write a no-op update', async () => {
    await using t = await open('apps', 'Deployment');
    const created = await t.gs.create('default', deployment('web'), ctx());
    const revision = await t.store.currentRevision();
    const { object } = await t.gs.update('default', 'web', edit(() => {}), ctx());
    assert.equal(object.metadata.resourceVersion, created.metadata.resourceVersion);
    const { object: again } = await t.gs.update('default', 'web', () => deployment('web'), ctx());
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion, 'an unchanged body (defaults apply) is a no-op');
    assert.equal(await t.store.currentRevision(), revision);
  });

  it('bumps generation only when spec changes', async () => {
    await using t = await open('apps', 'Deployment');
    await t.gs.create('default', deployment('web'), ctx());
    const labelled = await t.gs.update('default', 'web', edit((cur) => { cur.metadata.labels = { tier: 'front' }; }), ctx());
    assert.equal(labelled.object.metadata.generation, 1);
    const scaled = await t.gs.update('default', 'web', edit((cur) => { spec(cur)['replicas'] = 3; }), ctx());
    assert.equal(scaled.object.metadata.generation, 2);
    const forged = await t.gs.update('default', 'web', edit((cur) => { cur.metadata.generation = 40; }), ctx());
    assert.equal(forged.object.metadata.generation, 2, 'clients cannot set generation');
    const statusOnly = await t.gs.update('default', 'web', edit((cur) => { cur['status'] = { replicas: 3 }; }), ctx(), { subresource: 'status' });
    assert.equal(statusOnly.object.metadata.generation, 2);
  });

  it('splits status off: a status write changes only status, a main write keeps the stored status', async () => {
    await using t = await open('apps', 'Deployment');
    await t.gs.create('default', deployment('web', 1), ctx());
    const { object: afterStatus } = await t.gs.update(
      'default',
      'web',
      edit((cur) => {
        spec(cur)['replicas'] = 9;
        cur.metadata.labels = { sneaky: 'yes' };
        cur['status'] = { replicas: 1, readyReplicas: 1 };
      }),
      ctx(),
      { subresource: 'status' },
    );
    assert.equal(spec(afterStatus)['replicas'], 1);
    assert.equal(afterStatus.metadata.labels, undefined);
    assert.deepEqual(afterStatus['status'], { replicas: 1, readyReplicas: 1 });

    const { object: afterMain } = await t.gs.update(
      'default',
      'web',
      edit((cur) => {
        spec(cur)['replicas'] = 2;
        cur['status'] = { replicas: 100 };
      }),
      ctx(),
    );
    assert.equal(spec(afterMain)['replicas'], 2);
    assert.deepEqual(afterMain['status'], { replicas: 1, readyReplicas: 1 });
    assert.deepEqual((await t.gs.get('default', 'web'))['status'], { replicas: 1, readyReplicas: 1 });
  });

  it('answers NotFound for a missing object unless the kind creates on update', async () => {
    await using cms = await open('', 'ConfigMap');
    await rejectsWithStatus(cms.gs.update('default', 'nope', () => configMap('nope'), ctx()), 404, 'NotFound');
    await using leases = await open('coordination.k8s.io', 'Lease');
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader' }, spec: { holderIdentity: 'a' } };
    const { object, created } = await leases.gs.update('kube-system', 'leader', () => structuredClone(lease), ctx());
    assert.equal(created, true);
    assert.equal(object.metadata.namespace, 'kube-system');
    await rejectsWithStatus(leases.gs.update('kube-system', 'other', () => structuredClone(lease), ctx()), 400, 'BadRequest');
  });
});

describe('GenericStore delete', () => {
  it('removes an object without finalizers at once', async () => {
    await using t = await open('', 'ConfigMap');
    await t.gs.create('default', configMap('cfg'), ctx());
    const { object, deleted } = await t.gs.delete('default', 'cfg', {}, ctx());
    assert.equal(deleted, true);
    assert.equal(object.metadata.name, 'cfg');
    await rejectsWithStatus(t.gs.get('default', 'cfg'), 404, 'NotFound');
    await rejectsWithStatus(t.gs.delete('default', 'cfg', {}, ctx()), 404, 'NotFound');
  });

  it('with finalizers, marks the object and removes it when the last finalizer goes', async () => {
    await using t = await open('', 'ConfigMap');
    await t.gs.create('default', configMap('held', {}, { finalizers: ['example.com/a', 'example.com/b'] }), ctx());
    const first = await t.gs.delete('default', 'held', {}, ctx());
    assert.equal(first.deleted, false);
    assert.equal(first.object.metadata.deletionTimestamp, '2026-03-04T05:06:07Z');
    assert.equal(first.object.metadata.deletionGracePeriodSeconds, 0);
    const stored = await t.gs.get('default', 'held');
    assert.equal(stored.metadata.deletionTimestamp, '2026-03-04T05:06:07Z');

    const again = await t.gs.delete('default', 'held', {}, ctx({ now: new Date(NOW.getTime() + 60_000) }));
    assert.equal(again.deleted, false);
    assert.equal(again.object.metadata.resourceVersion, stored.metadata.resourceVersion, 'a repeated delete changes nothing');

    await rejectsWithStatus(
      t.gs.update('default', 'held', edit((cur) => { cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), 'example.com/new']; }), ctx()),
      422,
      'Invalid',
    );
    const partly = await t.gs.update('default', 'held', edit((cur) => { cur.metadata.finalizers = ['example.com/b']; }), ctx());
    assert.deepEqual(partly.object.metadata.finalizers, ['example.com/b']);
    assert.equal(partly.object.metadata.deletionTimestamp, '2026-03-04T05:06:07Z', 'deletionTimestamp cannot be cleared');
    await t.gs.update('default', 'held', edit((cur) => { delete cur.metadata.finalizers; }), ctx());
    await rejectsWithStatus(t.gs.get('default', 'held'), 404, 'NotFound');
    await t.gs.cache.waitFresh();
    assert.equal(t.gs.cache.get(t.gs.key('default', 'held')), undefined);
  });

  it('adds the orphan and foregroundDeletion finalizers for those propagation policies', async () => {
    await using t = await open('apps', 'Deployment');
    await t.gs.create('default', deployment('orphaned'), ctx());
    await t.gs.create('default', deployment('foreground'), ctx());
    await t.gs.create('default', deployment('legacy'), ctx());
    const orphan = await t.gs.delete('default', 'orphaned', { propagationPolicy: 'Orphan' }, ctx());
    assert.equal(orphan.deleted, false);
    assert.deepEqual(orphan.object.metadata.finalizers, ['orphan']);
    assert.ok(orphan.object.metadata.deletionTimestamp);
    const fg = await t.gs.delete('default', 'foreground', { propagationPolicy: 'Foreground' }, ctx());
    assert.equal(fg.deleted, false);
    assert.deepEqual(fg.object.metadata.finalizers, ['foregroundDeletion']);
    const legacy = await t.gs.delete('default', 'legacy', { orphanDependents: true }, ctx());
    assert.deepEqual(legacy.object.metadata.finalizers, ['orphan']);
  });

  it('a Background delete drops the propagation finalizers and completes the deletion', async () => {
    await using t = await open('apps', 'Deployment');
    await t.gs.create('default', deployment('web'), ctx());
    await t.gs.delete('default', 'web', { propagationPolicy: 'Orphan' }, ctx());
    const { deleted } = await t.gs.delete('default', 'web', { propagationPolicy: 'Background' }, ctx());
    assert.equal(deleted, true);
    await rejectsWithStatus(t.gs.get('default', 'web'), 404, 'NotFound');
  });

  it('checks uid and resourceVersion preconditions', async () => {
    await using t = await open('', 'ConfigMap');
    const cfg = await t.gs.create('default', configMap('cfg'), ctx());
    const uidErr = await rejectsWithStatus(t.gs.delete('default', 'cfg', { preconditions: { uid: 'someone-else' } }, ctx()), 409, 'Conflict');
    assert.match(uidErr.message, /Precondition failed: UID in precondition: someone-else/);
    await rejectsWithStatus(t.gs.delete('default', 'cfg', { preconditions: { resourceVersion: '999' } }, ctx()), 409, 'Conflict');
    const { deleted } = await t.gs.delete(
      'default',
      'cfg',
      { preconditions: { uid: cfg.metadata.uid as string, resourceVersion: cfg.metadata.resourceVersion as string } },
      ctx(),
    );
    assert.equal(deleted, true);
  });

  it('deletes an unscheduled pod at once', async () => {
    await using t = await open('', 'Pod');
    await t.gs.create('default', pod('pending'), ctx());
    const { deleted } = await t.gs.delete('default', 'pending', {}, ctx());
    assert.equal(deleted, true);
    await rejectsWithStatus(t.gs.get('default', 'pending'), 404, 'NotFound');
  });

  it('leaves a pod on a node for its grace period; status updates do not end it early', async () => {
    await using t = await open('', 'Pod');
    await t.gs.create('default', pod('web', 'node-1'), ctx());
    const { object, deleted } = await t.gs.delete('default', 'web', {}, ctx());
    assert.equal(deleted, false);
    assert.equal(object.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(object.metadata.deletionTimestamp, '2026-03-04T05:06:37Z');

    // The node agent reports the containers stopping: the pod is still there.
    const { object: reported } = await t.gs.update(
      'default',
      'web',
      edit((cur) => {
        cur['status'] = { ...status(cur), phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
      }),
      ctx(),
      { subresource: 'status' },
    );
    assert.equal(status(reported)['phase'], 'Running');
    assert.equal((await t.gs.get('default', 'web')).metadata.deletionGracePeriodSeconds, 30);

    // A shorter grace period shortens the deadline; a longer one does not extend it.
    const shorter = await t.gs.delete('default', 'web', { gracePeriodSeconds: 5 }, ctx());
    assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 5);
    assert.equal(shorter.object.metadata.deletionTimestamp, '2026-03-04T05:06:12Z');
    const longer = await t.gs.delete('default', 'web', { gracePeriodSeconds: 60 }, ctx());
    assert.equal(longer.object.metadata.deletionGracePeriodSeconds, 5);

    // The node agent confirms with a zero grace period: now it is gone.
    const done = await t.gs.delete('default', 'web', { gracePeriodSeconds: 0 }, ctx());
    assert.equal(done.deleted, true);
    await rejectsWithStatus(t.gs.get('default', 'web'), 404, 'NotFound');
  });

  it('lets a zero grace period end a pod\'s grace early, leaving only its finalizers to wait for', async () => {
    await using t = await open('', 'Pod');
    const held = pod('held', 'node-1');
    held.metadata.finalizers = ['example.com/hold'];
    await t.gs.create('default', held, ctx());
    const graceful = await t.gs.delete('default', 'held', {}, ctx());
    assert.equal(graceful.object.metadata.deletionGracePeriodSeconds, 30);
    const confirmed = await t.gs.delete('default', 'held', { gracePeriodSeconds: 0 }, ctx());
    assert.equal(confirmed.deleted, false, 'the finalizer still holds it');
    assert.equal(confirmed.object.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(confirmed.object.metadata.deletionTimestamp, '2026-03-04T05:06:07Z');
    await t.gs.update('default', 'held', edit((cur) => { delete cur.metadata.finalizers; }), ctx());
    await rejectsWithStatus(t.gs.get('default', 'held'), 404, 'NotFound');
  });

  it('turns a namespace Terminating while spec.finalizers remain, then removes it when finalized', async () => {
    await using t = await open('', 'Namespace');
    const ns = await t.gs.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, ctx());
    assert.deepEqual(spec(ns)['finalizers'], ['kubernetes']);
    assert.equal(status(ns)['phase'], 'Active');
    assert.equal(ns.metadata.namespace, undefined);
    const { object, deleted } = await t.gs.delete(undefined, 'team', {}, ctx());
    assert.equal(deleted, false);
    assert.equal(status(object)['phase'], 'Terminating');
    assert.equal(object.metadata.deletionTimestamp, '2026-03-04T05:06:07Z');
    assert.equal(status(await t.gs.get(undefined, 'team'))['phase'], 'Terminating');
    // The namespace controller empties the namespace, then finalizes it.
    await t.gs.update(undefined, 'team', edit((cur) => { spec(cur)['finalizers'] = []; }), ctx(), { subresource: 'internal' });
    await rejectsWithStatus(t.gs.get(undefined, 'team'), 404, 'NotFound');
  });

  it('releases a Service allocation when the object goes, and when a create fails', async () => {
    await using t = await open('', 'Service');
    const svc = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
    const created = await t.gs.create('default', svc('web'), ctx());
    const ip = spec(created)['clusterIP'] as string;
    assert.match(ip, /^10\.43\.\d+\.\d+$/);
    const allocated = async () => (await t.store.list('/registry/ranges/serviceips/')).items.map((kv) => kv.key.split('/').pop());
    assert.deepEqual(await allocated(), [ip]);
    await rejectsWithStatus(t.gs.create('default', svc('web'), ctx()), 409, 'AlreadyExists');
    assert.deepEqual(await allocated(), [ip], 'the failed create gave its address back');
    const { object: updated } = await t.gs.update('default', 'web', () => svc('web'), ctx());
    assert.equal(spec(updated)['clusterIP'], ip, 'an update without clusterIP keeps the allocated one');
    await t.gs.delete('default', 'web', {}, ctx());
    assert.deepEqual(await allocated(), []);
  });
});

describe('GenericStore dry run', () => {
  it('writes nothing for create, update and delete', async () => {
    await using t = await open('', 'Service');
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } };
    const dry = await t.gs.create('default', structuredClone(svc), ctx({ dryRun: true }));
    assert.ok(dry.metadata.uid);
    assert.equal(dry.metadata.resourceVersion, undefined);
    assert.equal(await t.store.currentRevision(), 0, 'no object and no address allocation');
    await rejectsWithStatus(t.gs.get('default', 'web'), 404, 'NotFound');

    const real = await t.gs.create('default', structuredClone(svc), ctx());
    const revision = await t.store.currentRevision();
    const { object } = await t.gs.update('default', 'web', edit((cur) => { cur.metadata.labels = { a: 'b' }; }), ctx({ dryRun: true }));
    assert.deepEqual(object.metadata.labels, { a: 'b' });
    const { deleted } = await t.gs.delete('default', 'web', {}, ctx({ dryRun: true }));
    assert.equal(deleted, true);
    assert.equal(await t.store.currentRevision(), revision);
    assert.deepEqual(await t.gs.get('default', 'web'), real);
  });
});

describe('GenericStore list', () => {
  async function seed(t: { gs: GenericStore }): Promise<void> {
    for (const name of ['e', 'b', 'a', 'd', 'c']) await t.gs.create('default', configMap(name, { v: '1' }), ctx());
    await t.gs.create('other', configMap('a', { v: '1' }), ctx());
  }
  const names = (r: { items: { object: KubeObject }[] }) => r.items.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`);

  it('lists a namespace or everything, freshly, with a selector', async () => {
    await using t = await open('', 'ConfigMap');
    await seed(t);
    const all = await t.gs.list({});
    assert.deepEqual(names(all), ['default/a', 'default/b', 'default/c', 'default/d', 'default/e', 'other/a']);
    assert.equal(all.resourceVersion, String(await t.store.currentRevision()));
    assert.deepEqual(names(await t.gs.list({ namespace: 'other' })), ['other/a']);
    assert.deepEqual(names(await t.gs.list({ namespace: 'default', matches: (o) => o.metadata.name !== 'c' })), ['default/a', 'default/b', 'default/d', 'default/e']);
  });

  it('pages with limit and continue', async () => {
    await using t = await open('', 'ConfigMap');
    await seed(t);
    const first = await t.gs.list({ namespace: 'default', limit: 2 });
    assert.deepEqual(names(first), ['default/a', 'default/b']);
    assert.equal(first.remainingItemCount, 3);
    assert.ok(first.continueToken);
    const second = await t.gs.list({ namespace: 'default', limit: 2, continueToken: first.continueToken });
    assert.deepEqual(names(second), ['default/c', 'default/d']);
    assert.equal(second.remainingItemCount, 1);
    assert.equal(second.resourceVersion, first.resourceVersion);
    const third = await t.gs.list({ namespace: 'default', limit: 2, continueToken: second.continueToken });
    assert.deepEqual(names(third), ['default/e']);
    assert.equal(third.continueToken, undefined);
    assert.equal(third.remainingItemCount, undefined);
  });

  it('serves later pages from the store at the first page revision when the cache has moved on', async () => {
    await using t = await open('', 'ConfigMap');
    await seed(t);
    const first = await t.gs.list({ namespace: 'default', limit: 2 });
    await t.gs.update('default', 'c', edit((cur) => { cur['data'] = { v: '2' }; }), ctx());
    await t.gs.create('default', configMap('bb'), ctx());
    await t.gs.delete('default', 'e', {}, ctx());
    await t.gs.cache.waitFresh();
    assert.notEqual(String(t.gs.cache.revision), first.resourceVersion);
    const rest = await t.gs.list({ namespace: 'default', continueToken: first.continueToken });
    assert.deepEqual(names(rest), ['default/c', 'default/d', 'default/e']);
    assert.deepEqual(rest.items[0]?.object['data'], { v: '1' }, 'as it was at the first page');
    assert.equal(rest.resourceVersion, first.resourceVersion);
    assert.equal(rest.continueToken, undefined);
    const paged = await t.gs.list({ namespace: 'default', limit: 1, continueToken: first.continueToken });
    assert.deepEqual(names(paged), ['default/c']);
    assert.deepEqual(names(await t.gs.list({ namespace: 'default', continueToken: paged.continueToken })), ['default/d', 'default/e']);
  });

  it('answers 410 for a continue token whose revision was compacted and 400 for garbage', async () => {
    await using t = await open('', 'ConfigMap');
    await seed(t);
    const first = await t.gs.list({ limit: 1 });
    await t.gs.create('default', configMap('later'), ctx());
    await t.store.compact(await t.store.currentRevision());
    await t.gs.cache.waitFresh();
    await rejectsWithStatus(t.gs.list({ limit: 1, continueToken: first.continueToken }), 410, 'Expired');
    await rejectsWithStatus(t.gs.list({ continueToken: 'not-a-token' }), 400, 'BadRequest');
  });

  it('lists at an exact past resourceVersion', async () => {
    await using t = await open('', 'ConfigMap');
    const a = await t.gs.create('default', configMap('a', { v: '1' }), ctx());
    await t.gs.create('default', configMap('b', { v: '1' }), ctx());
    const at = await t.store.currentRevision();
    await t.gs.update('default', 'a', edit((cur) => { cur['data'] = { v: '2' }; }), ctx());
    await t.gs.delete('default', 'b', {}, ctx());
    await t.gs.cache.waitFresh();
    const past = await t.gs.list({ resourceVersion: String(at), resourceVersionMatch: 'Exact' });
    assert.equal(past.resourceVersion, String(at));
    assert.deepEqual(names(past), ['default/a', 'default/b']);
    assert.deepEqual(past.items[0]?.object['data'], { v: '1' });
    const older = await t.gs.list({ resourceVersion: a.metadata.resourceVersion as string, resourceVersionMatch: 'Exact' });
    assert.deepEqual(names(older), ['default/a']);
    const now = await t.gs.list({ resourceVersion: String(await t.store.currentRevision()), resourceVersionMatch: 'Exact' });
    assert.deepEqual(names(now), ['default/a']);
    assert.deepEqual(now.items[0]?.object['data'], { v: '2' });
    await rejectsWithStatus(t.gs.list({ resourceVersionMatch: 'Exact' }), 400, 'BadRequest');
    await rejectsWithStatus(t.gs.list({ resourceVersion: '0', resourceVersionMatch: 'Exact' }), 400, 'BadRequest');
    await rejectsWithStatus(t.gs.list({ resourceVersion: 'abc' }), 400, 'BadRequest');
  });
});

describe('GenericStore watch', () => {
  it('answers 410 Expired for a resourceVersion older than the cache window', async () => {
    const store = new MemoryStore();
    for (const name of ['x', 'y']) {
      await store.create(`/registry/core/configmaps/default/${name}`, new TextEncoder().encode(JSON.stringify(configMap(name, {}, { namespace: 'default' }))));
    }
    await using t = await open('', 'ConfigMap', store);
    await rejectsWithStatus(t.gs.watch('1', {}, () => true), 410, 'Expired');
    const seen: string[] = [];
    const w = await t.gs.watch('0', { namespace: 'default' }, (type, e) => (seen.push(`${type} ${e.object.metadata.name}`), true));
    assert.deepEqual(seen, ['ADDED x', 'ADDED y']);
    w.close();
  });
});
