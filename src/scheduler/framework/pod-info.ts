// PodInfo: a pod with everything the plugins would otherwise recompute on every node, parsed once
// when the pod enters the queue or the cache (upstream framework.PodInfo): priority, resource
// requests, host ports, and the inter-pod (anti-)affinity terms with compiled selectors.

import type { LabelSelectorObject } from '../../machinery/labels.ts';
import type { Container, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../api-types.ts';
import { computePodResources, type Resource } from './resources.ts';
import { selectorFrom, type Selector, NOTHING } from './selectors.ts';

export interface AffinityTerm {
  namespaces: Set<string>;
  selector: Selector;
  topologyKey: string;
  namespaceSelector: Selector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

type Labels = Readonly<Record<string, string>> | undefined;

/** Upstream AffinityTerm.Matches: the pod's namespace is named or selected, and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Labels): boolean {
  if (term.namespaces.has(pod.metadata.namespace ?? '') || term.namespaceSelector.matches(nsLabels)) {
    return term.selector.matches(pod.metadata.labels);
  }
  return false;
}

function makeTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const labels = pod.metadata.labels ?? {};
  // matchLabelKeys / mismatchLabelKeys fold the pod's own label values into the selector, as the
  // API server does upstream at admission.
  const extra: NonNullable<LabelSelectorObject['matchExpressions']> = [];
  if (t.labelSelector) {
    for (const k of t.matchLabelKeys ?? []) if (labels[k] !== undefined) extra.push({ key: k, operator: 'In', values: [labels[k]] });
    for (const k of t.mismatchLabelKeys ?? []) if (labels[k] !== undefined) extra.push({ key: k, operator: 'NotIn', values: [labels[k]] });
  }
  const namespaces = new Set<string>();
  if ((t.namespaces?.length ?? 0) === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null)) namespaces.add(pod.metadata.namespace ?? '');
  else for (const n of t.namespaces ?? []) namespaces.add(n);
  return {
    namespaces,
    selector: selectorFrom(t.labelSelector, extra),
    topologyKey: t.topologyKey,
    namespaceSelector: t.namespaceSelector === undefined || t.namespaceSelector === null ? NOTHING : selectorFrom(t.namespaceSelector),
  };
}

const weighted = (pod: Pod, terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] =>
  (terms ?? []).map((w) => ({ ...makeTerm(pod, w.podAffinityTerm), weight: w.weight }));

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

function hostPortsOf(containers: readonly Container[] | undefined, out: HostPort[], sidecarsOnly: boolean): void {
  for (const c of containers ?? []) {
    if (sidecarsOnly && c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
}

export class PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  readonly key: string;
  readonly namespace: string;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** Names of the PVCs the pod mounts ("ns/name"). */
  readonly pvcKeys: readonly string[];

  /** `priority` is the resolved priority (spec.priority, or the PriorityClass's value when admission did not set it). */
  constructor(pod: Pod, priority?: number) {
    this.pod = pod;
    this.namespace = pod.metadata.namespace ?? '';
    this.uid = pod.metadata.uid ?? `${this.namespace}/${pod.metadata.name ?? ''}`;
    this.key = `${this.namespace}/${pod.metadata.name ?? ''}`;
    this.priority = priority ?? pod.spec?.priority ?? 0;
    const r = computePodResources(pod.spec);
    this.requests = r.requests;
    this.nonZeroMilliCPU = r.nonZeroMilliCPU;
    this.nonZeroMemory = r.nonZeroMemory;
    const ports: HostPort[] = [];
    hostPortsOf(pod.spec?.containers, ports, false);
    hostPortsOf(pod.spec?.initContainers, ports, true);
    this.hostPorts = ports;
    const aff = pod.spec?.affinity;
    this.requiredAffinityTerms = (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => makeTerm(pod, t));
    this.requiredAntiAffinityTerms = (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => makeTerm(pod, t));
    this.preferredAffinityTerms = weighted(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.preferredAntiAffinityTerms = weighted(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.pvcKeys = (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [`${this.namespace}/${v.persistentVolumeClaim.claimName}`] : []));
  }

  /** Has any pod affinity or anti-affinity (upstream's PodsWithAffinity membership). */
  get hasAffinity(): boolean {
    const a = this.pod.spec?.affinity;
    return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }

  get nodeName(): string {
    return this.pod.spec?.nodeName ?? '';
  }

  get terminating(): boolean {
    return !!this.pod.metadata.deletionTimestamp;
  }
}
