// Label selectors with the semantics of k8s.io/apimachinery/pkg/labels: the string syntax
// (`a=b,c!=d,e in (x,y),f notin (z),g,!h,i>1`) and metav1.LabelSelector objects (matchLabels and
// matchExpressions). Key and value syntax checks come from validation.ts.

import { badRequest } from './status-error.ts';
import { isQualifiedName, isValidLabelValue } from './validation.ts';

// API validation of metav1.LabelSelector objects lives with the other validators; re-exported so
// selector users find it here too.
export { validateLabelSelector } from './object-meta-validation.ts';

/** Operators as upstream's selection.Operator spells them. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for in/notin; exactly one value for =, ==, !=, gt, lt; empty otherwise. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the empty selector, which matches every object. */
  isEverything(): boolean;
  /** True for the selector of a nil metav1.LabelSelector, which matches no object. */
  isNothing(): boolean;
  requirements(): readonly LabelRequirement[];
  /** The single value `key` must equal (via =, == or a one-value in), for index lookups. */
  requiredExactMatch(key: string): string | undefined;
  /** Canonical form: requirements sorted by key. */
  toString(): string;
}

/** A metav1.LabelSelector as it appears in API objects. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: LabelSelectorRequirementObject[] | undefined;
}

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[] | undefined;
}

// ---- requirements and selectors ----

/** Builds a requirement, returning the problems upstream's NewRequirement would report. */
function makeRequirement(key: string, operator: LabelOperator, values: readonly string[]): { req: LabelRequirement; errors: string[] } {
  const errors: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errors.push(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  const invalidValues = (detail: string) => `values: Invalid value: ${JSON.stringify(values)}: ${detail}`;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errors.push(invalidValues("for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errors.push(invalidValues('exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errors.push(invalidValues('values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errors.push(invalidValues("for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) errors.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length > 0) errors.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  const sorted = operator === 'in' || operator === 'notin' ? [...new Set(values)].sort() : [...values];
  return { req: Object.freeze({ key, operator, values: Object.freeze(sorted) }), errors };
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value as string) || r.values.length !== 1) return false;
      const actual = BigInt(value as string);
      const bound = BigInt(r.values[0]!);
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

class RequirementsSelector implements LabelSelector {
  readonly #reqs: readonly LabelRequirement[];
  constructor(reqs: LabelRequirement[]) {
    // Stable sort by key gives the canonical, deterministic order upstream guarantees.
    this.#reqs = Object.freeze(reqs.slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.#reqs.every((r) => requirementMatches(r, labels));
  }
  isEverything(): boolean {
    return this.#reqs.length === 0;
  }
  isNothing(): boolean {
    return false;
  }
  requirements(): readonly LabelRequirement[] {
    return this.#reqs;
  }
  requiredExactMatch(key: string): string | undefined {
    for (const r of this.#reqs) {
      if (r.key === key && (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    }
    return undefined;
  }
  toString(): string {
    return this.#reqs.map(requirementString).join(',');
  }
}

const NOTHING: LabelSelector = Object.freeze({
  matches: () => false,
  isEverything: () => false,
  isNothing: () => true,
  requirements: () => [],
  requiredExactMatch: () => undefined,
  toString: () => '',
});

const EVERYTHING: LabelSelector = new RequirementsSelector([]);

export function everythingLabelSelector(): LabelSelector {
  return EVERYTHING;
}

export function nothingLabelSelector(): LabelSelector {
  return NOTHING;
}

/** A selector matching exactly the given labels (upstream SelectorFromSet; no validation). */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  if (!set) return EVERYTHING;
  return new RequirementsSelector(Object.entries(set).map(([key, v]) => Object.freeze({ key, operator: '=' as const, values: Object.freeze([v]) })));
}

// ---- the string syntax ----

type TokenKind = 'id' | 'eos' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';
interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i]!)) i++;
    if (i >= s.length) {
      tokens.push({ kind: 'eos', text: '' });
      return tokens;
    }
    const c = s[i]!;
    if (SPECIAL.has(c)) {
      const two = s.slice(i, i + 2);
      const text = two === '==' || two === '!=' ? two : c;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
      continue;
    }
    const start = i;
    while (i < s.length && !SPECIAL.has(s[i]!) && !isSpace(s[i]!)) i++;
    const text = s.slice(start, i);
    tokens.push({ kind: text === 'in' || text === 'notin' ? text : 'id', text });
  }
}

/** Parses the label selector string syntax; throws a 400 StatusError on invalid input. */
export function parseLabelSelector(selector: string): LabelSelector {
  const tokens = lex(selector);
  let pos = 0;
  // In value position the keywords "in"/"notin" are ordinary identifiers, as upstream.
  const peek = (values = true): Token => {
    const t = tokens[Math.min(pos, tokens.length - 1)]!;
    return values && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', text: t.text } : t;
  };
  const next = (values = true): Token => {
    const t = peek(values);
    if (pos < tokens.length - 1) pos++;
    return t;
  };
  const fail = (msg: string): never => {
    throw badRequest(msg);
  };
  const failReq = (msg: string): never => fail(`unable to parse requirement: ${msg}`);

  const parseValues = (): string[] => {
    const open = next();
    if (open.kind !== '(') failReq(`found '${open.text}' expected: '('`);
    const first = peek();
    if (first.kind === ')') {
      next();
      return [''];
    }
    if (first.kind !== 'id' && first.kind !== ',') failReq(`found '${first.text}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const t = next();
      if (t.kind === 'id') {
        values.add(t.text);
        const after = peek();
        if (after.kind === ')') break;
        if (after.kind !== ',') failReq(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.size === 0) values.add('');
        const after = peek();
        if (after.kind === ')') {
          values.add('');
          break;
        }
        if (after.kind === ',') {
          next();
          values.add('');
        }
      } else {
        failReq(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    const close = next();
    if (close.kind !== ')') failReq(`found '${close.text}', expected: ')'`);
    return [...values];
  };

  const parseRequirement = (): LabelRequirement => {
    let operator: LabelOperator | undefined;
    let t = next();
    if (t.kind === '!') {
      operator = '!';
      t = next();
    }
    if (t.kind !== 'id') return failReq(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) failReq(`Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    let values: string[] = [];
    const after = peek();
    if (operator === '!' || after.kind === 'eos' || after.kind === ',') {
      operator ??= 'exists';
    } else {
      const op = next(false);
      const ops: Partial<Record<TokenKind, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
      operator = ops[op.kind] ?? failReq(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
      if (operator === 'in' || operator === 'notin') values = parseValues();
      else {
        const v = peek();
        if (v.kind === 'eos' || v.kind === ',') values = [''];
        else if (v.kind === 'id') values = [next().text];
        else failReq(`found '${v.text}', expected: identifier`);
      }
    }
    const { req, errors } = makeRequirement(key, operator, values);
    if (errors.length > 0) failReq(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
    return req;
  };

  const reqs: LabelRequirement[] = [];
  for (;;) {
    const t = peek();
    if (t.kind === 'eos') break;
    if (t.kind !== 'id' && t.kind !== '!') fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    reqs.push(parseRequirement());
    const sep = next();
    if (sep.kind === 'eos') break;
    if (sep.kind !== ',') fail(`found '${sep.text}', expected: ',' or 'end of string'`);
    const following = peek();
    if (following.kind !== 'id' && following.kind !== '!') fail(`found '${following.text}', expected: identifier after ','`);
  }
  return new RequirementsSelector(reqs);
}

// ---- metav1.LabelSelector ----

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Converts a metav1.LabelSelector (upstream LabelSelectorAsSelector): null/undefined selects
 * nothing, an empty selector selects everything. Throws a 400 StatusError if it is invalid.
 * Accepts the raw JSON of a stored object, so the shape is checked too.
 */
export function selectorFromLabelSelector(sel: LabelSelectorObject | Readonly<Record<string, unknown>> | undefined | null): LabelSelector {
  if (sel === undefined || sel === null) return NOTHING;
  if (typeof sel !== 'object' || Array.isArray(sel)) throw badRequest('a label selector must be an object');
  const { matchLabels, matchExpressions } = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const reqs: LabelRequirement[] = [];
  const check = ({ req, errors }: ReturnType<typeof makeRequirement>) => {
    if (errors.length > 0) throw badRequest(errors.join(', '));
    reqs.push(req);
  };
  if (matchLabels !== undefined && matchLabels !== null) {
    if (typeof matchLabels !== 'object' || Array.isArray(matchLabels)) throw badRequest('matchLabels must be an object');
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') throw badRequest(`matchLabels[${key}] must be a string`);
      check(makeRequirement(key, '=', [value]));
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) throw badRequest('matchExpressions must be a list');
    for (const expr of matchExpressions as unknown[]) {
      const { key, operator, values } = (expr ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
      const op = typeof operator === 'string' && Object.prototype.hasOwnProperty.call(EXPRESSION_OPERATORS, operator) ? EXPRESSION_OPERATORS[operator] : undefined;
      if (op === undefined) throw badRequest(`${JSON.stringify(operator ?? '')} is not a valid label selector operator`);
      const list = values ?? [];
      if (typeof key !== 'string' || !Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
        throw badRequest('matchExpressions entries need a string key and a list of string values');
      }
      check(makeRequirement(key, op, list));
    }
  }
  return new RequirementsSelector(reqs);
}

/**
 * The canonical string of a metav1.LabelSelector, as Scale.status.selector carries it; '' for a
 * missing selector. Throws a 400 StatusError if the selector is invalid.
 */
export function selectorToString(sel: LabelSelectorObject | Readonly<Record<string, unknown>> | undefined | null): string {
  return selectorFromLabelSelector(sel).toString();
}
