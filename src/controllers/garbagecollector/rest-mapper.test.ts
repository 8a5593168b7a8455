import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { FakeClock, Informer, type ListWatch } from '../../client/index.ts';
import { waitForSync } from './monitors.ts';
import { RestMapper, type DiscoveredResource } from './rest-mapper.ts';

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const r = (group: string, version: string, resource: string, kind: string, namespaced = true, verbs = ALL): DiscoveredResource => ({ group, version, resource, kind, namespaced, verbs });

describe('RestMapper', () => {
  const mapper = new RestMapper(
    [
      r('', 'v1', 'configmaps', 'ConfigMap'),
      r('', 'v1', 'nodes', 'Node', false),
      r('', 'v1', 'events', 'Event'),
      r('', 'v1', 'bindings', 'Binding', true, ['create']),
      r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
      r('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
      r('events.k8s.io', 'v1', 'events', 'Event'),
      r('example.com', 'v1', 'widgets', 'Widget', true, ['get', 'list', 'watch']),
    ],
    new Map([['', 'v1'], ['autoscaling', 'v2'], ['events.k8s.io', 'v1'], ['example.com', 'v1']]),
  );

  it('maps an ownerReference apiVersion and kind to the resource and its scope', () => {
    assert.deepEqual(mapper.mapping('v1', 'Node'), { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false });
    assert.equal(mapper.mapping('autoscaling/v1', 'HorizontalPodAutoscaler')?.version, 'v1', 'a served version is used as written');
    assert.equal(mapper.mapping('autoscaling/v2beta2', 'HorizontalPodAutoscaler')?.version, 'v2', 'an unserved version falls back to the preferred one');
    assert.equal(mapper.mapping('v1', 'Gadget'), undefined);
    assert.equal(mapper.namespaced('v1', 'ConfigMap'), true);
  });

  it('monitors one version per resource that can be listed, watched and deleted, Events excluded', () => {
    assert.deepEqual(mapper.monitorable.map((m) => `${m.resource}.${m.group}/${m.version}`).sort(), ['configmaps./v1', 'horizontalpodautoscalers.autoscaling/v2', 'nodes./v1']);
  });
});

describe('waitForSync', () => {
  it('resolves false when the informers do not sync in time, true once they have', async () => {
    const clock = new FakeClock();
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lw: ListWatch<KubeObject> = {
      list: async () => {
        await gate;
        return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items: [] };
      },
      watch: (opts) => (async function* () {
        await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve, { once: true }));
      })(),
    };
    const informer = new Informer(lw, { clock });
    const ac = new AbortController();
    const running = informer.run(ac.signal);
    const slow = waitForSync([informer], ac.signal, clock, 1000);
    await clock.advance(1000);
    assert.equal(await slow, false);
    release();
    assert.equal(await waitForSync([informer], ac.signal, clock, 1000), true);
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(await waitForSync([new Informer(lw, { clock })], aborted.signal, clock), false, 'an aborted wait gives up');
    ac.abort();
    await running;
  });
});
