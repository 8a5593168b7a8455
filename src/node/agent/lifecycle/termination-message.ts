// terminationMessage of an exited container, as upstream: the file at terminationMessagePath
// (at most 4096 bytes), or with FallbackToLogsOnError and a failed, silent container the tail of
// its log (80 lines, at most 2048 bytes). Reading the file and the log is the runtime's business;
// the worker passes functions that do it.

import { open } from 'node:fs/promises';
import type { ContainerStatus } from '../../runtime/cri.ts';
import type { ContainerSpec } from '../pod-types.ts';

export interface TerminationMessageSources {
  /** The contents of the container's terminationMessagePath (undefined: none). */
  readMessageFile?(container: ContainerStatus, path: string): Promise<string | undefined>;
  /** The last `lines` lines of the container's log. */
  tailLog?(container: ContainerStatus, lines: number): Promise<string>;
}

export const MAX_MESSAGE_BYTES = 4096;
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;

export async function terminationMessage(spec: ContainerSpec, container: ContainerStatus, sources: TerminationMessageSources): Promise<string> {
  let message = container.message ?? '';
  if (!message && sources.readMessageFile) {
    message = truncateHead(await sources.readMessageFile(container, spec.terminationMessagePath ?? '/dev/termination-log').catch(() => undefined) ?? '', MAX_MESSAGE_BYTES);
  }
  if (!message && spec.terminationMessagePolicy === 'FallbackToLogsOnError' && container.exitCode !== 0 && sources.tailLog) {
    const log = await sources.tailLog(container, FALLBACK_LOG_LINES).catch(() => '');
    message = truncateTail(log, FALLBACK_LOG_BYTES);
  } else if (!message && spec.terminationMessagePolicy === 'FallbackToLogsOnError' && container.exitCode !== 0 && container.logPath) {
    const log = await tailCriLog(container.logPath, FALLBACK_LOG_LINES).catch(() => '');
    message = truncateTail(log, FALLBACK_LOG_BYTES);
  }
  return message;
}

function truncateHead(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? s : b.subarray(0, max).toString('utf8');
}

/** The last `max` bytes (a log's end matters most). */
function truncateTail(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? s : b.subarray(b.length - max).toString('utf8');
}

/**
 * The last `lines` lines of a CRI-format log file (`<time> <stream> <P|F> <text>`), as text:
 * partial (P) entries are joined to the line they belong to.
 */
export async function tailCriLog(path: string, lines: number, maxBytes = 64 * 1024): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    let raw = buf.toString('utf8').split('\n');
    if (start > 0) raw = raw.slice(1);
    let out = '';
    for (const entry of raw) {
      const m = /^\S+ (?:stdout|stderr) ([PF]) ?(.*)$/.exec(entry);
      if (!m) continue;
      out += m[1] === 'P' ? m[2]! : `${m[2]!}\n`;
    }
    return out.split('\n').slice(-(lines + 1)).join('\n');
  } finally {
    await fh.close();
  }
}
