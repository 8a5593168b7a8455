// Field selectors with the semantics of k8s.io/apimachinery/pkg/fields: `a=b,c==d,e!=f`, terms
// separated by unescaped commas, values unescaped from `\,` `\=` `\\`. Which fields a resource
// supports is the server's business: it asks unsupportedFields() and answers 400
// "field label not supported: <field>".

import { badRequest, type StatusError } from './status-error.ts';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is folded into `=`, as upstream does. */
  readonly op: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** Missing fields read as "", so `spec.nodeName=` matches objects without a node. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  isEverything(): boolean;
  requirements(): readonly FieldRequirement[];
  /** The value `field` must equal, if the selector pins it (useful for indexes). */
  requiredExactMatch(field: string): string | undefined;
  /** Fields used by the selector that are not in `allowed`, in first-use order. */
  unsupportedFields(allowed: ReadonlySet<string>): string[];
  /** Canonical form: terms sorted, values escaped. */
  toString(): string;
}

/** The error the server returns for a field the resource cannot be selected by. */
export function fieldLabelNotSupported(field: string): StatusError {
  return badRequest(`field label not supported: ${field}`);
}

/** Escapes `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses escapeFieldValue; throws a 400 on an unknown escape or an unescaped `,`/`=`. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// Checked in this order so that "==" and "!=" are not read as "=" with a value starting with "=".
const OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: (typeof OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class TermsSelector implements FieldSelector {
  readonly #reqs: readonly FieldRequirement[];
  constructor(reqs: FieldRequirement[]) {
    this.#reqs = Object.freeze(reqs);
  }
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.#reqs.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.op === '=' ? actual === r.value : actual !== r.value;
    });
  }
  isEverything(): boolean {
    return this.#reqs.length === 0;
  }
  requirements(): readonly FieldRequirement[] {
    return this.#reqs;
  }
  requiredExactMatch(field: string): string | undefined {
    return this.#reqs.find((r) => r.field === field && r.op === '=')?.value;
  }
  unsupportedFields(allowed: ReadonlySet<string>): string[] {
    return [...new Set(this.#reqs.map((r) => r.field).filter((f) => !allowed.has(f)))];
  }
  toString(): string {
    return this.#reqs.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Parses a field selector; the empty string selects everything. Throws a 400 on bad syntax. */
export function parseFieldSelector(selector: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  // Upstream sorts the raw terms before parsing, which makes toString() canonical.
  const terms = splitTerms(selector).map((t) => t.replace(/^[ \t\r\n]+/, ''));
  for (const term of terms.sort()) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    // Field names never contain blanks; trimming forgives "a=b, c=d" (upstream would keep " c").
    const field = parts.lhs.trimEnd();
    reqs.push({ field, op: parts.op === '!=' ? '!=' : '=', value: unescapeFieldValue(parts.rhs) });
  }
  return new TermsSelector(reqs);
}

/** A selector requiring each field to equal the given value (upstream fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return new TermsSelector(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, op: '=' as const, value: set[field]! })),
  );
}
