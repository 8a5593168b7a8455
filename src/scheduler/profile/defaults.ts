// The default profile (upstream v1 getDefaultPlugins) and the merge of a user's plugin sets with it
// (upstream mergePlugins/mergePluginSet): defaults stay in order unless disabled ("*" disables all),
// a default re-listed in `enabled` is replaced in place (new weight), other enabled plugins follow.

import { Names } from '../plugins/names.ts';
import { EXTENSION_POINTS, type ExtensionPoint, type PluginRef, type Plugins, type PluginSet, type ResolvedPluginSet } from './types.ts';

/** Upstream's default multiPoint set, minus plugins Strata does not implement yet. */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: Names.SchedulingGates },
  { name: Names.PrioritySort },
  { name: Names.NodeUnschedulable },
  { name: Names.NodeName },
  { name: Names.TaintToleration, weight: 3 },
  { name: Names.NodeAffinity, weight: 2 },
  { name: Names.NodePorts },
  { name: Names.NodeResourcesFit, weight: 1 },
  { name: Names.VolumeBinding },
  { name: Names.PodTopologySpread, weight: 2 },
  { name: Names.InterPodAffinity, weight: 2 },
  { name: Names.DefaultPreemption },
  { name: Names.NodeResourcesBalancedAllocation, weight: 1 },
  { name: Names.ImageLocality, weight: 1 },
  { name: Names.DefaultBinder },
];

export function mergePluginSet(defaults: ResolvedPluginSet, custom: PluginSet | undefined): ResolvedPluginSet {
  const disabled: PluginRef[] = [...(custom?.disabled ?? []).map((d) => ({ name: d.name })), ...defaults.disabled];
  const disabledNames = new Set(disabled.map((d) => d.name));
  const customEnabled = custom?.enabled ?? [];
  const byName = new Map(customEnabled.map((p, i) => [p.name, i]));
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  if (!disabledNames.has('*')) {
    for (const d of defaults.enabled) {
      if (disabledNames.has(d.name)) continue;
      const i = byName.get(d.name);
      if (i !== undefined) {
        enabled.push({ ...customEnabled[i]! });
        replaced.add(i);
      } else enabled.push({ ...d });
    }
  }
  customEnabled.forEach((p, i) => {
    if (!replaced.has(i)) enabled.push({ ...p });
  });
  return { enabled, disabled };
}

export function mergePlugins(custom: Plugins | undefined): Record<ExtensionPoint | 'multiPoint', ResolvedPluginSet> {
  const out = {
    multiPoint: mergePluginSet({ enabled: DEFAULT_MULTI_POINT.map((p) => ({ ...p })), disabled: [] }, custom?.multiPoint),
  } as Record<ExtensionPoint | 'multiPoint', ResolvedPluginSet>;
  for (const point of EXTENSION_POINTS) out[point] = mergePluginSet({ enabled: [], disabled: [] }, custom?.[point]);
  return out;
}
