// @kubernetes/client-node (v2) against Strata: typed lists, a label-selected watch, informers that
// must keep a correct cache across server-closed watches and a full server restart, a JSON patch
// of a Namespace and server-side apply, all through the client's own API surface.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type V1ConfigMap,
  type V1ManagedFieldsEntry,
} from '@kubernetes/client-node';
import { startStrata, type StrataProcess } from './harness.ts';

let proc: StrataProcess & { cleanup(): Promise<void> };
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  proc = await startStrata();
  kc = new KubeConfig();
  kc.loadFromFile(proc.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});

after(async () => {
  await proc?.cleanup();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function createNamespace(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

function configMap(name: string, labels: Record<string, string>, data: Record<string, string> = {}): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

/** The status code and Status body of a rejected call. */
async function apiError(call: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, body };
  }
  assert.fail('the call succeeded');
}

test('CoreV1Api lists pods and configmaps, with selectors and pages', async () => {
  const ns = 'cn-list';
  await createNamespace(ns);
  for (const [name, app] of [['web-0', 'web'], ['web-1', 'web'], ['db-0', 'db']] as const) {
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name, labels: { app } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } });
  }
  for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: ns, body: configMap(`cfg-${i}`, { n: String(i % 2) }, { i: String(i) }) });

  const pods = await core.listNamespacedPod({ namespace: ns });
  assert.deepEqual(pods.items.map((p) => p.metadata?.name), ['db-0', 'web-0', 'web-1']);
  assert.equal(pods.items[0]?.spec?.containers[0]?.image, 'nginx:1.27');
  assert.ok(pods.items[0]?.metadata?.creationTimestamp instanceof Date, 'the typed client parsed creationTimestamp');
  assert.ok(Number(pods.metadata?.resourceVersion) > 0, `list resourceVersion ${pods.metadata?.resourceVersion}`);
  const web = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
  assert.deepEqual(web.items.map((p) => p.metadata?.name), ['web-0', 'web-1']);
  const byName = await core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=db-0' });
  assert.deepEqual(byName.items.map((p) => p.metadata?.name), ['db-0']);

  // `labelSelector: 'n'` leaves out the kube-root-ca.crt the root-ca-cert-publisher adds to every namespace.
  const cms = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'n' });
  assert.deepEqual(cms.items.map((c) => [c.metadata?.name, c.data?.['i']]), [0, 1, 2, 3, 4].map((i) => [`cfg-${i}`, String(i)]));
  const odd = await core.listConfigMapForAllNamespaces({ labelSelector: 'n=1' });
  assert.deepEqual(odd.items.filter((c) => c.metadata?.namespace === ns).map((c) => c.metadata?.name), ['cfg-1', 'cfg-3']);

  // Pages: limit + continue give every item once, in order.
  const first = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'n', limit: 2 });
  assert.deepEqual(first.items.map((c) => c.metadata?.name), ['cfg-0', 'cfg-1']);
  assert.ok(first.metadata?._continue, 'a continue token');
  assert.equal(first.metadata?.remainingItemCount, 3);
  const second = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'n', limit: 2, _continue: first.metadata._continue });
  const third = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'n', limit: 2, _continue: second.metadata?._continue ?? '' });
  assert.deepEqual([...second.items, ...third.items].map((c) => c.metadata?.name), ['cfg-2', 'cfg-3', 'cfg-4']);
  assert.ok(!third.metadata?._continue, 'no token after the last page');

  const missing = await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'nope' }));
  assert.equal(missing.code, 404);
  assert.equal(missing.body.reason, 'NotFound');
});

test('Watch with a label selector sees exactly the matching objects', async () => {
  const ns = 'cn-watch';
  await createNamespace(ns);
  const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=watched' });
  const events: [string, string, string][] = [];
  let ended: unknown = 'open';
  const controller = await new Watch(kc).watch(
    `/api/v1/namespaces/${ns}/configmaps`,
    { labelSelector: 'app=watched', resourceVersion: list.metadata?.resourceVersion },
    (type, obj: V1ConfigMap) => events.push([type, obj.metadata?.name ?? '', obj.data?.['v'] ?? '']),
    (err) => (ended = err),
  );
  try {
    const write = {
      create: (name: string, app: string, v: string) => core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { app }, { v }) }),
      replace: (name: string, app: string, v: string) => core.replaceNamespacedConfigMap({ namespace: ns, name, body: configMap(name, { app }, { v }) }),
      delete: (name: string) => core.deleteNamespacedConfigMap({ namespace: ns, name }),
    };
    await write.create('m1', 'watched', '1');
    await write.create('n1', 'other', '1'); // never matches: not seen
    await write.replace('m1', 'watched', '2');
    await write.replace('n1', 'other', '2'); // still not matching: not seen
    await write.replace('n1', 'watched', '3'); // starts matching: ADDED
    await write.replace('m1', 'other', '3'); // stops matching: DELETED (with its last matching content)
    await write.replace('m1', 'other', '4'); // not matching any more: not seen
    await write.delete('n1');
    await write.create('m2', 'watched', '1');
    await write.delete('m2');
    await write.create('n2', 'other', '1');
    await write.delete('n2');
    await write.create('end', 'watched', '1');
    const deadline = Date.now() + 10_000;
    while (!events.some(([, name]) => name === 'end') && Date.now() < deadline) await sleep(20);
    assert.deepEqual(events, [
      ['ADDED', 'm1', '1'],
      ['MODIFIED', 'm1', '2'],
      ['ADDED', 'n1', '3'],
      ['DELETED', 'm1', '2'],
      ['DELETED', 'n1', '3'],
      ['ADDED', 'm2', '1'],
      ['DELETED', 'm2', '1'],
      ['ADDED', 'end', '1'],
    ]);
    assert.equal(ended, 'open', 'the watch is still open');
  } finally {
    controller.abort();
  }
});

test('JSON patch of a Namespace through patchNamespace', async () => {
  const name = 'cn-patch';
  await core.createNamespace({ body: { metadata: { name, labels: { keep: 'yes' } } } });
  // client-node v2 picks the body's Content-Type from the operation's first media type; the
  // header middleware states it explicitly.
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  const patched = await core.patchNamespace(
    {
      name,
      body: [
        { op: 'add', path: '/metadata/labels/team', value: 'blue' },
        { op: 'add', path: '/metadata/labels/tier', value: 'gold' },
        { op: 'remove', path: '/metadata/labels/keep' },
      ],
      fieldManager: 'client-node-test',
    },
    jsonPatch,
  );
  assert.deepEqual(patched.metadata?.labels, { 'kubernetes.io/metadata.name': name, team: 'blue', tier: 'gold' });
  const read = await core.readNamespace({ name });
  assert.deepEqual(read.metadata?.labels, patched.metadata?.labels);
  assert.equal(read.metadata?.resourceVersion, patched.metadata?.resourceVersion);
  assert.ok(read.metadata?.managedFields?.some((m) => m.manager === 'client-node-test' && m.operation === 'Update'), JSON.stringify(read.metadata?.managedFields));

  // A failing "test" operation rejects the whole patch (422) and changes nothing.
  const failed = await apiError(
    core.patchNamespace(
      {
        name,
        body: [
          { op: 'add', path: '/metadata/labels/half', value: 'done' },
          { op: 'test', path: '/metadata/labels/team', value: 'red' },
        ],
      },
      jsonPatch,
    ),
  );
  assert.equal(failed.code, 422, JSON.stringify(failed.body));
  const unchanged = await core.readNamespace({ name });
  assert.equal(unchanged.metadata?.resourceVersion, read.metadata?.resourceVersion);
  assert.equal(unchanged.metadata?.labels?.['half'], undefined);
});

test('server-side apply through patchNamespacedConfigMap', async () => {
  const ns = 'cn-ssa';
  await createNamespace(ns);
  const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const apply = (manager: string, data: Record<string, string>, force?: boolean) =>
    core.patchNamespacedConfigMapWithHttpInfo(
      { namespace: ns, name: 'applied', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: ns }, data }, fieldManager: manager, ...(force === undefined ? {} : { force }) },
      ssa,
    );
  const owned = (entries: V1ManagedFieldsEntry[] | undefined, manager: string): string[] => {
    const entry = entries?.find((m) => m.manager === manager && m.operation === 'Apply');
    return Object.keys((entry?.fieldsV1 as { 'f:data'?: Record<string, unknown> } | undefined)?.['f:data'] ?? {}).sort();
  };

  const created = await apply('alpha', { a: '1', b: '2' }, true);
  assert.equal(created.httpStatusCode, 201, 'apply creates the object');
  assert.deepEqual(created.data.data, { a: '1', b: '2' });
  assert.deepEqual(owned(created.data.metadata?.managedFields, 'alpha'), ['f:a', 'f:b']);

  // Another manager setting a field alpha owns to a different value conflicts without force.
  const conflict = await apiError(apply('beta', { a: '9' }));
  assert.equal(conflict.code, 409, JSON.stringify(conflict.body));
  assert.equal(conflict.body.reason, 'Conflict');
  assert.match(JSON.stringify(conflict.body.details?.causes ?? []), /\.data\.a/);

  const forced = await apply('beta', { a: '9' }, true);
  assert.equal(forced.httpStatusCode, 200);
  assert.deepEqual(forced.data.data, { a: '9', b: '2' });
  assert.deepEqual(owned(forced.data.metadata?.managedFields, 'beta'), ['f:a']);
  assert.deepEqual(owned(forced.data.metadata?.managedFields, 'alpha'), ['f:b']);

  // alpha stops applying b: b is removed (alpha was its only owner); a stays (beta owns it).
  const shrunk = await apply('alpha', { c: '3' }, true);
  assert.deepEqual(shrunk.data.data, { a: '9', c: '3' });
  const live = await core.readNamespacedConfigMap({ namespace: ns, name: 'applied' });
  assert.deepEqual(live.data, { a: '9', c: '3' });
  assert.deepEqual(owned(live.metadata?.managedFields, 'alpha'), ['f:c']);
});

// ---- informers ----

/**
 * Records an informer's callbacks and checks them as they come: an object (uid) is ADDED at most
 * once unless DELETED in between, and nothing is updated or deleted that is not live.
 */
class EventLog {
  readonly state = new Map<string, 'live' | 'deleted'>();
  readonly violations: string[] = [];
  readonly deletedUids = new Set<string>();
  connects = 0;
  errors = 0;

  constructor(informer: Informer<V1ConfigMap>) {
    informer.on('add', (o) => this.#see('add', o));
    informer.on('update', (o) => this.#see('update', o));
    informer.on('delete', (o) => this.#see('delete', o));
    informer.on('connect', () => this.connects++);
  }

  #see(kind: 'add' | 'update' | 'delete', obj: KubernetesObject): void {
    const uid = obj.metadata?.uid ?? '';
    const name = `${obj.metadata?.name} (${uid}, rv ${obj.metadata?.resourceVersion})`;
    const before = this.state.get(uid);
    if (kind === 'add' && before === 'live') this.violations.push(`duplicate ADDED for ${name}`);
    if (kind === 'update' && before === 'deleted') this.violations.push(`update after DELETED for ${name}`);
    if (kind === 'delete' && before !== 'live') this.violations.push(`DELETED for ${name}, which was ${before ?? 'never seen'}`);
    this.state.set(uid, kind === 'delete' ? 'deleted' : 'live');
    if (kind === 'delete') this.deletedUids.add(uid);
  }
}

/** A Watch whose requests ask the server to end each watch after `seconds` (timeoutSeconds). */
class ServerClosingWatch extends Watch {
  readonly #seconds: number;

  constructor(config: KubeConfig, seconds: number) {
    super(config);
    this.#seconds = seconds;
  }

  watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: (phase: string, apiObj: any, watchObj?: any) => void, done: (err: any) => void): Promise<AbortController> {
    return super.watch(path, { ...queryParams, timeoutSeconds: this.#seconds }, callback, done);
  }
}

/** Restarts an informer after errors (the client-node idiom), unless the test holds it. */
class Restarter {
  held = false;
  closing = false;
  readonly #informer: Informer<V1ConfigMap>;
  readonly #log: EventLog;

  constructor(informer: Informer<V1ConfigMap>, log: EventLog) {
    this.#informer = informer;
    this.#log = log;
    informer.on('error', () => {
      if (this.closing) return;
      this.#log.errors++;
      if (!this.held) setTimeout(() => void this.#restart(), 200);
    });
  }

  async #restart(): Promise<void> {
    if (this.closing || this.held) return;
    // A failing list or watch reports through the error callback, which schedules the next try.
    await this.#informer.start().catch(() => {});
  }

  async release(): Promise<void> {
    this.held = false;
    await this.#restart();
  }
}

/** A small deterministic PRNG so a failing run can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('informers keep a correct cache across server-closed watches and a server restart', async () => {
  const ns = 'cn-inform';
  await createNamespace(ns);
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const SELECTOR = 'tier=cache';
  const names = Array.from({ length: 8 }, (_, i) => `cm-${i}`);
  const uids = new Map<string, string>(); // live name -> uid, as the test last wrote it
  const removedUids = new Set<string>(); // every uid the test deleted
  let counter = 0;

  const ops = {
    async create(name: string, tier: string): Promise<void> {
      const obj = await core.createNamespacedConfigMap({ namespace: ns, body: configMap(name, { tier }, { n: String(counter++) }) });
      uids.set(name, obj.metadata?.uid ?? '');
    },
    async update(name: string): Promise<void> {
      await core.patchNamespacedConfigMap({ namespace: ns, name, body: { data: { n: String(counter++) } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async relabel(name: string, tier: string): Promise<void> {
      await core.patchNamespacedConfigMap({ namespace: ns, name, body: { metadata: { labels: { tier } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async delete(name: string): Promise<void> {
      await core.deleteNamespacedConfigMap({ namespace: ns, name });
      removedUids.add(uids.get(name) ?? '');
      uids.delete(name);
    },
  };
  const random = prng(20260513);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const randomOp = async (): Promise<void> => {
    const name = pick(names);
    const tier = random() < 0.5 ? 'cache' : 'other';
    if (!uids.has(name)) return ops.create(name, tier);
    const r = random();
    if (r < 0.35) return ops.update(name);
    if (r < 0.6) return ops.relabel(name, tier);
    if (r < 0.8) return ops.delete(name);
    // Delete and recreate under the same name: a new uid.
    await ops.delete(name);
    return ops.create(name, tier);
  };

  for (const name of names.slice(0, 4)) await ops.create(name, name === 'cm-0' ? 'other' : 'cache');

  // A: makeInformer as documented; its watches end only when the server goes away.
  const listAll = () => core.listNamespacedConfigMap({ namespace: ns });
  const plain = makeInformer<V1ConfigMap>(kc, path, listAll);
  // B: the same ListWatch with a label selector, over a Watch that asks the server to close each
  // watch after 2 s, so it resumes from its last resourceVersion again and again.
  const listSelected = () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: SELECTOR });
  const selected = new ListWatch<V1ConfigMap>(path, new ServerClosingWatch(kc, 2), listSelected, false, SELECTOR);
  const informers = [
    { name: 'makeInformer', informer: plain, list: listAll },
    { name: 'selector+timeoutSeconds', informer: selected, list: listSelected },
  ].map((i) => {
    const log = new EventLog(i.informer);
    return { ...i, log, restarter: new Restarter(i.informer, log) };
  });

  /** Waits until every informer's cache holds exactly what the server lists (name, uid, rv). */
  const converge = async (phase: string): Promise<void> => {
    const key = (o: KubernetesObject): string => `${o.metadata?.name} ${o.metadata?.uid} ${o.metadata?.resourceVersion}`;
    for (const i of informers) {
      const deadline = Date.now() + 20_000;
      let want: string[] = [];
      let got: string[] = [];
      for (;;) {
        want = (await i.list()).items.map(key).sort();
        got = i.informer.list(ns).map(key).sort();
        if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > deadline) break;
        await sleep(100);
      }
      assert.deepEqual(got, want, `${i.name}: cache differs from the server's list after ${phase}`);
    }
  };

  try {
    for (const i of informers) await i.informer.start();
    await converge('the initial list');

    // Phase 1: a stream of changes while B's watches keep being closed by the server.
    const phase1End = Date.now() + 7_000;
    while (Date.now() < phase1End) {
      await randomOp();
      await sleep(Math.floor(random() * 400));
    }
    await converge('server-closed watches');

    // Phase 2: the server stops; the informers' watches fail and the test holds their restart.
    // A write elsewhere first moves the store past the informers' resourceVersions, so the new
    // server's watch cache cannot replay for them: they must get 410 Expired and relist.
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('elsewhere', {}) });
    for (const i of informers) i.restarter.held = true;
    const errorsBefore = informers.map((i) => i.log.errors);
    await proc.stop();
    const deadline = Date.now() + 15_000;
    while (informers.some((i, n) => i.log.errors === errorsBefore[n]) && Date.now() < deadline) await sleep(50);
    for (const [n, i] of informers.entries()) assert.ok(i.log.errors > errorsBefore[n]!, `${i.name} noticed the server going away`);

    // The server comes back on the same data dir and port; changes land before the informers return.
    await proc.start();
    for (const name of names.slice(0, 5)) if (!uids.has(name)) await ops.create(name, 'cache');
    await ops.delete('cm-0'); // gone for good
    await ops.update('cm-1');
    await ops.relabel('cm-2', 'other');
    await ops.relabel('cm-3', 'cache');
    await ops.delete('cm-4');
    await ops.create('cm-4', 'cache'); // same name, new uid
    for (const i of informers) await i.restarter.release();
    await converge('a server restart');

    // Phase 3: more changes after the restart.
    for (let n = 0; n < 15; n++) {
      await randomOp();
      await sleep(Math.floor(random() * 200));
    }
    await converge('changes after the restart');

    for (const i of informers) {
      assert.deepEqual(i.log.violations, [], `${i.name}: event history`);
      const cached = new Set(i.informer.list(ns).map((o) => o.metadata?.uid));
      // Each deleted object got a DELETED, or left the cache through a relist (client-node keys
      // its cache by name: a name recreated while it was away comes back as an update).
      for (const uid of removedUids) assert.ok(!cached.has(uid), `${i.name}: deleted ${uid} is still cached`);
    }
    // B really resumed after server-closed watches: one connect per watch it opened.
    assert.ok(informers[1]!.log.connects >= 5, `selector informer connected ${informers[1]!.log.connects} times`);
    assert.ok(removedUids.size >= 3, `the run deleted ${removedUids.size} objects`);
  } finally {
    for (const i of informers) {
      i.restarter.closing = true;
      await i.informer.stop();
    }
  }
});
