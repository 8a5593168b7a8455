// The printed report: one table per scenario (absolute figures beside the same-run baselines and
// the ratios), the goals with PASS/MISS, and the machine the figures came from.

import os from 'node:os';

/** One scenario's table; every cell is preformatted text. */
export interface Section {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

export interface Goal {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  /** undefined when the scenario did not run or failed. */
  readonly pass: boolean | undefined;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** `align` has one letter per column, 'l' or 'r'; by default the first column is left, figures right. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], align?: string, indent = '  '): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => {
        const w = widths[i] as number;
        const padding = ' '.repeat(Math.max(0, w - width(c)));
        const left = align ? align[i] === 'l' : i === 0;
        return left ? c + padding : padding + c;
      })
      .join('   ')
      .trimEnd();
  const rule = indent + widths.map((w) => '─'.repeat(w)).join('   ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Display width: code points (the table uses ×, µ and ─, each one column wide). */
function width(s: string): number {
  return [...s].length;
}

export function renderSection(s: Section): string {
  const out = [s.title, renderTable(s.header, s.rows)];
  for (const n of s.notes ?? []) out.push(`  ${n}`);
  return out.join('\n');
}

export function renderGoals(goals: readonly Goal[]): string {
  const rows = goals.map((g) => [g.name, g.target, g.actual, g.pass === undefined ? 'n/a' : g.pass ? 'PASS' : 'MISS']);
  return ['Goals', renderTable(['goal', 'target', 'measured', ''], rows, 'llll')].join('\n');
}

export function renderMachine(m: Machine, extra: readonly string[]): string {
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}`,
    `Node ${m.node}, ${m.date}`,
    ...extra,
  ].join('\n');
}
