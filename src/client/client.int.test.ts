// The client layer against a real in-process API server over HTTPS/HTTP2 with the admin kubeconfig.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { startControlPlane, type ControlPlane } from '../apiserver/index.ts';
import { gone, isAlreadyExists, isConflict, isNotFound, StatusError } from '../machinery/status-error.ts';
import { MemoryStore } from '../store/index.ts';
import { EventRecorder, Informer, LeaderElector, listWatchFor, restLeaseClient, RestClient, type ListWatch, type WatchEvent } from './index.ts';

const CM = { group: '', version: 'v1', resource: 'configmaps' } as const;
const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const transport of ['https', 'in-process'] as const) describe(`client against a real API server (${transport})`, () => {
  let dir: string;
  let cp: ControlPlane;
  let client: RestClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-client-'));
    cp = await startControlPlane({
      dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
      maxInflight: 400, version: 'v1.33.0', logger: pino({ level: 'silent' }), openStore: async () => new MemoryStore(),
    });
    client = transport === 'https' ? await RestClient.fromKubeconfig(cp.kubeconfigPath) : cp.localClient();
  });

  after(async () => {
    client?.close();
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, reads, lists, updates, patches, deletes and watches', async () => {
    const created = await client.create(CM, cm('crud', { a: '1' }), { fieldManager: 'test' });
    assert.ok(created.metadata.resourceVersion);
    await assert.rejects(client.create(CM, cm('crud')), (e) => isAlreadyExists(e) && e instanceof StatusError && e.code === 409);
    const ac = new AbortController();
    const seen: WatchEvent[] = [];
    const watching = (async () => {
      for await (const ev of client.watch({ ...CM, namespace: 'default' }, { resourceVersion: created.metadata.resourceVersion!, fieldSelector: 'metadata.name=crud', signal: ac.signal })) seen.push(ev);
    })().catch(() => undefined);
    const got = await client.get({ ...CM, namespace: 'default', name: 'crud' });
    assert.deepEqual(got.data, { a: '1' });
    const updated = await client.update({ ...CM, namespace: 'default' }, { ...got, data: { a: '2' } });
    await assert.rejects(client.update({ ...CM, namespace: 'default' }, { ...got, data: { a: '3' } }), isConflict);
    const patched = await client.patch({ ...CM, namespace: 'default', name: 'crud' }, 'merge', { data: { b: 'x' } });
    assert.deepEqual(patched.data, { a: '2', b: 'x' });
    assert.notEqual(patched.metadata.resourceVersion, updated.metadata.resourceVersion);
    const listed = await client.list({ ...CM, namespace: 'default' }, { fieldSelector: 'metadata.name=crud' });
    assert.deepEqual(listed.items.map((i) => i.metadata.name), ['crud']);
    await client.delete({ ...CM, namespace: 'default', name: 'crud' });
    await assert.rejects(client.get({ ...CM, namespace: 'default', name: 'crud' }), isNotFound);
    await until(() => seen.length >= 3);
    ac.abort();
    await watching;
    assert.deepEqual(seen.map((e) => e.type), ['MODIFIED', 'MODIFIED', 'DELETED']);
  });

  it('keeps an informer in sync across server-closed watches and a re-list after 410', async () => {
    const ref = { ...CM, namespace: 'default' };
    await client.create(ref, cm('inf-a'));
    await client.create(ref, cm('inf-b'));
    const real = listWatchFor<KubeObject>(client, ref, { labelSelector: '' });
    let injectGone = false;
    let relists = 0;
    let watches = 0;
    // The real list/watch, plus a 410 ERROR event on demand (the watch cache window is hard to outrun in a test).
    const lw: ListWatch<KubeObject> = {
      list: (o) => (relists++, real.list(o)),
      async *watch(o) {
        watches++;
        for await (const ev of real.watch(o)) {
          yield ev;
          if (injectGone) {
            injectGone = false;
            yield { type: 'ERROR', object: gone('too old resource version').status };
            return;
          }
        }
      },
    };
    const informer = new Informer(lw, { watchTimeoutSeconds: 1 });
    const adds: string[] = [];
    const deletes: string[] = [];
    informer.addEventHandler({ onAdd: (o) => adds.push(o.metadata.name!), onDelete: (o) => deletes.push(o.metadata.name!) });
    const ac = new AbortController();
    const running = informer.run(ac.signal);
    await informer.hasSynced;
    assert.ok(informer.lister.get('default', 'inf-a'));
    await new Promise((r) => setTimeout(r, 1500)); // the server ends the watch after 1 s; the informer resumes
    await client.create(ref, cm('inf-c'));
    await client.delete({ ...ref, name: 'inf-a' });
    await until(() => informer.lister.get('default', 'inf-c') !== undefined && informer.lister.get('default', 'inf-a') === undefined);
    assert.ok(watches >= 2, 'the server ended the first watch');
    assert.equal(relists, 1, 'resumed from the last resourceVersion without re-listing');
    injectGone = true;
    await client.patch({ ...ref, name: 'inf-b' }, 'merge', { data: { x: '1' } });
    await until(() => relists === 2);
    await client.delete({ ...ref, name: 'inf-b' });
    await until(() => informer.lister.get('default', 'inf-b') === undefined);
    ac.abort();
    await running;
    assert.deepEqual(adds.filter((n) => n.startsWith('inf-')).sort(), ['inf-a', 'inf-b', 'inf-c'], 'no duplicate adds');
    assert.deepEqual(deletes.sort(), ['inf-a', 'inf-b']);
  });

  it('aggregates repeated events into one Event with a count', async () => {
    const obj = await client.create({ ...CM, namespace: 'default' }, cm('evented'));
    const recorder = new EventRecorder(client, { source: { component: 'test-controller' }, reportingInstance: 'test-1' });
    await recorder.event(obj, 'Warning', 'FailedSync', 'could not sync');
    await recorder.event(obj, 'Warning', 'FailedSync', 'could not sync');
    await recorder.event(obj, 'Warning', 'FailedSync', 'could not sync');
    await recorder.event(obj, 'Normal', 'Synced', 'ok');
    const events = await client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' }, { fieldSelector: 'involvedObject.name=evented' });
    const byReason = Object.fromEntries(events.items.map((e) => [e.reason as string, e]));
    assert.equal(events.items.length, 2);
    assert.equal(byReason.FailedSync?.count, 3);
    assert.equal(byReason.FailedSync?.type, 'Warning');
    assert.deepEqual(byReason.FailedSync?.involvedObject, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'evented', uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion });
    assert.equal(byReason.Synced?.count, 1);
    assert.equal(byReason.Synced?.reportingComponent, 'test-controller');
  });

  it('elects one leader on a Lease and fails over when it stops', async () => {
    const leases = restLeaseClient(client);
    const leading = new Set<string>();
    const start = (identity: string) => {
      const ac = new AbortController();
      const elector = new LeaderElector(
        {
          namespace: 'default', name: 'test-lock', identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200,
          onStartedLeading: () => void leading.add(identity),
          onStoppedLeading: () => void leading.delete(identity),
        },
        { leases },
      );
      return { ac, done: elector.run(ac.signal) };
    };
    const a = start('a');
    await until(() => leading.has('a'));
    const b = start('b');
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual([...leading], ['a']);
    const stoppedAt = Date.now();
    a.ac.abort();
    await a.done;
    await until(() => leading.has('b'), 3000);
    assert.ok(Date.now() - stoppedAt < 3000);
    assert.deepEqual([...leading], ['b']);
    const lease = await leases.get('default', 'test-lock');
    assert.equal(lease?.spec?.holderIdentity, 'b');
    assert.equal(lease?.spec?.leaseTransitions, 1);
    b.ac.abort();
    await b.done;
  });
});

describe('in-process client', () => {
  let dir: string;
  let cp: ControlPlane;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-local-'));
    cp = await startControlPlane({
      dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
      maxInflight: 400, version: 'v1.33.0', logger: pino({ level: 'silent' }), openStore: async () => new MemoryStore(),
    });
  });

  after(async () => {
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('acts as the given identity, through the same authorization and validation as the network', async () => {
    const client = cp.localClient();
    const review: KubeObject = await client.create({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews' }, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
    assert.equal((review['status'] as { userInfo: { username: string } }).userInfo.username, 'system:kube-controller-manager');
    await assert.rejects(client.create(CM, { ...cm('Bad_Name') }), (e) => e instanceof StatusError && e.code === 422 && e.status.reason === 'Invalid');
    const other = cp.localClient({ username: 'alice', groups: ['system:authenticated'] });
    const whoami: KubeObject = await other.create({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews' }, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
    assert.equal((whoami['status'] as { userInfo: { username: string } }).userInfo.username, 'alice');
  });

  it('ends a watch on the server when the client aborts, and close() ends every open watch', async () => {
    const client = cp.localClient();
    const ac = new AbortController();
    const events: string[] = [];
    const first = (async () => {
      for await (const ev of client.watch({ ...CM, namespace: 'default' }, { signal: ac.signal })) events.push(ev.type);
    })().catch((e: unknown) => e);
    const second = (async () => {
      const got: string[] = [];
      for await (const ev of client.watch({ ...CM, namespace: 'default' })) got.push(ev.type);
      return got;
    })().catch((e: unknown) => e);
    await client.create(CM, cm('w1'));
    await until(() => events.length >= 1);
    ac.abort();
    await first;
    await client.create(CM, cm('w2'));
    client.close();
    assert.ok((await second) instanceof Error, 'close() ends an open watch with an error');
    assert.deepEqual(events, ['ADDED']);
  });
});
