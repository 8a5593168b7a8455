// CPU profile of just the measured interval (node:inspector in this process, so setup, node
// registration and pod creation stay out of it), written as a .cpuprofile for DevTools and
// summarised: self time per function and per source file, and inclusive time of the functions
// that split the work (scheduling cycle, request handling, watch delivery, SQLite).

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export class Profiler {
  readonly #session = new Session();
  readonly #intervalMicros: number;

  /** Samples every `intervalMicros` (coarser for long runs: the profile stays small). */
  constructor(intervalMicros = 200) {
    this.#intervalMicros = intervalMicros;
  }

  async start(): Promise<void> {
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.setSamplingInterval', { interval: this.#intervalMicros });
    await this.#session.post('Profiler.start');
  }

  /** Stops, writes `<file>` and returns a printable summary. */
  async stop(file: string, top = 25): Promise<string> {
    const { profile } = (await this.#session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    this.#session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return summarize(profile, file, top);
  }
}

const short = (url: string): string => {
  const i = url.indexOf('/src/');
  const j = url.indexOf('/bench/');
  if (i >= 0) return url.slice(i + 1);
  if (j >= 0) return url.slice(j + 1);
  return url ? path.basename(url) : '(native)';
};

export function summarize(profile: CpuProfile, file: string, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idle += ms;
    const key = `${name} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms);
    const f = n.callFrame.url ? short(n.callFrame.url) : name.startsWith('(') ? name : '(native)';
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + ms);
    // Inclusive: every distinct function on the stack of this sample gets the time once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      const k = `${c.functionName || '(anonymous)'} ${short(c.url)}:${c.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const busy = total - idle;
  const pct = (ms: number): string => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>, n: number): string[] =>
    [...m].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `    ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  const interesting = [...inclusive].filter(([k]) => /^(scheduleOne|#bindingCycle|schedulePod|updateSnapshot|runFilterPlugins|runScorePlugins|runPreScorePlugins|runPreFilterPlugins|handle\w*|#dispatch|#deliver\w*|#commit\w*|onPodAdd|onPodUpdate|garbage collector|\(garbage collector\))\s/.test(k));
  return [
    `  profile ${file}: ${total.toFixed(0)} ms sampled, busy ${busy.toFixed(0)} ms (${((busy / total) * 100).toFixed(0)}%)`,
    `  self time by file:`,
    ...rows(fileSelf, 15),
    `  self time by function:`,
    ...rows(fnSelf, top),
    `  inclusive time (functions on the stack):`,
    ...rows(new Map(interesting), 20),
    `  inclusive, top:`,
    ...rows(inclusive, 40),
  ].join('\n');
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/**
 * Sampling heap profile (node:inspector): what is still live at stop(), attributed to the stack
 * that allocated it. Summarised by allocating function and file, and by the first frame of our
 * own code on the stack (so JSON.parse inside the client counts under the client).
 */
export class HeapSampler {
  readonly #session = new Session();

  async start(intervalBytes = 256 * 1024): Promise<void> {
    this.#session.connect();
    await this.#session.post('HeapProfiler.enable');
    await this.#session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
  }

  async stop(file: string, top = 20): Promise<string> {
    const { profile } = (await this.#session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
    this.#session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    const byFn = new Map<string, number>();
    const byOwn = new Map<string, number>();
    let total = 0;
    const walk = (n: SamplingNode, own: string): void => {
      const f = n.callFrame;
      const where = f.url ? short(f.url) : '';
      const ours = where.startsWith('src/') || where.startsWith('bench/');
      const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
      const owner = ours ? key : own;
      if (n.selfSize > 0) {
        total += n.selfSize;
        byFn.set(key, (byFn.get(key) ?? 0) + n.selfSize);
        byOwn.set(owner, (byOwn.get(owner) ?? 0) + n.selfSize);
      }
      for (const c of n.children) walk(c, owner);
    };
    walk(profile.head, '(outside our code)');
    const MiB = 2 ** 20;
    const rows = (m: Map<string, number>): string[] =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `    ${((v / total) * 100).toFixed(1).padStart(5)}% ${(v / MiB).toFixed(0).padStart(6)} MiB  ${k}`);
    return [`  heap profile ${file}: ${(total / MiB).toFixed(0)} MiB live (sampled)`, '  by allocating function:', ...rows(byFn), '  by the innermost function of ours on the stack:', ...rows(byOwn)].join('\n');
  }
}
