import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/types.ts';
import { gone } from '../machinery/status-error.ts';
import { FakeClock } from './clock.ts';
import { Informer, type ListWatch } from './informer.ts';
import type { ObjectList, WatchOptions } from './rest-client.ts';
import type { WatchEvent } from './watch-stream.ts';

const cm = (name: string, rv: string, ns = 'default', labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, resourceVersion: rv, labels },
});

/** A scripted ListWatch: each list/watch call takes the next scripted answer. */
class Script implements ListWatch<KubeObject> {
  lists: (ObjectList<KubeObject> | Error)[] = [];
  watches: (WatchEvent[] | Error)[] = [];
  watchCalls: WatchOptions[] = [];
  listCalls = 0;
  async list(): Promise<ObjectList<KubeObject>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new Error('no more lists');
    if (next instanceof Error) throw next;
    return next;
  }
  async *watch(opts: WatchOptions): AsyncGenerator<WatchEvent> {
    this.watchCalls.push(opts);
    const next = this.watches.shift();
    if (!next) {
      // Park until aborted, like an idle watch.
      await new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason), { once: true }));
      return;
    }
    if (next instanceof Error) throw next;
    yield* next;
  }
}

const list = (rv: string, ...items: KubeObject[]): ObjectList<KubeObject> => ({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv }, items });

function record(informer: Informer) {
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (a, b) => log.push(`update ${a.metadata.name}@${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  return log;
}

describe('Informer', () => {
  it('lists, watches from the list RV, resumes from the last RV (bookmarks too), and re-lists on 410 with a diff', async () => {
    const s = new Script();
    s.lists.push(list('10', cm('a', '5'), cm('b', '6')));
    s.watches.push([
      { type: 'ADDED', object: cm('c', '11') },
      { type: 'MODIFIED', object: cm('a', '12') },
      { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '15' } } },
    ]);
    s.watches.push([{ type: 'DELETED', object: cm('b', '16') }, { type: 'ERROR', object: gone('too old').status }]);
    s.lists.push(list('30', cm('a', '12'), cm('c', '20'), cm('d', '21')));
    s.watches.push(gone('still too old'));
    s.lists.push(list('31', cm('a', '12'), cm('d', '21')));
    const informer = new Informer(s, { clock: new FakeClock(), indexers: { app: (o) => [o.metadata.labels?.app ?? ''] } });
    const log = record(informer);
    const ac = new AbortController();
    const done = informer.run(ac.signal);
    await informer.hasSynced;
    while (s.watchCalls.length < 4) await new Promise((r) => setImmediate(r));
    ac.abort();
    await done;
    assert.deepEqual(s.watchCalls.map((w) => w.resourceVersion), ['10', '15', '30', '31']);
    assert.ok(s.watchCalls.every((w) => w.allowWatchBookmarks));
    assert.deepEqual(log, [
      'add a@5', 'add b@6',
      'add c@11', 'update a@5->12',
      'delete b@16',
      'update c@11->20', 'add d@21', // first re-list: a unchanged, no duplicate add
      'delete c@20', // second re-list after a 410 response: missed delete
    ]);
    assert.deepEqual(informer.lister.list('default').map((o) => o.metadata.name).sort(), ['a', 'd']);
    assert.equal(informer.lister.get('default', 'd')?.metadata.resourceVersion, '21');
    assert.equal(informer.lastSyncResourceVersion, '31');
  });

  it('resyncs cached objects as updates and replays the cache to late handlers', async () => {
    const clock = new FakeClock();
    const s = new Script();
    s.lists.push(list('3', cm('a', '1'), cm('b', '2', 'other', { app: 'x' })));
    const informer = new Informer(s, { clock, resyncPeriodMs: 30_000, indexers: { app: (o) => [o.metadata.labels?.app ?? ''] } });
    const ac = new AbortController();
    const done = informer.run(ac.signal);
    await informer.hasSynced;
    const log = record(informer);
    assert.deepEqual(log.sort(), ['add a@1', 'add b@2']);
    assert.deepEqual(informer.lister.byIndex('app', 'x').map((o) => o.metadata.name), ['b']);
    assert.deepEqual(informer.lister.list('other').map((o) => o.metadata.name), ['b']);
    log.length = 0;
    await clock.advance(30_000);
    assert.deepEqual(log.sort(), ['update a@1->1', 'update b@2->2']);
    ac.abort();
    await done;
  });

  it('retries after an unexpected error with a delay on the clock', async () => {
    const clock = new FakeClock();
    const s = new Script();
    s.lists.push(new Error('connection refused'), list('1', cm('a', '1')));
    const informer = new Informer(s, { clock, retryDelayMs: 1000 });
    const ac = new AbortController();
    const done = informer.run(ac.signal);
    await clock.advance(999);
    assert.equal(informer.synced, false);
    await clock.advance(1);
    await informer.hasSynced;
    assert.equal(s.listCalls, 2);
    ac.abort();
    await done;
  });
});
