// Pods: status starts Pending, field selectors used by kubelets, kubectl and drain, graceful
// deletion (a pod on a node lingers for its grace period until its node agent confirms), and the
// DefaultTolerationSeconds admission step on create and update, and Priority on create.

import type { KubeObject, ResourceDefinition } from '../../../api/types.ts';
import { admitDefaultTolerationSeconds, admitPriority, type PriorityClassLookup } from '../../admission/index.ts';
import type { Strategy } from '../strategy.ts';
import { builtinStrategy, fieldsFrom } from './common.ts';

const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
] as const;

function podSpec(pod: KubeObject): Record<string, unknown> {
  return (pod['spec'] ?? {}) as Record<string, unknown>;
}

export function podStrategy(def: ResourceDefinition, priorityClasses?: PriorityClassLookup): Strategy {
  return builtinStrategy(def, {
    selectableFields: POD_FIELDS,
    fields: fieldsFrom(POD_FIELDS),
    async prepareForCreate(pod) {
      admitDefaultTolerationSeconds(pod);
      if (priorityClasses) await admitPriority(pod, priorityClasses);
      pod['status'] = { phase: 'Pending', qosClass: qosClass(pod) };
    },
    prepareForUpdate(pod) {
      admitDefaultTolerationSeconds(pod);
    },
    gracePeriod(pod, options) {
      const phase = ((pod['status'] ?? {}) as Record<string, unknown>)['phase'];
      // Unscheduled and finished pods have nothing running: they go at once.
      if (!podSpec(pod)['nodeName'] || phase === 'Succeeded' || phase === 'Failed') return 0;
      if (options.gracePeriodSeconds !== undefined) return options.gracePeriodSeconds;
      const fromSpec = podSpec(pod)['terminationGracePeriodSeconds'];
      return typeof fromSpec === 'number' ? fromSpec : 30;
    },
  });
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** Upstream QoS classes: Guaranteed (limits = requests for cpu and memory everywhere), BestEffort (nothing set), Burstable. */
export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = podSpec(pod);
  const containers = [...((spec['containers'] ?? []) as { resources?: Resources }[]), ...((spec['initContainers'] ?? []) as { resources?: Resources }[])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const r = c.resources ?? {};
    for (const name of ['cpu', 'memory']) {
      const req = r.requests?.[name];
      const lim = r.limits?.[name];
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined || (req !== undefined && req !== lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
