// The scheduling algorithm of one cycle (upstream schedule_one.go SchedulePod): PreFilter, then
// Filter over the nodes starting where the last cycle stopped (round-robin), stopping once enough
// feasible nodes are found (percentageOfNodesToScore: adaptive 50% - nodes/125, at least 5% and at
// least 100 nodes), the pod's nominated node first; then PreScore/Score and a random pick among
// the best. Synchronous on purpose: the snapshot cannot change under it.

import type { Snapshot } from './cache/snapshot.ts';
import type { NodeInfo } from './cache/node-info.ts';
import type { CycleState } from './framework/cycle-state.ts';
import { addPluginStatus, FitError, newDiagnosis, NO_NODES_AVAILABLE, type Diagnosis } from './framework/fit-error.ts';
import type { Framework } from './framework/framework.ts';
import { runFilterBatch } from './framework/run-filter.ts';
import type { PodInfo } from './framework/pod-info.ts';
import { Code, Status } from './framework/status.ts';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Nodes filtered per batch: enough for the CPU to overlap their memory loads, few enough to stay in cache. */
const MIN_FILTER_BATCH = 8;
const MAX_FILTER_BATCH = 64;

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** Time spent in the Filter (PreFilter + Filter) and Score (PreScore + Score) phases, µs. */
export interface PhaseTimes {
  filterMicros: number;
  scoreMicros: number;
}

/** Upstream numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct === 0) pct = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

const now = (): number => performance.now();

export class Algorithm {
  /** Where the next Filter pass starts, so successive pods look at different nodes first. */
  nextStartNodeIndex = 0;
  readonly #percentage: number;
  readonly #random: () => number;
  readonly #batch: NodeInfo[] = [];
  readonly #statuses: Status[] = [];
  readonly #thrown: unknown[] = [];

  constructor(percentageOfNodesToScore = 0, random: () => number = Math.random) {
    this.#percentage = percentageOfNodesToScore;
    this.#random = random;
  }

  /** A host, a FitError (fits nowhere) or an error Status; `times` receives the phase durations. */
  schedulePod(fw: Framework, state: CycleState, pod: PodInfo, snapshot: Snapshot, times: PhaseTimes): ScheduleResult | FitError | Status {
    if (snapshot.numNodes === 0) return new Status(Code.UnschedulableAndUnresolvable, [NO_NODES_AVAILABLE]);
    const t0 = now();
    const found = this.#findNodesThatFitPod(fw, state, pod, snapshot);
    const t1 = now();
    times.filterMicros += (t1 - t0) * 1000;
    if (found instanceof Status) return found;
    const { feasible, diagnosis } = found;
    if (feasible.length === 0) return new FitError(snapshot.numNodes, diagnosis);
    const evaluatedNodes = feasible.length + diagnosis.nodeToStatus.map.size;
    if (feasible.length === 1) return { suggestedHost: feasible[0]!.name, evaluatedNodes, feasibleNodes: 1 };
    const host = this.#prioritize(fw, state, pod, feasible);
    times.scoreMicros += (now() - t1) * 1000;
    if (host instanceof Status) return host;
    return { suggestedHost: host, evaluatedNodes, feasibleNodes: feasible.length };
  }

  #findNodesThatFitPod(fw: Framework, state: CycleState, pod: PodInfo, snapshot: Snapshot): { feasible: NodeInfo[]; diagnosis: Diagnosis } | Status {
    const diagnosis = newDiagnosis();
    const all = snapshot.nodeInfoList;
    const pre = fw.runPreFilterPlugins(state, pod, all);
    for (const p of pre.narrowing) diagnosis.unschedulablePlugins.add(p);
    if (!pre.status.isSuccess) {
      if (!pre.status.isRejected) return pre.status;
      diagnosis.nodeToStatus.absent = pre.status;
      diagnosis.preFilterMsg = pre.status.message;
      addPluginStatus(diagnosis, pre.status);
      return { feasible: [], diagnosis };
    }
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = snapshot.get(nominated);
      if (ni) {
        const r = this.#passFilters(fw, state, pod, diagnosis, [ni], false);
        if (r instanceof Status) return r;
        if (r.length > 0) return { feasible: r, diagnosis };
      }
    }
    let nodes: readonly NodeInfo[] = all;
    if (pre.nodeNames) {
      nodes = [...pre.nodeNames].flatMap((n) => {
        const ni = snapshot.get(n);
        return ni ? [ni] : [];
      });
      diagnosis.nodeToStatus.absent = new Status(Code.UnschedulableAndUnresolvable, [`node(s) didn't satisfy plugin(s) [${[...pre.narrowing].sort().join(' ')}]`]);
    }
    const feasible = this.#passFilters(fw, state, pod, diagnosis, nodes, true);
    if (feasible instanceof Status) return feasible;
    return { feasible, diagnosis };
  }

  #passFilters(fw: Framework, state: CycleState, pod: PodInfo, diagnosis: Diagnosis, nodes: readonly NodeInfo[], advance: boolean): NodeInfo[] | Status {
    const n = nodes.length;
    if (n === 0) return [];
    const toFind = numFeasibleNodesToFind(fw.percentageOfNodesToScore ?? this.#percentage, n);
    const start = advance ? this.nextStartNodeIndex % n : 0;
    const feasible: NodeInfo[] = [];
    let processed = 0;
    if (!fw.hasFilterPlugins) {
      for (let i = 0; i < toFind; i++) feasible.push(nodes[(start + i) % n]!);
      processed = toFind;
    } else {
      // Nodes go through the plugins in batches (see runFilterBatch), then are taken in order
      // exactly as one node at a time would: stop at the toFind-th feasible node. A batch is no
      // bigger than the feasible nodes still missing, so little is filtered past that point.
      const batch = this.#batch;
      const statuses = this.#statuses;
      const thrown = this.#thrown;
      let i = 0;
      while (i < n && feasible.length < toFind) {
        const size = Math.min(n - i, Math.max(MIN_FILTER_BATCH, Math.min(MAX_FILTER_BATCH, toFind - feasible.length)));
        batch.length = size;
        for (let k = 0; k < size; k++) batch[k] = nodes[(start + i + k) % n]!;
        runFilterBatch(fw, state, pod, batch, statuses, thrown);
        for (let k = 0; k < size && feasible.length < toFind; k++) {
          const ni = batch[k]!;
          const s = statuses[k]!;
          processed++;
          i++;
          if (s.code === Code.Success) {
            feasible.push(ni);
            continue;
          }
          if (thrown[k] !== undefined) throw thrown[k];
          if (s.code === Code.Error) return s;
          diagnosis.nodeToStatus.set(ni.name, s);
          addPluginStatus(diagnosis, s);
        }
      }
      batch.length = 0;
    }
    if (advance) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % Math.max(1, n);
    return feasible;
  }

  #prioritize(fw: Framework, state: CycleState, pod: PodInfo, nodes: NodeInfo[]): string | Status {
    if (!fw.hasScorePlugins) return this.#selectHost(nodes, nodes.map(() => 1));
    const pre = fw.runPreScorePlugins(state, pod, nodes);
    if (!pre.isSuccess) return pre;
    const totals = fw.runScorePlugins(state, pod, nodes);
    if (totals instanceof Status) return totals;
    return this.#selectHost(nodes, totals);
  }

  /** A uniformly random node among those with the top score (reservoir sampling). */
  #selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): string {
    let best = -Infinity;
    let chosen = '';
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
      const s = totals[i]!;
      if (s > best) {
        best = s;
        chosen = nodes[i]!.name;
        ties = 1;
      } else if (s === best) {
        ties++;
        if (this.#random() * ties < 1) chosen = nodes[i]!.name;
      }
    }
    return chosen;
  }
}
