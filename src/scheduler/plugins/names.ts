// The in-tree plugin names, as KubeSchedulerConfiguration spells them.

export const Names = {
  PrioritySort: 'PrioritySort',
  SchedulingGates: 'SchedulingGates',
  NodeName: 'NodeName',
  NodeUnschedulable: 'NodeUnschedulable',
  NodePorts: 'NodePorts',
  NodeResourcesFit: 'NodeResourcesFit',
  NodeResourcesBalancedAllocation: 'NodeResourcesBalancedAllocation',
  TaintToleration: 'TaintToleration',
  NodeAffinity: 'NodeAffinity',
  PodTopologySpread: 'PodTopologySpread',
  InterPodAffinity: 'InterPodAffinity',
  ImageLocality: 'ImageLocality',
  VolumeBinding: 'VolumeBinding',
  DefaultPreemption: 'DefaultPreemption',
  DefaultBinder: 'DefaultBinder',
} as const;
