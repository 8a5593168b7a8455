import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { FakeClock } from '../../client/clock.ts';
import { isNotFound, notFound, failure } from '../../machinery/status-error.ts';
import { CachedObjectSource, type SourceKind } from './object-source.ts';

describe('cached object source', () => {
  it('reads an object once per TTL, shares concurrent reads, and re-reads after the TTL', async () => {
    const clock = new FakeClock(0);
    let fetches = 0;
    let version = 'a';
    const source = new CachedObjectSource(async (_k: SourceKind, ns, name) => {
      fetches++;
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v: version } } as KubeObject;
    }, clock, 5000);
    const [a, b] = await Promise.all([source.get('configmap', 'ns', 'cfg'), source.get('configmap', 'ns', 'cfg')]);
    assert.equal(fetches, 1);
    assert.deepEqual(a, b);
    version = 'b';
    await clock.advance(4999);
    assert.equal((await source.get<KubeObject & { data: { v: string } }>('configmap', 'ns', 'cfg')).data.v, 'a');
    await clock.advance(1);
    assert.equal((await source.get<KubeObject & { data: { v: string } }>('configmap', 'ns', 'cfg')).data.v, 'b');
    assert.equal(fetches, 2);
    await source.get('secret', 'ns', 'cfg');
    assert.equal(fetches, 3, 'kinds are cached apart');
  });

  it('keeps NotFound for the TTL but retries other failures at once', async () => {
    const clock = new FakeClock(0);
    const answers: (() => never)[] = [
      () => { throw failure(503, 'ServiceUnavailable', 'down'); },
      () => { throw notFound({ group: '', resource: 'configmap' }, 'cfg'); },
    ];
    let fetches = 0;
    const source = new CachedObjectSource(async () => {
      fetches++;
      return answers.shift()!();
    }, clock, 5000);
    await assert.rejects(source.get('configmap', 'ns', 'cfg'), /down/);
    await assert.rejects(source.get('configmap', 'ns', 'cfg'), (err: Error) => isNotFound(err) && err.message === 'configmap "cfg" not found');
    await assert.rejects(source.get('configmap', 'ns', 'cfg'), (err: Error) => isNotFound(err));
    assert.equal(fetches, 2);
  });
});
