// The query of a containerLogs request (the fields of a v1 PodLogOptions, as the API server
// forwards them) turned into reading options. Bad values are the caller's mistake: a message for
// a 400, as the kubelet answers.

import type { LogReadOptions } from './log-reader.ts';
import { parseRfc3339Ns } from './cri-log-line.ts';

export interface ContainerLogQuery extends LogReadOptions {
  /** Read the previous (last terminated) instance of the container. */
  previous: boolean;
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Go's strconv.ParseBool, which the query conversion uses. */
export function parseQueryBool(query: URLSearchParams, name: string): boolean | string {
  const raw = query.get(name);
  if (raw === null || raw === '') return false;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  return `${name}: invalid boolean value "${raw}"`;
}

function parseQueryInt(query: URLSearchParams, name: string): number | undefined | string {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) return `${name}: invalid integer value "${raw}"`;
  return Number(raw);
}

/** The options, or the message of what is wrong with them. */
export function parseContainerLogQuery(query: URLSearchParams, nowMs: number): ContainerLogQuery | { error: string } {
  const follow = parseQueryBool(query, 'follow');
  const previous = parseQueryBool(query, 'previous');
  const timestamps = parseQueryBool(query, 'timestamps');
  for (const v of [follow, previous, timestamps]) if (typeof v === 'string') return { error: v };
  const ints: (number | undefined)[] = [];
  for (const name of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = parseQueryInt(query, name);
    if (typeof v === 'string') return { error: v };
    ints.push(v);
  }
  const [tailLines, limitBytes, sinceSeconds] = ints;
  if (tailLines !== undefined && tailLines < 0) return { error: 'tailLines: must be greater than or equal to 0' };
  if (limitBytes !== undefined && limitBytes < 1) return { error: 'limitBytes: must be greater than 0' };
  if (sinceSeconds !== undefined && sinceSeconds < 1) return { error: 'sinceSeconds: must be greater than 0' };
  const sinceTime = query.get('sinceTime');
  if (sinceTime && sinceSeconds !== undefined) return { error: 'at most one of `sinceTime` or `sinceSeconds` may be specified' };
  let sinceNs: bigint | undefined;
  if (sinceTime) {
    sinceNs = parseRfc3339Ns(sinceTime);
    if (sinceNs === undefined) return { error: `sinceTime: invalid RFC 3339 time "${sinceTime}"` };
  } else if (sinceSeconds !== undefined) {
    sinceNs = BigInt(nowMs - sinceSeconds * 1000) * 1_000_000n;
  }
  return {
    follow: follow as boolean,
    previous: previous as boolean,
    timestamps: timestamps as boolean,
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(sinceNs !== undefined ? { sinceNs } : {}),
  };
}
