// Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time per function and per
// source file, so a missed goal comes with the hot spots that explain it.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderTable } from './report.ts';
import { REPO } from './server.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Sampled time not idle. */
  readonly busyMs: number;
  readonly functions: readonly HotSpot[];
  readonly files: readonly HotSpot[];
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    // timeDeltas[i] is the time before sample i; attribute it to that sample (V8's convention is
    // close enough at 1 ms sampling).
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const name = functionName || '(anonymous)';
    const k = `${name}@${where}`;
    const entry = fn.get(k) ?? { name, where, us: 0 };
    entry.us += us;
    fn.set(k, entry);
    const f = url ? shortUrl(url) : name;
    files.set(f, (files.get(f) ?? 0) + us);
  }
  const rank = (xs: { name: string; where: string; us: number }[]): HotSpot[] =>
    xs
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((x) => ({ name: x.name, where: x.where, ms: x.us / 1000, share: busy ? x.us / busy : 0 }));
  return {
    file,
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: rank([...fn.values()]),
    files: rank([...files].map(([name, us]) => ({ name, where: '', us }))),
  };
}

function shortUrl(url: string): string {
  if (url.startsWith('file://')) return relative(REPO, new URL(url).pathname);
  return url;
}

export function renderProfile(p: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return [
    `Server CPU profile (${p.file}): ${(p.busyMs / 1000).toFixed(1)} s busy of ${(p.totalMs / 1000).toFixed(1)} s sampled`,
    'Top functions by self time',
    renderTable(['function', 'where', 'self', 'share'], p.functions.map((h) => [h.name, h.where, `${h.ms.toFixed(0)} ms`, pct(h.share)]), 'llrr'),
    'Top files by self time',
    renderTable(['file', 'self', 'share'], p.files.map((h) => [h.name, `${h.ms.toFixed(0)} ms`, pct(h.share)])),
  ].join('\n');
}
