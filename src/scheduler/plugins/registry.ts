// The in-tree plugin registry: name -> factory(args, handle).

import type { PluginFactory } from '../framework/interface.ts';
import { newDefaultBinder } from './default-binder/default-binder.ts';
import { newDefaultPreemption } from './default-preemption/default-preemption.ts';
import { newImageLocality } from './image-locality/image-locality.ts';
import { newInterPodAffinity } from './inter-pod-affinity/inter-pod-affinity.ts';
import { Names } from './names.ts';
import { newNodeAffinity } from './node-affinity/node-affinity.ts';
import { newNodeName } from './node-name/node-name.ts';
import { newNodePorts } from './node-ports/node-ports.ts';
import { newBalancedAllocation } from './node-resources-balanced-allocation/balanced-allocation.ts';
import { newNodeResourcesFit } from './node-resources-fit/node-resources-fit.ts';
import { newNodeUnschedulable } from './node-unschedulable/node-unschedulable.ts';
import { newPodTopologySpread } from './pod-topology-spread/pod-topology-spread.ts';
import { newPrioritySort } from './priority-sort/priority-sort.ts';
import { newSchedulingGates } from './scheduling-gates/scheduling-gates.ts';
import { newTaintToleration } from './taint-toleration/taint-toleration.ts';
import { newVolumeBinding } from './volume-binding/volume-binding.ts';

export function inTreeRegistry(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [Names.PrioritySort, () => newPrioritySort()],
    [Names.SchedulingGates, () => newSchedulingGates()],
    [Names.NodeName, () => newNodeName()],
    [Names.NodeUnschedulable, () => newNodeUnschedulable()],
    [Names.NodePorts, () => newNodePorts()],
    [Names.NodeResourcesFit, (args) => newNodeResourcesFit(args)],
    [Names.NodeResourcesBalancedAllocation, (args) => newBalancedAllocation(args)],
    [Names.TaintToleration, () => newTaintToleration()],
    [Names.NodeAffinity, (args) => newNodeAffinity(args)],
    [Names.PodTopologySpread, (args, h) => newPodTopologySpread(args, h)],
    [Names.InterPodAffinity, (args, h) => newInterPodAffinity(args, h)],
    [Names.ImageLocality, (_args, h) => newImageLocality(h)],
    [Names.VolumeBinding, (args, h) => newVolumeBinding(args, h)],
    [Names.DefaultPreemption, (args, h) => newDefaultPreemption(args, h)],
    [Names.DefaultBinder, (_args, h) => newDefaultBinder(h)],
  ]);
}

/** Upstream in-tree plugins Strata does not implement yet: accepted in `disabled`, refused in `enabled`. */
export const NOT_IMPLEMENTED = new Set(['VolumeRestrictions', 'NodeVolumeLimits', 'VolumeZone', 'DynamicResources', 'EBSLimits', 'GCEPDLimits', 'AzureDiskLimits', 'CinderLimits', 'AzureDiskLimits']);
