// x-kubernetes-validations: CEL rules evaluated with @bufbuild/cel against the value of the
// schema node that declares them (`self`) and, on update, its correlated old value (`oldSelf`).
// Values are converted by the schema (integer -> int, number -> double, objects -> maps). As
// upstream: rules that use oldSelf (transition rules) only run when an old value exists, rules
// on a value that did not change are not re-checked (ratcheting), and a failed rule reports its
// message (or messageExpression, or "failed rule: <rule>") at the node's path plus fieldPath.

import { celEnv, celMethod, CelScalar, isCelError, isCelList, listType, parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { jsonEqual, type FieldError } from '../../machinery/index.ts';
import { child, crdFieldErrors, index, isRecord } from './field-errors.ts';
import { fieldNode, MAX_SCHEMA_DEPTH, type SchemaNode } from './structural.ts';
import type { ValidationRule } from './types.ts';

type Program = (bindings: Record<string, CelInput>) => CelResult;

/**
 * Rules run synchronously on the event loop, so one whose comprehensions would iterate too
 * much is refused instead of run: upstream bounds cost with maxItems-based estimates and a
 * runtime limit; here the estimate is (largest collection in self/oldSelf) ^ (nesting depth).
 */
const COST_LIMIT = 10_000_000;

interface CompiledRule {
  readonly rule: ValidationRule;
  readonly program: Program;
  readonly message: Program | undefined;
  readonly usesOldSelf: boolean;
  /** How deeply comprehensions (all, exists, map, filter) nest: the exponent of its cost. */
  readonly depth: number;
  /** fieldPath without its leading dot (`spec.replicas`), or "". */
  readonly fieldPath: string;
}

export type CelValidator = (obj: unknown, old: { value: unknown } | undefined) => FieldError[];

// ---- environment: the standard library, the strings extension and Kubernetes' list helpers ----

function listItems(list: unknown): unknown[] {
  return isCelList(list) ? [...list] : Array.isArray(list) ? list : [];
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
}

const DYN_LIST = listType(CelScalar.DYN);
const K8S_LISTS = [
  celMethod('isSorted', DYN_LIST, [], CelScalar.BOOL, function () {
    const items = listItems(this);
    for (let i = 1; i < items.length; i++) if (compare(items[i - 1], items[i]) > 0) return false;
    return true;
  }),
  celMethod('sum', DYN_LIST, [], CelScalar.DYN, function () {
    const items = listItems(this);
    if (items.every((v) => typeof v === 'bigint')) return (items as bigint[]).reduce((a, b) => a + b, 0n);
    return items.reduce<number>((a, b) => a + Number(b), 0);
  }),
  celMethod('min', DYN_LIST, [], CelScalar.DYN, function () {
    const items = listItems(this);
    if (items.length === 0) throw new Error('min called on empty list');
    return items.reduce((a, b) => (compare(b, a) < 0 ? b : a)) as CelInput;
  }),
  celMethod('max', DYN_LIST, [], CelScalar.DYN, function () {
    const items = listItems(this);
    if (items.length === 0) throw new Error('max called on empty list');
    return items.reduce((a, b) => (compare(b, a) > 0 ? b : a)) as CelInput;
  }),
];

const ENV = celEnv({ funcs: [...strings, ...K8S_LISTS] });

// ---- compilation ----

/** Compiles one rule, or returns why it does not compile (for CRD validation). */
export function compileRule(rule: ValidationRule): CompiledRule | { error: string; field: 'rule' | 'messageExpression' } {
  let program: Program;
  let usesOldSelf: boolean;
  let depth: number;
  try {
    const parsed = parse(rule.rule);
    usesOldSelf = referencesOldSelf(parsed.expr, 0);
    depth = comprehensionDepth(parsed.expr, 0);
    program = plan(ENV, parsed) as Program;
  } catch (err) {
    return { error: `compilation failed: ${(err as Error).message}`, field: 'rule' };
  }
  let message: Program | undefined;
  if (rule.messageExpression) {
    try {
      message = plan(ENV, parse(rule.messageExpression)) as Program;
    } catch (err) {
      return { error: `messageExpression compilation failed: ${(err as Error).message}`, field: 'messageExpression' };
    }
  }
  const fieldPath = (rule.fieldPath ?? '').replace(/^\./, '');
  return { rule, program, message, usesOldSelf, depth, fieldPath };
}

/** The deepest nesting of comprehensions in a parsed expression. */
function comprehensionDepth(node: unknown, level: number): number {
  if (level > 200 || node === null || typeof node !== 'object') return 0;
  const n = node as Record<string, unknown>;
  const own = n['case'] === 'comprehensionExpr' ? 1 : 0;
  let deepest = 0;
  for (const v of Object.values(n)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === 'object') deepest = Math.max(deepest, comprehensionDepth(item, level + 1));
    }
  }
  return own + deepest;
}

/** Finds the identifier oldSelf in a parsed expression (a plain protobuf-es message tree). */
function referencesOldSelf(node: unknown, depth: number): boolean {
  if (depth > 200 || node === null || typeof node !== 'object') return false;
  const n = node as Record<string, unknown>;
  if (n['case'] === 'identExpr' && isRecord(n['value']) && n['value']['name'] === 'oldSelf') return true;
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) {
      for (const item of v) if (referencesOldSelf(item, depth + 1)) return true;
    } else if (typeof v === 'object' && referencesOldSelf(v, depth + 1)) return true;
  }
  return false;
}

/** Compiles every rule of a schema; undefined when it has none (nothing to evaluate). */
export function compileCelValidator(root: SchemaNode): CelValidator | undefined {
  const rules = new Map<SchemaNode, CompiledRule[]>();
  const live = new Set<SchemaNode>();
  const visit = (node: SchemaNode, depth: number): boolean => {
    let any = false;
    if (node.rules.length > 0 && depth <= MAX_SCHEMA_DEPTH) {
      const compiled = node.rules.map(compileRule).filter((r): r is CompiledRule => !('error' in r));
      if (compiled.length > 0) {
        rules.set(node, compiled);
        any = true;
      }
    }
    for (const sub of [...(node.properties?.values() ?? []), node.additional, node.items]) {
      if (sub && visit(sub, depth + 1)) any = true;
    }
    if (any) live.add(node);
    return any;
  };
  if (!visit(root, 0)) return undefined;
  return (obj, old) => {
    const errors: FieldError[] = [];
    evaluate({ rules, live, errors }, root, obj, old, '', true, 0);
    return errors;
  };
}

// ---- evaluation ----

interface Walk {
  readonly rules: ReadonlyMap<SchemaNode, CompiledRule[]>;
  readonly live: ReadonlySet<SchemaNode>;
  readonly errors: FieldError[];
}

function evaluate(w: Walk, node: SchemaNode, value: unknown, old: { value: unknown } | undefined, path: string, root: boolean, depth: number): void {
  if (!w.live.has(node) || depth > MAX_SCHEMA_DEPTH * 2 || value === undefined) return;
  const rules = w.rules.get(node);
  if (rules) {
    const unchanged = old !== undefined && jsonEqual(old.value, value);
    const sizes = { largest: 0 };
    let self: CelInput | undefined;
    let oldSelf: CelInput | undefined;
    for (const r of rules) {
      if (r.usesOldSelf ? old === undefined : unchanged) continue;
      self ??= toCel(node, root ? rootView(value) : value, 0, sizes);
      const bindings: Record<string, CelInput> = { self };
      if (old !== undefined) bindings['oldSelf'] = oldSelf ??= toCel(node, root ? rootView(old.value) : old.value, 0, sizes);
      if (r.depth > 0 && sizes.largest ** r.depth > COST_LIMIT) {
        w.errors.push(crdFieldErrors.invalid(path, node.type, `operation cancelled: estimated cost limit exceeded (collections of ${sizes.largest} items, comprehensions nested ${r.depth} deep) evaluating rule: ${ruleText(r.rule)}`));
        continue;
      }
      check(w, node, r, bindings, path);
    }
  }
  if (Array.isArray(value)) {
    if (!node.items) return;
    const olds = node.listType === 'map' && old && Array.isArray(old.value) ? correlateByKeys(node.mapKeys, old.value) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const previous = olds && isRecord(item) ? olds.get(mapKey(node.mapKeys, item)) : undefined;
      evaluate(w, node.items, item, previous, index(path, i), false, depth + 1);
    }
    return;
  }
  if (!isRecord(value)) return;
  const oldRecord = old && isRecord(old.value) ? old.value : undefined;
  for (const [key, v] of Object.entries(value)) {
    const sub = fieldNode(node, key);
    if (!sub) continue;
    const previous = oldRecord && key in oldRecord ? { value: oldRecord[key] } : undefined;
    evaluate(w, sub, v, previous, node.properties ? child(path, key) : index(path, key), false, depth + 1);
  }
}

function check(w: Walk, node: SchemaNode, r: CompiledRule, bindings: Record<string, CelInput>, path: string): void {
  const typeName = node.type;
  let result: CelResult;
  try {
    result = r.program(bindings);
  } catch (err) {
    result = err as CelResult;
  }
  if (result === true) return;
  if (result instanceof Error || isCelError(result)) {
    const msg = (result as Error).message;
    const detail = msg.startsWith('found no matching overload') || msg.startsWith('no such overload')
      ? `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(r.rule)}`
      : `${msg} evaluating rule: ${ruleText(r.rule)}`;
    w.errors.push(crdFieldErrors.invalid(path, typeName, detail));
    return;
  }
  const field = r.fieldPath ? (path === '' ? r.fieldPath : `${path}.${r.fieldPath}`) : path;
  let detail = defaultMessage(r.rule);
  if (r.message) {
    let m: CelResult;
    try {
      m = r.message(bindings);
    } catch (err) {
      m = err as CelResult;
    }
    if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) detail = m;
  }
  w.errors.push(errorForReason(r.rule.reason, field, typeName, detail));
}

function errorForReason(reason: ValidationRule['reason'], field: string, typeName: string, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return crdFieldErrors.forbidden(field, detail);
    case 'FieldValueRequired':
      return crdFieldErrors.required(field, detail);
    case 'FieldValueDuplicate':
      return crdFieldErrors.duplicate(field, typeName);
    default:
      return crdFieldErrors.invalid(field, typeName, detail);
  }
}

function ruleText(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.trim();
}

function defaultMessage(rule: ValidationRule): string {
  return rule.message?.trim() ? rule.message.trim() : `failed rule: ${ruleText(rule)}`;
}

/** At the root, self sees apiVersion, kind, metadata.name/generateName and the rest. */
function rootView(value: unknown): unknown {
  if (!isRecord(value) || !isRecord(value['metadata'])) return value;
  const meta = value['metadata'];
  const view: Record<string, unknown> = {};
  if (meta['name'] !== undefined) view['name'] = meta['name'];
  if (meta['generateName'] !== undefined) view['generateName'] = meta['generateName'];
  return { ...value, metadata: view };
}

function mapKey(keys: readonly string[], item: Record<string, unknown>): string {
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}

function correlateByKeys(keys: readonly string[], items: unknown[]): Map<string, { value: unknown }> {
  const out = new Map<string, { value: unknown }>();
  for (const item of items) if (isRecord(item)) out.set(mapKey(keys, item), { value: item });
  return out;
}

/** Converts a JSON value into CEL input, typed by the schema. */
export function toCel(node: SchemaNode | undefined, value: unknown, depth: number, sizes?: { largest: number }): CelInput {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number': {
      const wantsDouble = node?.type === 'number';
      return !wantsDouble && Number.isInteger(value) ? BigInt(value) : value;
    }
    case 'object': {
      if (depth > MAX_SCHEMA_DEPTH * 2) return null;
      if (Array.isArray(value)) {
        if (sizes && value.length > sizes.largest) sizes.largest = value.length;
        return value.map((v) => toCel(node?.items, v, depth + 1, sizes));
      }
      const out = new Map<string, CelInput>();
      for (const [k, v] of Object.entries(value)) out.set(k, toCel(fieldNode(node, k), v, depth + 1, sizes));
      if (sizes && out.size > sizes.largest) sizes.largest = out.size;
      return out;
    }
    default:
      return null;
  }
}
