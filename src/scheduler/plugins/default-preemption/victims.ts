// Choosing victims (upstream DefaultPreemption.SelectVictimsOnNode and pickOneNodeForPreemption):
// remove every lower-priority pod from a copy of the node; if the preemptor then fits, add pods
// back from the most important down — first those whose eviction would violate a PDB, then the
// rest — keeping as victims only the ones that do not fit back. Among candidate nodes pick the one
// with the fewest PDB violations, then the lowest highest victim priority, the lowest priority sum,
// the fewest victims, and the latest start of the highest-priority victims.

import type { PodDisruptionBudget } from '../../api-types.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { CycleState } from '../../framework/cycle-state.ts';
import type { Handle } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { selectorFrom } from '../../framework/selectors.ts';
import { Code, Status, SUCCESS } from '../../framework/status.ts';

export interface Victims {
  pods: PodInfo[];
  numPDBViolations: number;
}

export interface Candidate {
  name: string;
  victims: Victims;
}

/** When the pod started (or now, if it has not), as upstream GetPodStartTime. */
export function podStartTime(pi: PodInfo, nowMs: number): number {
  const t = pi.pod.status?.startTime;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : nowMs;
}

/** Higher priority first, then the pod that started earlier (upstream MoreImportantPod). */
export function moreImportant(a: PodInfo, b: PodInfo, nowMs: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return podStartTime(a, nowMs) < podStartTime(b, nowMs);
}

/** Splits pods (kept in order) by whether evicting them, in order, would exceed some PDB's budget. */
export function splitByPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  if (pdbs.length === 0) return { violating: [], nonViolating: [...pods] };
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => selectorFrom(p.spec?.selector));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of pods) {
    let violated = false;
    const labels = pi.pod.metadata.labels;
    if (labels && Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i]!;
        if (pdb.metadata.namespace !== pi.namespace || sel.empty || !sel.matches(labels)) return;
        if (pdb.status?.disruptedPods?.[pi.pod.metadata.name ?? ''] !== undefined) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}

/** Victims on one node for `pod`, or the status explaining why preempting there cannot help. `nodeInfo` and `state` are copies. */
export function selectVictimsOnNode(
  handle: Handle,
  state: CycleState,
  pod: PodInfo,
  nodeInfo: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
): { victims: Victims; status: Status } {
  const none: Victims = { pods: [], numPDBViolations: 0 };
  const remove = (pi: PodInfo): Status => {
    nodeInfo.removePod(pi);
    return handle.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
  };
  const add = (pi: PodInfo): Status => {
    nodeInfo.addPod(pi);
    return handle.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
  };
  const potential = nodeInfo.pods.filter((p) => p.priority < pod.priority);
  for (const p of potential) {
    const s = remove(p);
    if (!s.isSuccess) return { victims: none, status: s };
  }
  if (potential.length === 0) return { victims: none, status: new Status(Code.UnschedulableAndUnresolvable, ['No preemption victims found for incoming pod']) };
  const fits = handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
  if (!fits.isSuccess) return { victims: none, status: fits };
  const now = handle.clock.now();
  potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  let numViolating = 0;
  const reprieve = (pi: PodInfo): boolean | Status => {
    const s = add(pi);
    if (!s.isSuccess) return s;
    if (handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo).isSuccess) return true;
    const r = remove(pi);
    if (!r.isSuccess) return r;
    victims.push(pi);
    return false;
  };
  for (const p of violating) {
    const r = reprieve(p);
    if (r instanceof Status) return { victims: none, status: r };
    if (!r) numViolating++;
  }
  for (const p of nonViolating) {
    const r = reprieve(p);
    if (r instanceof Status) return { victims: none, status: r };
  }
  if (violating.length > 0 && nonViolating.length > 0) victims.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  return { victims: { pods: victims, numPDBViolations: numViolating }, status: SUCCESS };
}

/** Upstream pickOneNodeForPreemption over the candidates' victims. */
export function pickOneNode(candidates: readonly Candidate[], nowMs: number): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const earliestStartOfTop = (v: Victims): number => {
    let maxPriority = v.pods[0]!.priority;
    let earliest = podStartTime(v.pods[0]!, nowMs);
    for (const p of v.pods) {
      if (p.priority === maxPriority) earliest = Math.min(earliest, podStartTime(p, nowMs));
      else if (p.priority > maxPriority) {
        maxPriority = p.priority;
        earliest = podStartTime(p, nowMs);
      }
    }
    return earliest;
  };
  const scores: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -c.victims.pods[0]!.priority,
    (c) => -c.victims.pods.reduce((sum, p) => sum + p.priority + 2 ** 31, 0),
    (c) => -c.victims.pods.length,
    (c) => earliestStartOfTop(c.victims),
  ];
  let pool = [...candidates];
  for (const f of scores) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of pool) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [c];
      } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    pool = selected;
  }
  return pool[0];
}
