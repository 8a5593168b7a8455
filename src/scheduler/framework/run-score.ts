// The Score and PostFilter extension points (split from framework.ts): scores per plugin over the
// feasible nodes, NormalizeScore, range check, weights; PostFilter plugins until one succeeds.

import type { NodeInfo } from '../cache/node-info.ts';
import type { CycleState } from './cycle-state.ts';
import { MAX_NODE_SCORE, MIN_NODE_SCORE, type NodeScore, type NodeToStatus, type PostFilterPlugin, type PostFilterResult, type ScorePlugin } from './interface.ts';
import type { PodInfo } from './pod-info.ts';
import { Code, Status } from './status.ts';

/** NodeScore objects reused across cycles (normalizeScore gets them in a fresh array that is not kept). */
const pool: NodeScore[] = [];

const invalid = (plugin: string, s: number): Status =>
  new Status(Code.Error, [`plugin "${plugin}" returns an invalid score ${s}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`], plugin);

const outOfRange = (s: number): boolean => s > MAX_NODE_SCORE || s < MIN_NODE_SCORE || !Number.isFinite(s);

export function runScorePlugins(
  plugins: readonly ScorePlugin[],
  weights: ReadonlyMap<string, number>,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
): number[] | Status {
  const n = nodes.length;
  const totals = new Array<number>(n).fill(0);
  let scores: NodeScore[] | undefined;
  for (const pl of plugins) {
    const weight = weights.get(pl.name) ?? 1;
    if (!pl.normalizeScore) {
      // Nothing to normalize: check and weigh each score as it comes (the first invalid one, in
      // node order, is reported once the pass is over, as when checking after the pass).
      let hasBad = false;
      let bad = 0;
      for (let i = 0; i < n; i++) {
        let r: number | Status;
        try {
          r = pl.score(state, pod, nodes[i]!);
        } catch (err) {
          return Status.error(pl.name, err);
        }
        if (typeof r !== 'number') {
          if (r.isSuccess) r = 0;
          else return new Status(Code.Error, r.reasons, pl.name, r.error);
        }
        if (outOfRange(r)) {
          if (!hasBad) bad = r;
          hasBad = true;
          continue;
        }
        totals[i]! += r * weight;
      }
      if (hasBad) return invalid(pl.name, bad);
      continue;
    }
    // One NodeScore per node, reused by every normalizing plugin (each pass overwrites every score).
    if (!scores) {
      scores = new Array<NodeScore>(n);
      for (let i = 0; i < n; i++) {
        let s = pool[i];
        if (!s) pool.push((s = { name: '', score: 0 }));
        s.name = nodes[i]!.name;
        s.score = 0;
        scores[i] = s;
      }
    }
    for (let i = 0; i < n; i++) {
      let r: number | Status;
      try {
        r = pl.score(state, pod, nodes[i]!);
      } catch (err) {
        return Status.error(pl.name, err);
      }
      if (typeof r !== 'number') {
        if (r.isSuccess) r = 0;
        else return new Status(Code.Error, r.reasons, pl.name, r.error);
      }
      scores[i]!.score = r;
    }
    const s = pl.normalizeScore(state, pod, scores);
    if (s && !s.isSuccess) return new Status(Code.Error, s.reasons, pl.name, s.error);
    for (let i = 0; i < n; i++) {
      const v = scores[i]!.score;
      if (outOfRange(v)) return invalid(pl.name, v);
      totals[i]! += v * weight;
    }
  }
  return totals;
}

/** Upstream RunPostFilterPlugins: the first success wins; rejections' reasons are joined. */
export function runPostFilter(
  plugins: readonly PostFilterPlugin[],
  state: CycleState,
  pod: PodInfo,
  statuses: NodeToStatus,
): { result: PostFilterResult | undefined; status: Status } {
  let result: PostFilterResult | undefined;
  const reasons: string[] = [];
  let rejector = '';
  for (const pl of plugins) {
    let out: { result?: PostFilterResult; status: Status };
    try {
      out = pl.postFilter(state, pod, statuses);
    } catch (err) {
      return { result: undefined, status: Status.error(pl.name, err) };
    }
    const s = out.status;
    if (s.isSuccess) return { result: out.result, status: s };
    if (s.code === Code.UnschedulableAndUnresolvable) return { result: out.result, status: s.withPlugin(pl.name) };
    if (!s.isRejected) return { result: undefined, status: new Status(Code.Error, s.reasons, pl.name, s.error) };
    if (out.result) result = out.result;
    reasons.push(...s.reasons);
    rejector ||= pl.name;
  }
  return { result, status: new Status(Code.Unschedulable, reasons, rejector) };
}
