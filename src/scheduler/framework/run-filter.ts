// Filter over a batch of nodes, plugin by plugin (split from framework.ts): each plugin runs over
// every node of the batch still passing before the next plugin starts. The outcome per node is
// the one runFilterPluginsWithNominatedPods gives — plugins in order, the first failure decides —
// but the loads of a plugin's pass over consecutive nodes overlap in the CPU instead of waiting
// one node at a time, and the later plugins find the nodes in cache. Filter plugins are pure
// functions of (state, pod, node), so the order of calls across nodes does not change a result.

import type { NodeInfo } from '../cache/node-info.ts';
import type { CycleState } from './cycle-state.ts';
import type { FilterPlugin, PodNominator } from './interface.ts';
import type { PodInfo } from './pod-info.ts';
import { Code, Status, SUCCESS } from './status.ts';

/** What the framework gives the batch runner. */
export interface FilterRunner {
  readonly nominator: PodNominator;
  readonly points: { readonly filter: readonly unknown[] };
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
}

/** Marks a node whose outcome is settled before the plugin passes (it has nominated pods). */
const SETTLED = new Status(Code.Success);

/**
 * Sets out[k] to the Filter outcome of batch[k] (SUCCESS, a rejection or an Error status) and
 * thrown[k] to what a plugin threw for it, if anything: the caller rethrows it only if it reaches
 * that node, as a node-at-a-time loop would have.
 */
export function runFilterBatch(fw: FilterRunner, state: CycleState, pod: PodInfo, batch: readonly NodeInfo[], out: Status[], thrown: unknown[]): void {
  const n = batch.length;
  out.length = n;
  thrown.length = 0;
  const checkNominated = fw.nominator.size !== 0;
  let settled = 0;
  for (let k = 0; k < n; k++) {
    out[k] = SUCCESS;
    if (!checkNominated || fw.nominator.nominatedPodsForNode(batch[k]!.name).length === 0) continue;
    // Nodes with nominated pods take the two-pass path of their own.
    try {
      out[k] = fw.runFilterPluginsWithNominatedPods(state, pod, batch[k]!);
    } catch (err) {
      out[k] = Status.error('', err);
      thrown[k] = err;
    }
    if (out[k] === SUCCESS) out[k] = SETTLED;
    settled++;
  }
  const plugins = (state.activeFilters ?? fw.points.filter) as readonly FilterPlugin[];
  if (settled < n) {
    for (let p = 0; p < plugins.length; p++) {
      const pl = plugins[p]!;
      for (let k = 0; k < n; k++) {
        if (out[k] !== SUCCESS) continue;
        let s: Status | undefined;
        try {
          s = pl.filter(state, pod, batch[k]!);
        } catch (err) {
          out[k] = Status.error(pl.name, err);
          thrown[k] = err;
          continue;
        }
        if (s !== undefined && s.code !== Code.Success) {
          out[k] = s.isRejected ? (s.plugin ? s : s.withPlugin(pl.name)) : new Status(Code.Error, s.reasons, pl.name, s.error);
        }
      }
    }
  }
  if (settled > 0) for (let k = 0; k < n; k++) if (out[k] === SETTLED) out[k] = SUCCESS;
}
