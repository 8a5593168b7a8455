// Upstream defaults for the smaller API groups: networking, rbac, scheduling, storage, discovery
// and autoscaling.

import { defaultString, defaultValue, ensureRec, isEmpty, rec, recs, type Rec } from './fields.ts';

export function defaultNetworkPolicy(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  if (isEmpty(spec['policyTypes'])) {
    spec['policyTypes'] = isEmpty(spec['egress']) ? ['Ingress'] : ['Ingress', 'Egress'];
  }
  for (const rule of [...recs(spec, 'ingress'), ...recs(spec, 'egress')]) {
    for (const port of recs(rule, 'ports')) defaultString(port, 'protocol', 'TCP');
  }
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultRoleBinding(obj: Rec): void {
  const roleRef = rec(obj, 'roleRef');
  if (roleRef) defaultString(roleRef, 'apiGroup', RBAC_GROUP);
  for (const subject of recs(obj, 'subjects')) {
    if (subject['apiGroup'] !== undefined && subject['apiGroup'] !== null && subject['apiGroup'] !== '') continue;
    if (subject['kind'] === 'ServiceAccount') subject['apiGroup'] = '';
    else if (subject['kind'] === 'User' || subject['kind'] === 'Group') subject['apiGroup'] = RBAC_GROUP;
  }
}

export function defaultPriorityClass(obj: Rec): void {
  defaultString(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultStorageClass(obj: Rec): void {
  defaultString(obj, 'reclaimPolicy', 'Delete');
  defaultString(obj, 'volumeBindingMode', 'Immediate');
}

export function defaultEndpointSlice(obj: Rec): void {
  for (const port of recs(obj, 'ports')) {
    defaultValue(port, 'name', '');
    defaultString(port, 'protocol', 'TCP');
  }
}

/** autoscaling/v2: one replica minimum and, without metrics, 80% average CPU utilization. */
export function defaultHorizontalPodAutoscalerV2(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultValue(spec, 'minReplicas', 1);
  if (isEmpty(spec['metrics'])) {
    spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  // A behavior, once given, is completed with the defaults for whatever it leaves out.
  const behavior = rec(spec, 'behavior');
  if (behavior) {
    behavior['scaleUp'] = withScalingDefaults(rec(behavior, 'scaleUp'), {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    behavior['scaleDown'] = withScalingDefaults(rec(behavior, 'scaleDown'), {
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
  }
}

function withScalingDefaults(given: Rec | undefined, defaults: Rec): Rec {
  if (!given) return defaults;
  const out: Rec = { ...defaults };
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) {
    if (given[key] !== undefined && given[key] !== null) out[key] = given[key];
  }
  return out;
}

export function defaultHorizontalPodAutoscalerV1(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (spec) defaultValue(spec, 'minReplicas', 1);
}
