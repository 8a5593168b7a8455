// The agent's Node object and its registration, as the kubelet's registerWithAPIServer: the Node
// carries well-known labels (hostname, os, arch), the machine's addresses, capacity and
// allocatable, conditions and nodeInfo. A Node that already exists (the agent restarted, or the
// name was registered before) is taken over: its labels are merged and its status replaced.

import { networkInterfaces } from 'node:os';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { isAlreadyExists } from '../../machinery/status-error.ts';
import type { MachineIdentity, MachineSnapshot } from './machine.ts';
import { nodeAllocatable, nodeCapacity, nodeConditions, pressures, type NodeCondition, type ResourceConfig } from './machine-status.ts';

export const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
export const KUBELET_VERSION = 'v1.33.0-strata';
export const KUBELET_PORT = 10250;

export interface NodeFacts {
  name: string;
  identity: MachineIdentity;
  machine: MachineSnapshot;
  resources: ResourceConfig;
  /** e.g. process://0.1.0, the runtime flag's name and version. */
  containerRuntimeVersion: string;
  addresses: readonly { type: string; address: string }[];
  labels?: Readonly<Record<string, string>>;
  ready: { ready: boolean; message?: string };
  /** The port the agent's HTTPS endpoint listens on (status.daemonEndpoints); 10250 when not given. */
  kubeletPort?: number;
  /** metav1.Time now. */
  now: string;
}

/** InternalIP of the first non-internal IPv4 interface (IPv6 when there is none) and the Hostname. */
export function machineAddresses(hostName: string, interfaces = networkInterfaces()): { type: string; address: string }[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((i) => !i.internal);
  const ip = all.find((i) => i.family === 'IPv4') ?? all.find((i) => i.family === 'IPv6' && !i.address.startsWith('fe80'));
  return [...(ip ? [{ type: 'InternalIP', address: ip.address }] : [{ type: 'InternalIP', address: '127.0.0.1' }]), { type: 'Hostname', address: hostName }];
}

export function nodeLabels(facts: NodeFacts): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': facts.identity.architecture,
    'beta.kubernetes.io/os': facts.identity.operatingSystem,
    'kubernetes.io/arch': facts.identity.architecture,
    'kubernetes.io/hostname': facts.name,
    'kubernetes.io/os': facts.identity.operatingSystem,
    ...facts.labels,
  };
}

export function nodeStatus(facts: NodeFacts, previous: readonly NodeCondition[] = []): Record<string, unknown> {
  const capacity = nodeCapacity(facts.machine, facts.resources);
  return {
    capacity,
    allocatable: nodeAllocatable(capacity, facts.machine, facts.resources),
    conditions: nodeConditions(pressures(facts.machine, facts.resources), facts.ready, facts.now, previous),
    addresses: facts.addresses.map((a) => ({ ...a })),
    daemonEndpoints: { kubeletEndpoint: { Port: facts.kubeletPort ?? KUBELET_PORT } },
    nodeInfo: {
      machineID: facts.identity.machineID,
      systemUUID: facts.identity.machineID,
      bootID: facts.identity.bootID,
      kernelVersion: facts.identity.kernelVersion,
      osImage: facts.identity.osImage,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: facts.identity.operatingSystem,
      architecture: facts.identity.architecture,
    },
  };
}

export function buildNode(facts: NodeFacts): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: facts.name,
      labels: nodeLabels(facts),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(facts),
  };
}

export function conditionsOf(node: KubeObject): NodeCondition[] {
  return (((node['status'] ?? {}) as Record<string, unknown>)['conditions'] ?? []) as NodeCondition[];
}

/**
 * Creates the Node, or takes over the existing one (labels merged, status posted). Returns the
 * Node as stored, whose uid owns the Lease.
 */
export async function registerNode(client: RestClient, facts: NodeFacts, signal?: AbortSignal): Promise<KubeObject> {
  const node = buildNode(facts);
  let created: KubeObject;
  try {
    created = await client.create(NODES, node, signal ? { signal } : {});
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get({ ...NODES, name: facts.name }, signal ? { signal } : {});
    const copy = structuredClone(existing);
    copy.metadata.labels = { ...copy.metadata.labels, ...nodeLabels(facts) };
    const updated = await client.update({ ...NODES, name: facts.name }, copy, signal ? { signal } : {});
    updated['status'] = nodeStatus(facts, conditionsOf(existing));
    return client.updateStatus({ ...NODES, name: facts.name }, updated, signal ? { signal } : {});
  }
  // The status of a create is reset by the server (status subresource): post it separately.
  created['status'] = nodeStatus(facts);
  return client.updateStatus({ ...NODES, name: facts.name }, created, signal ? { signal } : {});
}
