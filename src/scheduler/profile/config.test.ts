import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import { Snapshot } from '../cache/snapshot.ts';
import { Framework } from '../framework/framework.ts';
import { staticListers } from '../framework/listers.ts';
import { inTreeRegistry } from '../plugins/registry.ts';
import { ConfigError, defaultConfig, loadConfigFile, resolveConfig } from './config.ts';
import type { ResolvedProfile } from './types.ts';

const base = { apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration' };

function errorsOf(raw: unknown): string[] {
  try {
    resolveConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.errors];
  }
  assert.fail('expected the configuration to be rejected');
}

const framework = (p: ResolvedProfile) => {
  const snap = new Snapshot();
  return new Framework(p, { registry: inTreeRegistry(), snapshot: () => snap, listers: staticListers(), nominator: { nominatedPodsForNode: () => [] }, clock: new FakeClock() });
};
const names = (fw: Framework, point: keyof Framework['points']) => fw.points[point].map((p) => p.name);

test('the default profile runs the upstream default plugins in order, with upstream weights', () => {
  const cfg = defaultConfig();
  assert.equal(cfg.profiles.length, 1);
  assert.equal(cfg.profiles[0]!.schedulerName, 'default-scheduler');
  assert.deepEqual([cfg.podInitialBackoffMs, cfg.podMaxBackoffMs, cfg.percentageOfNodesToScore], [1000, 10_000, 0]);
  const fw = framework(cfg.profiles[0]!);
  assert.deepEqual(names(fw, 'filter'), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(names(fw, 'postFilter'), ['DefaultPreemption']);
  assert.deepEqual(Object.fromEntries(fw.scoreWeights), {
    TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1,
  });
  assert.equal(cfg.leaderElection.resourceName, 'kube-scheduler');
});

test('profiles merge with the defaults: disable, re-weight, disable all at one point', () => {
  const cfg = resolveConfig({
    ...base,
    percentageOfNodesToScore: 30,
    profiles: [
      { schedulerName: 'default-scheduler', plugins: { score: { disabled: [{ name: 'ImageLocality' }], enabled: [{ name: 'NodeResourcesFit', weight: 5 }] } } },
      { schedulerName: 'no-preempt', plugins: { postFilter: { disabled: [{ name: '*' }] }, multiPoint: { disabled: [{ name: 'PodTopologySpread' }] } } },
    ],
  });
  assert.equal(cfg.percentageOfNodesToScore, 30);
  const a = framework(cfg.profiles[0]!);
  assert.equal(a.scoreWeights.get('NodeResourcesFit'), 5);
  assert.ok(!names(a, 'score').includes('ImageLocality'));
  assert.ok(names(a, 'filter').includes('NodeResourcesFit'), 'disabling at score leaves Filter alone');
  const b = framework(cfg.profiles[1]!);
  assert.deepEqual(names(b, 'postFilter'), []);
  assert.ok(!names(b, 'filter').includes('PodTopologySpread'));
});

test('pluginConfig args are defaulted and validated with field paths', () => {
  const cfg = resolveConfig({ ...base, profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }] }] });
  assert.deepEqual(cfg.profiles[0]!.pluginArgs.get('NodeResourcesFit'), { scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } });
  assert.deepEqual(errorsOf({ ...base, profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'Fewest' } } }] }] }), [
    'profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: "Fewest": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"',
  ]);
  assert.deepEqual(errorsOf({ ...base, profiles: [{ pluginConfig: [{ name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] } }] }] }), [
    'profiles[0].pluginConfig[0].args.defaultConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    'profiles[0].pluginConfig[0].args.defaultConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
  ]);
  const rtc = { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 50, score: 5 }, { utilization: 20, score: 11 }] } };
  assert.deepEqual(errorsOf({ ...base, profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: rtc } }] }] }), [
    'profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 20: utilization values must be sorted in increasing order',
    'profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].score: Invalid value: 11: not in valid range [0, 10]',
  ]);
});

test('structural errors: version, unknown fields and plugins, duplicate names, and ranges', () => {
  assert.deepEqual(errorsOf({ apiVersion: 'kubescheduler.config.k8s.io/v1beta3', kind: 'KubeSchedulerConfiguration' }), [
    'apiVersion: Unsupported value: "kubescheduler.config.k8s.io/v1beta3": supported values: "kubescheduler.config.k8s.io/v1"',
  ]);
  assert.deepEqual(errorsOf({ ...base, percentageOfNodesToScore: 120, profile: [] }), ['profile: unknown field "profile"', 'percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]']);
  assert.deepEqual(errorsOf({ ...base, profiles: [{ schedulerName: 'a' }, { schedulerName: 'a' }] }), ['profiles[1].schedulerName: Duplicate value: "a"']);
  assert.deepEqual(errorsOf({ ...base, profiles: [{ plugins: { filter: { enabled: [{ name: 'NoSuchPlugin' }] } } }] }), [
    'profiles[0].plugins.filter.enabled[0].name: Invalid value: "NoSuchPlugin": no such plugin in the registry',
  ]);
  assert.deepEqual(errorsOf({ ...base, profiles: [{ plugins: { bind: { disabled: [{ name: '*' }] }, multiPoint: { disabled: [{ name: 'DefaultBinder' }] } } }] }), [
    'profiles[0].plugins: Invalid value: "default-scheduler": at least one bind plugin is needed',
  ]);
  assert.deepEqual(errorsOf({ ...base, profiles: [{ plugins: { score: { enabled: [{ name: 'NodeName' }] } } }] }), [
    'profiles[0].plugins: Invalid value: "default-scheduler": plugin "NodeName" does not extend ScorePlugin plugin',
  ]);
  // Disabling upstream plugins Strata lacks is accepted, so stock configurations load.
  resolveConfig({ ...base, profiles: [{ plugins: { multiPoint: { disabled: [{ name: 'VolumeRestrictions' }, { name: 'NodeVolumeLimits' }] } } }] });
});

test('loadConfigFile reads YAML and names the file in errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sched-config-'));
  try {
    const good = join(dir, 'good.yaml');
    await writeFile(good, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: custom\n');
    assert.equal((await loadConfigFile(good)).profiles[0]!.schedulerName, 'custom');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npodMaxBackoffSeconds: 0.5\n');
    await assert.rejects(loadConfigFile(bad), (err: Error) => err.message.startsWith(`invalid ${bad}:`) && err.message.includes('podMaxBackoffSeconds: Invalid value: 0.5'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
