// What a pod charges against a quota, as upstream's pod evaluator: `count/pods` always; `pods` and
// compute (requests.*, limits.*, cpu, memory, ephemeral-storage, hugepages and extended
// `requests.<name>`) only while the pod is not terminal and not stuck terminating past its grace
// period. Effective requests and limits follow the scheduler's rule: the sum of the containers
// (restartable init containers, i.e. sidecars, included) or the largest init-container phase,
// whichever is larger, plus pod overhead; pod-level resources override cpu and memory.
// Scope predicates (Terminating, BestEffort, PriorityClass...) are here too: only pods have them.

import type { KubeObject } from '../../api/types.ts';
import { addInto, maxInto, parseList, quantityOf, type Usage } from './resource-list.ts';

interface Container {
  resources?: { requests?: unknown; limits?: unknown };
  restartPolicy?: string;
}

interface AffinityTerm {
  namespaces?: string[];
  namespaceSelector?: unknown;
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  overhead?: unknown;
  resources?: { requests?: unknown; limits?: unknown };
  activeDeadlineSeconds?: number;
  priorityClassName?: string;
  affinity?: Record<string, { requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: AffinityTerm }[] } | undefined>;
}

export interface ScopeRequirement {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export const POD_RESOURCES: ReadonlySet<string> = new Set([
  'count/pods', 'pods', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

const POD_LEVEL_RESOURCES = new Set(['cpu', 'memory']);

const spec = (pod: KubeObject): PodSpec => (pod['spec'] ?? {}) as PodSpec;
const status = (pod: KubeObject): { phase?: string; qosClass?: string } => (pod['status'] ?? {}) as { phase?: string; qosClass?: string };

/** Native names have no domain, or a kubernetes.io one. */
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

/** An extended resource a pod can request (example.com/gpu), never quota'd by itself, only as requests.<name>. */
const isExtended = (name: string): boolean => !isNative(name) && !name.startsWith('requests.');

/** Quota names the pod evaluator measures. */
export function podMatchingResources(names: readonly string[]): string[] {
  return names.filter((n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || (n.startsWith('requests.') && !isNative(n)));
}

function aggregate(pod: KubeObject, field: 'requests' | 'limits'): Usage {
  const s = spec(pod);
  const total: Usage = new Map();
  for (const c of s.containers ?? []) addInto(total, parseList(c.resources?.[field]));
  const sidecars: Usage = new Map();
  const initPeak: Usage = new Map();
  for (const c of s.initContainers ?? []) {
    const own = parseList(c.resources?.[field]);
    if (c.restartPolicy === 'Always') {
      // A sidecar runs alongside everything after it: it adds to the total and to later init phases.
      addInto(total, own);
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      maxInto(initPeak, addInto(addInto(new Map(), own), sidecars));
    }
  }
  maxInto(total, initPeak);
  for (const [name, q] of parseList(s.resources?.[field])) if (POD_LEVEL_RESOURCES.has(name)) total.set(name, q);
  return total;
}

/** Effective pod requests (upstream resourcehelper.PodRequests). */
export function podRequests(pod: KubeObject): Usage {
  return addInto(aggregate(pod, 'requests'), parseList(spec(pod).overhead));
}

/** Effective pod limits: overhead is added only to resources that have a limit. */
export function podLimits(pod: KubeObject): Usage {
  const limits = aggregate(pod, 'limits');
  for (const [name, q] of parseList(spec(pod).overhead)) if (limits.has(name)) addInto(limits, new Map([[name, q]]));
  return limits;
}

/** False for pods that no longer count: terminal, or terminating past their grace period. */
export function podCountsForQuota(pod: KubeObject, nowMs: number): boolean {
  const phase = status(pod).phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined) {
    const deadline = Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
    if (nowMs > deadline) return false;
  }
  return true;
}

/** What one pod charges. */
export function podUsage(pod: KubeObject, nowMs: number): Usage {
  const usage: Usage = new Map([['count/pods', quantityOf(1)]]);
  if (!podCountsForQuota(pod, nowMs)) return usage;
  usage.set('pods', quantityOf(1));
  const requests = podRequests(pod);
  const limits = podLimits(pod);
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(name);
    if (req) {
      usage.set(name, req);
      usage.set(`requests.${name}`, req);
    }
    const lim = limits.get(name);
    if (lim) usage.set(`limits.${name}`, lim);
  }
  for (const [name, q] of requests) {
    if (name.startsWith('hugepages-')) {
      usage.set(name, q);
      usage.set(`requests.${name}`, q);
    } else if (isExtended(name)) {
      usage.set(`requests.${name}`, q);
    }
  }
  return usage;
}

/** The pod's QoS class: as recorded in status, or computed (BestEffort when no cpu/memory request or limit is set anywhere). */
export function isBestEffort(pod: KubeObject): boolean {
  const recorded = status(pod).qosClass;
  if (recorded) return recorded === 'BestEffort';
  const s = spec(pod);
  const lists = [...(s.containers ?? []), ...(s.initContainers ?? [])].flatMap((c) => [c.resources?.requests, c.resources?.limits]);
  lists.push(s.resources?.requests, s.resources?.limits);
  return !lists.some((l) => [...parseList(l)].some(([name, q]) => POD_LEVEL_RESOURCES.has(name) && q.nano !== 0n));
}

const isTerminating = (pod: KubeObject): boolean => {
  const deadline = spec(pod).activeDeadlineSeconds;
  return typeof deadline === 'number' && deadline >= 0;
};

function usesCrossNamespaceAffinity(pod: KubeObject): boolean {
  const affinity = spec(pod).affinity ?? {};
  return ['podAffinity', 'podAntiAffinity'].some((kind) => {
    const a = affinity[kind];
    const terms = [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {})];
    return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined);
  });
}

/** Whether the pod falls under one scope requirement of a quota. */
export function podMatchesScope(req: ScopeRequirement, pod: KubeObject): boolean {
  switch (req.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(pod);
    case 'PriorityClass': {
      const name = spec(pod).priorityClassName ?? '';
      // As a label selector over {PriorityClass: <name>}: the key is always present.
      switch (req.operator) {
        case 'Exists':
          return name !== '';
        case 'DoesNotExist':
          return false;
        case 'In':
          return (req.values ?? []).includes(name);
        case 'NotIn':
          return !(req.values ?? []).includes(name);
      }
      return false;
    }
    default:
      return false;
  }
}
