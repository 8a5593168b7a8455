import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import type { ResourceDefinition } from '../../api/types.ts';
import { MemoryStore } from '../../store/index.ts';
import { ApiRegistry } from '../api-registry.ts';
import { ServiceAllocator } from '../registry/allocator.ts';
import { strategyFor } from '../registry/strategies/index.ts';
import { Discovery, wantsAggregated } from './discovery.ts';

type Json = Record<string, any>;

function builtinRegistry(): ApiRegistry {
  const store = new MemoryStore();
  const allocator = new ServiceAllocator(store, { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] });
  const registry = new ApiRegistry(store);
  for (const def of BUILTIN_RESOURCES) registry.add(def, strategyFor(def, { allocator }));
  return registry;
}

const body = (doc: { body: string }): Json => JSON.parse(doc.body) as Json;

describe('Discovery', () => {
  const registry = builtinRegistry();
  const discovery = new Discovery(registry);

  it('serves aggregated discovery v2 for /apis with the upstream shape and content type', () => {
    const doc = discovery.aggregated(false, 'v2');
    assert.equal(doc.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const list = body(doc);
    assert.equal(list['kind'], 'APIGroupDiscoveryList');
    assert.equal(list['apiVersion'], 'apidiscovery.k8s.io/v2');
    assert.deepEqual(list['metadata'], {});
    const names = list['items'].map((g: Json) => g['metadata']['name']);
    assert.ok(!names.includes(''), 'the core group is served under /api');
    assert.ok(names.includes('apps') && names.includes('autoscaling') && names.includes('events.k8s.io'));

    const apps = list['items'].find((g: Json) => g['metadata']['name'] === 'apps');
    assert.deepEqual(apps['versions'].map((v: Json) => [v['version'], v['freshness']]), [['v1', 'Current']]);
    const deployments = apps['versions'][0]['resources'].find((r: Json) => r['resource'] === 'deployments');
    assert.deepEqual(deployments, {
      resource: 'deployments',
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    const clusterRoles = list['items']
      .find((g: Json) => g['metadata']['name'] === 'rbac.authorization.k8s.io')
      ['versions'][0]['resources'].find((r: Json) => r['resource'] === 'clusterroles');
    assert.equal(clusterRoles['scope'], 'Cluster');
    assert.equal('subresources' in clusterRoles, false);
    assert.equal('shortNames' in clusterRoles, false);
  });

  it('lists the preferred version first: autoscaling v2 before v1', () => {
    const autoscaling = body(discovery.aggregated(false, 'v2'))['items'].find((g: Json) => g['metadata']['name'] === 'autoscaling');
    assert.deepEqual(autoscaling['versions'].map((v: Json) => v['version']), ['v2', 'v1']);
    const legacy = body(discovery.legacyGroup('autoscaling'));
    assert.equal(legacy['kind'], 'APIGroup');
    assert.deepEqual(legacy['versions'], [
      { groupVersion: 'autoscaling/v2', version: 'v2' },
      { groupVersion: 'autoscaling/v1', version: 'v1' },
    ]);
    assert.deepEqual(legacy['preferredVersion'], { groupVersion: 'autoscaling/v2', version: 'v2' });
    const groups = body(discovery.legacyGroups());
    assert.equal(groups['kind'], 'APIGroupList');
    assert.deepEqual(groups['groups'].find((g: Json) => g['name'] === 'autoscaling')['preferredVersion'], { groupVersion: 'autoscaling/v2', version: 'v2' });
    assert.ok(!groups['groups'].some((g: Json) => g['name'] === ''));
  });

  it('orders versions GA, then beta, then alpha, higher numbers first', () => {
    const registry = new ApiRegistry(new MemoryStore());
    const base = BUILTIN_RESOURCES.find((d) => d.group === 'apps' && d.kind === 'Deployment') as ResourceDefinition;
    for (const version of ['v1alpha1', 'v2beta1', 'v1', 'v1beta2', 'v2', 'v10', 'v1beta1']) {
      const def: ResourceDefinition = { ...base, group: 'example.com', version, storage: { group: 'example.com', resource: 'deployments', version: 'v1' } };
      registry.add(def, strategyFor(def, { allocator: new ServiceAllocator(new MemoryStore(), { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] }) }));
    }
    const group = body(new Discovery(registry).legacyGroup('example.com'));
    assert.deepEqual(group['versions'].map((v: Json) => v['version']), ['v10', 'v2', 'v1', 'v2beta1', 'v1beta2', 'v1beta1', 'v1alpha1']);
  });

  it('serves the core group under /api, aggregated and legacy', () => {
    const core = body(discovery.aggregated(true, 'v2'));
    assert.deepEqual(core['items'].map((g: Json) => g['metadata']['name']), ['']);
    assert.deepEqual(core['items'][0]['versions'].map((v: Json) => v['version']), ['v1']);
    const versions = body(discovery.legacyCore('10.0.0.1:6443'));
    assert.deepEqual(versions, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] });
    const beta = discovery.aggregated(true, 'v2beta1');
    assert.equal(beta.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(body(beta)['apiVersion'], 'apidiscovery.k8s.io/v2beta1');
  });

  it('lists /api/v1 resources with subresources, naming the group and version of subresource kinds from elsewhere', () => {
    const list = body(discovery.resourceList('', 'v1'));
    assert.equal(list['kind'], 'APIResourceList');
    assert.equal(list['groupVersion'], 'v1');
    const byName = new Map<string, Json>(list['resources'].map((r: Json) => [r['name'], r]));
    assert.deepEqual(byName.get('pods'), {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    assert.deepEqual(byName.get('pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    assert.deepEqual(byName.get('pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    const binding = byName.get('pods/binding');
    assert.equal(binding?.['kind'], 'Binding');
    assert.equal('group' in (binding ?? {}), false, 'same group and version: not repeated');
    assert.equal(byName.get('namespaces')?.['namespaced'], false);
    assert.deepEqual(byName.get('namespaces/finalize')?.['verbs'], ['update']);
    assert.deepEqual(byName.get('replicationcontrollers/scale'), { name: 'replicationcontrollers/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });

    const apps = body(discovery.resourceList('apps', 'v1'));
    assert.equal(apps['groupVersion'], 'apps/v1');
    const scale = apps['resources'].find((r: Json) => r['name'] === 'deployments/scale');
    assert.deepEqual(scale, { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });

    const hpaV1 = body(discovery.resourceList('autoscaling', 'v1'))['resources'].find((r: Json) => r['name'] === 'horizontalpodautoscalers');
    assert.equal(hpaV1['kind'], 'HorizontalPodAutoscaler');
    const events = body(discovery.resourceList('events.k8s.io', 'v1'))['resources'].map((r: Json) => r['name']);
    assert.deepEqual(events, ['events']);
    assert.deepEqual(body(discovery.resourceList('nope.example.com', 'v1'))['resources'], []);
  });

  it('answers which groups and versions exist', () => {
    assert.equal(discovery.hasGroup('apps'), true);
    assert.equal(discovery.hasGroup('example.com'), false);
    assert.equal(discovery.hasGroupVersion('autoscaling', 'v1'), true);
    assert.equal(discovery.hasGroupVersion('autoscaling', 'v2beta2'), false);
    assert.equal(discovery.hasGroupVersion('', 'v1'), true);
  });

  it('caches documents until the served set changes', () => {
    const registry = builtinRegistry();
    const discovery = new Discovery(registry);
    const first = discovery.aggregated(false, 'v2');
    assert.equal(discovery.aggregated(false, 'v2'), first, 'cached');
    const base = BUILTIN_RESOURCES.find((d) => d.group === 'apps' && d.kind === 'Deployment') as ResourceDefinition;
    const crd: ResourceDefinition = { ...base, group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', shortNames: [], categories: [], subresources: [], storage: { group: 'example.com', resource: 'widgets', version: 'v1' } };
    registry.add(crd, strategyFor(crd, { allocator: new ServiceAllocator(new MemoryStore(), { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] }) }));
    const second = discovery.aggregated(false, 'v2');
    assert.notEqual(second, first);
    assert.ok(body(second)['items'].some((g: Json) => g['metadata']['name'] === 'example.com'));
    assert.equal(discovery.hasGroup('example.com'), true);
    registry.remove('example.com', 'v1', 'widgets');
    assert.equal(discovery.hasGroup('example.com'), false);
    assert.ok(!body(discovery.aggregated(false, 'v2'))['items'].some((g: Json) => g['metadata']['name'] === 'example.com'));
  });
});

describe('wantsAggregated', () => {
  it('picks the aggregated version kubectl asks for, or none', () => {
    assert.equal(
      wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'),
      'v2',
    );
    assert.equal(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
    assert.equal(wantsAggregated('application/json;as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2'), 'v2');
    assert.equal(wantsAggregated('application/json; g=apidiscovery.k8s.io; v=v2 ; as=APIGroupDiscoveryList'), 'v2');
    assert.equal(wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json'), undefined);
    assert.equal(wantsAggregated('application/json'), undefined);
    assert.equal(wantsAggregated(undefined), undefined);
    assert.equal(wantsAggregated('application/json;as=APIGroupDiscoveryList;v=v2'), undefined, 'without the group');
  });
});
