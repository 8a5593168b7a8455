// What a simulated node looks like in the API, as a kubelet registers it: well-known labels
// (hostname, os, arch, instance type, zone and region), capacity and allocatable, the node
// conditions with kubelet's reasons and heartbeats, fake addresses, nodeInfo and daemonEndpoints;
// and its Lease in kube-node-lease, owned by the Node so it goes when the Node does.

import { createHash } from 'node:crypto';
import { microTime } from '../../../client/index.ts';
import type { OwnerReference } from '../../../api/types.ts';
import { metaTime } from './pod-status.ts';
import { nodeName, zoneName, type SimConfig } from './options.ts';
import { slotAddresses, type NodeAddresses } from './address-plan.ts';
import { NODE_LEASE_NAMESPACE, type Node, type NodeCondition } from './types.ts';
import { RUNTIME_NAME, RUNTIME_VERSION } from './sim-runtime.ts';
import type { Lease } from '../../../client/index.ts';

export const KUBELET_VERSION = 'v1.33.0-strata';
/** Marks the Nodes this simulator made (so tests, schedulers and people can tell). */
export const SIMULATED_LABEL = 'sim.strata.dev/simulated';
const KUBELET_PORT = 10250;

/** The per-index facts of a node: name, addresses, pod range, zone. */
export interface NodeIdentity {
  name: string;
  index: number;
  internalIP: string;
  podCIDR: string;
  zone: string;
}

/** The index-th node's identity; its addresses are the plan's, or by default those of slot offset + index. */
export function nodeIdentity(config: SimConfig, index: number, addresses?: NodeAddresses): NodeIdentity {
  const { podCIDR, internalIP } = addresses ?? slotAddresses(config, (config.addressOffset + index) % config.addressSlots);
  return { name: nodeName(config, index), index, internalIP, podCIDR, zone: zoneName(config, index) };
}

/** The conditions a healthy node reports, in kubelet's order; NetworkUnavailable is the network plugin's. */
const HEALTHY: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route' },
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The node's conditions with a fresh heartbeat; a condition keeps its lastTransitionTime from
 * `previous` while its status is unchanged. NetworkUnavailable keeps its old heartbeat, as the
 * kubelet does not post it.
 */
export function nodeConditions(nowMs: number, previous: readonly NodeCondition[] = []): NodeCondition[] {
  const now = metaTime(nowMs);
  return HEALTHY.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    const same = prev?.status === c.status;
    const heartbeat = c.type === 'NetworkUnavailable' && same && prev?.lastHeartbeatTime ? prev.lastHeartbeatTime : now;
    return { ...c, lastHeartbeatTime: heartbeat, lastTransitionTime: same ? (prev?.lastTransitionTime ?? now) : now };
  });
}

function hashed(name: string, salt: string): string {
  return createHash('sha256').update(`${salt}/${name}`).digest('hex');
}

const uuidShape = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/** The node's status as its kubelet posts it at registration. */
export function nodeStatus(config: SimConfig, id: NodeIdentity, nowMs: number, bootId: string, previous: readonly NodeCondition[] = []): Record<string, unknown> {
  const capacity = { ...config.capacity, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(nowMs, previous),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: hashed(id.name, 'machine').slice(0, 32),
      systemUUID: uuidShape(hashed(id.name, 'system')),
      bootID: bootId,
      kernelVersion: '6.8.0-strata-sim',
      osImage: 'Strata Simulated Linux',
      containerRuntimeVersion: `${RUNTIME_NAME}://${RUNTIME_VERSION}`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

export function nodeLabels(config: SimConfig, id: NodeIdentity): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': config.instanceType,
    'topology.kubernetes.io/region': config.region,
    'topology.kubernetes.io/zone': id.zone,
    [SIMULATED_LABEL]: 'true',
    ...config.labels,
  };
}

/** The Node object a simulated kubelet registers (status included; see registerNode). */
export function buildNode(config: SimConfig, id: NodeIdentity, nowMs: number, bootId: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: nodeLabels(config, id),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] },
    status: nodeStatus(config, id, nowMs, bootId),
  };
}

/** The node's Lease: holder is the node, owned by the Node object. */
export function buildLease(name: string, nodeUid: string, leaseDurationSeconds: number, nowMs: number, resourceVersion?: string): Lease {
  const owner: OwnerReference = { apiVersion: 'v1', kind: 'Node', name, uid: nodeUid };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: NODE_LEASE_NAMESPACE, ...(nodeUid ? { ownerReferences: [owner] } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
    spec: { holderIdentity: name, leaseDurationSeconds, renewTime: microTime(nowMs) },
  };
}
