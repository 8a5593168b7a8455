// Values of the downward API, shared by env (fieldRef, resourceFieldRef) and downwardAPI volumes:
// pod fields by path, and container resources scaled by a divisor and rounded up, with unset
// limits taken from the node's allocatable, as upstream's fieldpath and resource helpers do.

import { parseQuantity, quantityToMilli, quantityValue, tryParseQuantity } from '../../machinery/quantity.ts';
import { initContainersOf, podUid, type AgentPod, type ContainerSpec, type ResourceFieldSelector } from './pod-types.ts';

/** What the agent knows that the pod object does not say. */
export interface PodRuntimeFacts {
  podIP: string;
  hostIP: string;
}

/** An env var or volume item the agent cannot produce (bad path, unknown container). */
export class DownwardApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownwardApiError';
  }
}

/** upstream fieldpath.FormatMap: sorted `key="value"` lines. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** A fieldRef's value; `volume` allows the whole labels/annotations maps (downwardAPI volumes). */
export function fieldValue(pod: AgentPod, path: string, facts: PodRuntimeFacts, volume = false): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return podUid(pod);
    case 'metadata.labels': if (volume) return formatMap(pod.metadata.labels); break;
    case 'metadata.annotations': if (volume) return formatMap(pod.metadata.annotations); break;
    case 'spec.nodeName': if (!volume) return pod.spec.nodeName ?? ''; break;
    case 'spec.serviceAccountName': if (!volume) return pod.spec.serviceAccountName ?? ''; break;
    case 'status.podIP': case 'status.podIPs': if (!volume) return facts.podIP; break;
    case 'status.hostIP': case 'status.hostIPs': if (!volume) return facts.hostIP; break;
  }
  throw new DownwardApiError(`unsupported fieldPath: ${path}`);
}

const RESOURCE_NAMES: Record<string, string> = {
  'limits.cpu': 'cpu', 'requests.cpu': 'cpu',
  'limits.memory': 'memory', 'requests.memory': 'memory',
  'limits.ephemeral-storage': 'ephemeral-storage', 'requests.ephemeral-storage': 'ephemeral-storage',
};

/**
 * A resourceFieldRef's value: the container's request or limit divided by the divisor (default
 * 1), rounded up; an unset limit is the node's allocatable, an unset request 0.
 */
export function resourceValue(pod: AgentPod, self: ContainerSpec | undefined, ref: ResourceFieldSelector, allocatable: Readonly<Record<string, unknown>>): string {
  const name = RESOURCE_NAMES[ref.resource];
  if (!name) throw new DownwardApiError(`unsupported container resource : ${ref.resource}`);
  const container = ref.containerName
    ? [...pod.spec.containers, ...initContainersOf(pod)].find((c) => c.name === ref.containerName)
    : self;
  if (!container) throw new DownwardApiError(`container ${ref.containerName ?? ''} not found in pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
  const limits = ref.resource.startsWith('limits.');
  const set = (limits ? container.resources?.limits : container.resources?.requests)?.[name];
  const amount = tryParseQuantity(set) ?? (limits ? tryParseQuantity(allocatable[name]) : undefined) ?? parseQuantity(0);
  const divisorQ = tryParseQuantity(ref.divisor ?? '1');
  const divisor = divisorQ && (name === 'cpu' ? quantityToMilli(divisorQ) : quantityValue(divisorQ)) > 0n ? divisorQ : parseQuantity(1);
  if (name === 'cpu') return String(Math.ceil(Number(quantityToMilli(amount)) / Number(quantityToMilli(divisor))));
  return String(Math.ceil(Number(quantityValue(amount)) / Number(quantityValue(divisor))));
}
