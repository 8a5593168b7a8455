// The JSONPath subset kubectl and the CRD table convertor use for additionalPrinterColumns:
// `.spec.replicas`, `.metadata.labels.app\.kubernetes\.io/name`, `.items[0]`, `.items[*].name`,
// `.spec['key']`, `..name`, and filters `.status.conditions[?(@.type=="Ready")].status`.
// Plus the dot paths of the scale subresource (`.spec.replicas`), read and written.

type Segment =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string | undefined }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined }
  | { kind: 'filter'; path: Segment[]; op: '==' | '!=' | '<' | '>' | '<=' | '>=' | 'exists'; literal: unknown };

export interface JsonPath {
  readonly source: string;
  /** Every value the path selects, in document order. */
  find(root: unknown): unknown[];
}

export class JsonPathError extends Error {}

/** Parses a path; `{...}` braces and a leading `$` are accepted and ignored. */
export function parseJsonPath(source: string): JsonPath {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const segments = parseSegments(text, 0, text.length);
  return { source, find: (root) => evaluate(segments, [root]) };
}

function parseSegments(text: string, from: number, to: number): Segment[] {
  const out: Segment[] = [];
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') {
        i += 2;
        const [name, next] = readName(text, i, to);
        if (name === '' && text[next] !== '[') throw new JsonPathError(`invalid path ${JSON.stringify(text)}: nothing after .. at ${i}`);
        out.push({ kind: 'recursive', name: name === '' || name === '*' ? undefined : name });
        i = next;
        continue;
      }
      i++;
      if (text[i] === '*') {
        out.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      const [name, next] = readName(text, i, to);
      if (name === '') {
        if (i >= to && out.length === 0) break; // "." alone selects the root
        throw new JsonPathError(`invalid path ${JSON.stringify(text)}: empty field name at ${i}`);
      }
      out.push({ kind: 'field', name });
      i = next;
    } else if (c === '[') {
      const close = findClose(text, i, to);
      out.push(parseBracket(text.slice(i + 1, close).trim()));
      i = close + 1;
    } else if (c === ' ' || c === '\t') {
      i++;
    } else {
      throw new JsonPathError(`invalid path ${JSON.stringify(text)}: unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return out;
}

function readName(text: string, from: number, to: number): [string, number] {
  let name = '';
  let i = from;
  for (; i < to; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < to) {
      name += text[++i];
      continue;
    }
    if (c === '.' || c === '[' || c === ' ') break;
    name += c;
  }
  return [name, i];
}

function findClose(text: string, open: number, to: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < to; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new JsonPathError(`invalid path ${JSON.stringify(text)}: unclosed [ at ${open}`);
}

function parseBracket(inner: string): Segment {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const slice = /^(-?\d*):(-?\d*)(?::\d*)?$/.exec(inner);
  if (slice) return { kind: 'slice', start: slice[1] ? Number(slice[1]) : undefined, end: slice[2] ? Number(slice[2]) : undefined };
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) return { kind: 'field', name: (quoted[2] as string).replace(/\\(.)/g, '$1') };
  const filter = /^\?\((.*)\)$/s.exec(inner);
  if (filter) return parseFilter((filter[1] as string).trim());
  throw new JsonPathError(`invalid array index or key ${JSON.stringify(inner)}`);
}

function parseFilter(expr: string): Segment {
  const m = /^@((?:\.[^\s=!<>]+|\[[^\]]*\])*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(expr);
  if (m) {
    const path = parseSegments(m[1] as string, 0, (m[1] as string).length);
    return { kind: 'filter', path, op: m[2] as '==', literal: parseLiteral((m[3] as string).trim()) };
  }
  const exists = /^@((?:\.[^\s=!<>]+|\[[^\]]*\])+)$/.exec(expr);
  if (exists) return { kind: 'filter', path: parseSegments(exists[1] as string, 0, (exists[1] as string).length), op: 'exists', literal: undefined };
  throw new JsonPathError(`unsupported filter ${JSON.stringify(expr)}`);
}

function parseLiteral(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return (quoted[2] as string).replace(/\\(.)/g, '$1');
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'nil' || text === 'null') return null;
  const n = Number(text);
  if (text !== '' && !Number.isNaN(n)) return n;
  throw new JsonPathError(`invalid literal ${JSON.stringify(text)}`);
}

// ---- evaluation ----

const MAX_RESULTS = 10_000;

function evaluate(segments: readonly Segment[], start: unknown[]): unknown[] {
  let current = start;
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of current) apply(seg, v, next);
    current = next.length > MAX_RESULTS ? next.slice(0, MAX_RESULTS) : next;
  }
  return current;
}

function apply(seg: Segment, v: unknown, out: unknown[]): void {
  switch (seg.kind) {
    case 'field':
      if (isObject(v) && Object.hasOwn(v, seg.name)) out.push(v[seg.name]);
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v);
      else if (isObject(v)) out.push(...Object.values(v));
      return;
    case 'recursive':
      descend(v, seg.name, out, 0);
      return;
    case 'index':
      if (Array.isArray(v)) {
        const i = seg.index < 0 ? v.length + seg.index : seg.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return;
    case 'slice':
      if (Array.isArray(v)) out.push(...v.slice(seg.start, seg.end));
      return;
    case 'filter': {
      const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
      for (const item of items) if (matches(seg, item)) out.push(item);
      return;
    }
  }
}

function descend(v: unknown, name: string | undefined, out: unknown[], depth: number): void {
  if (depth > 64 || out.length > MAX_RESULTS || v === null || typeof v !== 'object') return;
  if (name === undefined) out.push(v);
  else if (isObject(v) && Object.hasOwn(v, name)) out.push(v[name]);
  for (const child of Array.isArray(v) ? v : Object.values(v)) descend(child, name, out, depth + 1);
}

function matches(seg: Extract<Segment, { kind: 'filter' }>, item: unknown): boolean {
  const found = evaluate(seg.path, [item]);
  if (seg.op === 'exists') return found.length > 0;
  if (found.length === 0) return false;
  const left = found[0];
  const right = seg.literal;
  switch (seg.op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    default: {
      if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) return false;
      const l = left as number | string;
      const r = right as number | string;
      return seg.op === '<' ? l < r : seg.op === '>' ? l > r : seg.op === '<=' ? l <= r : l >= r;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- dot paths (scale subresource) ----

/** `.spec.replicas` -> ["spec", "replicas"]; undefined unless it is a plain dot path. */
export function dotPathFields(path: string): string[] | undefined {
  if (!path.startsWith('.') || path.length < 2) return undefined;
  const fields = path.slice(1).split('.');
  return fields.every((f) => f !== '' && !/[[\]]/.test(f)) ? fields : undefined;
}

export function getDotPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const f of dotPathFields(path) ?? []) {
    if (!isObject(cur)) return undefined;
    cur = cur[f];
  }
  return cur;
}

/** Sets a dot path, creating intermediate objects. */
export function setDotPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const fields = dotPathFields(path);
  if (!fields) return;
  let cur = obj;
  for (const f of fields.slice(0, -1)) {
    if (!isObject(cur[f])) cur[f] = {};
    cur = cur[f] as Record<string, unknown>;
  }
  cur[fields[fields.length - 1] as string] = value;
}
