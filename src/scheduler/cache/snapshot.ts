// The snapshot a scheduling cycle reads (upstream cache.Snapshot): NodeInfo copies by name, the
// node list in zone-interleaved order, and the sub-lists of nodes hosting pods with (required
// anti-)affinity that InterPodAffinity walks instead of every node. The cache refreshes it in
// place, copying only NodeInfos whose generation moved.

import type { Node, Pod } from '../api-types.ts';
import { PodInfo } from '../framework/pod-info.ts';
import { ChangeLog } from './change-log.ts';
import { HOT_SIZE, NodeInfo } from './node-info.ts';

export class Snapshot {
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  /** PVCs ("ns/name") used by some pod on some node. */
  usedPVCSet = new Set<string>();
  generation = 0;
  /** Every change to a NodeInfo of nodeInfoList since it was last rebuilt (see ChangeLog). */
  readonly changes = new ChangeLog<NodeInfo>();

  /** A snapshot of the given nodes and the pods bound to them (tests and benchmarks). */
  static from(nodes: readonly Node[], pods: readonly (Pod | PodInfo)[] = []): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) {
      const ni = new NodeInfo(n.metadata.name ?? '', n);
      s.nodeInfoMap.set(ni.name, ni);
      s.nodeInfoList.push(ni);
    }
    for (const p of pods) {
      const pi = p instanceof PodInfo ? p : new PodInfo(p);
      s.nodeInfoMap.get(pi.nodeName)?.addPod(pi);
    }
    s.packHot();
    s.refreshLists();
    return s;
  }

  /**
   * After nodeInfoList was rebuilt: packs the nodes' rows of hot amounts into one table in list
   * order and attaches them to the change log (readers see a new list and start over).
   */
  packHot(): void {
    const table = new Float64Array(this.nodeInfoList.length * HOT_SIZE);
    for (let i = 0; i < this.nodeInfoList.length; i++) {
      const ni = this.nodeInfoList[i]!;
      ni.log = this.changes;
      ni.placeHot(table, i * HOT_SIZE);
    }
  }

  get(name: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(name);
  }

  get numNodes(): number {
    return this.nodeInfoList.length;
  }

  /** Rebuilds the affinity sub-lists and the PVC set from nodeInfoList. */
  refreshLists(): void {
    const aff: NodeInfo[] = [];
    const anti: NodeInfo[] = [];
    const pvcs = new Set<string>();
    for (const ni of this.nodeInfoList) {
      if (ni.podsWithAffinity.length > 0) aff.push(ni);
      if (ni.podsWithRequiredAntiAffinity.length > 0) anti.push(ni);
      for (const k of ni.pvcRefCounts.keys()) pvcs.add(k);
    }
    this.havePodsWithAffinityList = aff;
    this.havePodsWithRequiredAntiAffinityList = anti;
    this.usedPVCSet = pvcs;
  }
}
