// Why a pod fits nowhere, in the words users read in `kubectl describe pod` (upstream FitError):
// "0/5 nodes are available: <PreFilter message>. | <count reason, ...>. <PostFilter message>"
// where each node contributes its Filter reasons, counts are per distinct reason, and the
// "<count> <reason>" strings are sorted as Go's sort.Strings sorts them (byte order).

import type { NodeToStatus } from './interface.ts';
import { Code, Status } from './status.ts';

export const NO_NODE_AVAILABLE = (n: number): string => `0/${n} nodes are available`;

/** A mutable node→status map with a status for the nodes it does not list. */
export class NodeStatusMap implements NodeToStatus {
  readonly map = new Map<string, Status>();
  absent: Status;

  constructor(absent: Status = new Status(Code.UnschedulableAndUnresolvable)) {
    this.absent = absent;
  }

  get(name: string): Status {
    return this.map.get(name) ?? this.absent;
  }

  set(name: string, status: Status): void {
    this.map.set(name, status);
  }
}

export interface Diagnosis {
  nodeToStatus: NodeStatusMap;
  /** Plugins that rejected the pod on some node (drives requeueing on cluster events). */
  unschedulablePlugins: Set<string>;
  pendingPlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeStatusMap(), unschedulablePlugins: new Set(), pendingPlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/** Records the plugin of a rejecting (or pending) status, as upstream Diagnosis.AddPluginStatus. */
export function addPluginStatus(d: Diagnosis, s: Status): void {
  if (!s.plugin) return;
  if (s.isRejected) d.unschedulablePlugins.add(s.plugin);
  if (s.code === Code.Pending) d.pendingPlugins.add(s.plugin);
}

export function fitErrorMessage(numAllNodes: number, d: Pick<Diagnosis, 'nodeToStatus' | 'preFilterMsg' | 'postFilterMsg'>): string {
  let msg = `${NO_NODE_AVAILABLE(numAllNodes)}:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of d.nodeToStatus.map.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absentNodes = numAllNodes - d.nodeToStatus.map.size;
    if (absentNodes > 0) for (const r of d.nodeToStatus.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absentNodes);
    const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort(byteOrder);
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** The scheduling failure of a pod that fits no node (a value, not thrown). */
export class FitError {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  /** Computed on read: PostFilter adds its message after the error is made. */
  get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

/** The message of a cluster with no nodes (upstream ErrNoNodesAvailable). */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
