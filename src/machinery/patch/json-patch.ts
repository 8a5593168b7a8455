// RFC 6902 JSON Patch (application/json-patch+json), applied to a copy of the document.
// Error mapping follows the API server: a body that is not a list of operations is a 400, an
// operation that does not apply (failed test, missing path, bad index) is a 422 whose cause carries
// the detail, and more than MAX_JSON_PATCH_OPERATIONS operations is a 413.

import { badRequest, failure, tooLarge, type StatusError } from '../status-error.ts';
import { cloneJson, getOwn, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from './json-value.ts';

export const MAX_JSON_PATCH_OPERATIONS = 10000;

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

/** The 422 the API server answers when a JSON patch does not apply. */
export function patchNotApplicable(detail: string): StatusError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  });
}

/** Applies RFC 6902 operations to a copy of `doc`; `doc` and `ops` are left untouched. */
export function applyJsonPatch(doc: unknown, ops: unknown): JsonValue {
  if (!Array.isArray(ops)) {
    throw badRequest('json: cannot unmarshal patch into []jsonpatch.Operation: the patch must be a JSON array of operations');
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  for (const op of ops) {
    if (!isJsonObject(op)) throw badRequest(`json: cannot unmarshal ${JSON.stringify(typeof op)} into a JSON patch operation object`);
  }
  const holder: Holder = { root: cloneJson(doc) };
  for (const op of ops as JsonObject[]) applyOperation(holder, op);
  return holder.root;
}

interface Holder {
  root: JsonValue;
}

function applyOperation(holder: Holder, op: JsonObject): void {
  const kind = getOwn(op, 'op');
  const path = stringMember(op, 'path', kind);
  switch (kind) {
    case 'add':
      add(holder, path, cloneJson(valueMember(op, kind)), 'add');
      return;
    case 'remove':
      remove(holder, path, 'remove');
      return;
    case 'replace': {
      const value = cloneJson(valueMember(op, kind));
      if (path === '') {
        holder.root = value;
        return;
      }
      const { parent, token } = resolveParent(holder.root, path, 'replace');
      if (Array.isArray(parent)) parent[existingIndex(parent, token, 'replace', path)] = value;
      else {
        if (!hasOwn(parent, token)) throw patchNotApplicable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        setOwn(parent, token, value);
      }
      return;
    }
    case 'move': {
      const from = stringMember(op, 'from', kind);
      if (from === path) {
        get(holder.root, from, 'move');
        return;
      }
      if (path.startsWith(`${from}/`)) {
        throw patchNotApplicable(`move operation does not apply: "from" location ${from} is a prefix of "path" ${path}`);
      }
      const value = remove(holder, from, 'move');
      add(holder, path, value, 'move');
      return;
    }
    case 'copy': {
      const from = stringMember(op, 'from', kind);
      add(holder, path, cloneJson(get(holder.root, from, 'copy')), 'copy');
      return;
    }
    case 'test': {
      const expected = valueMember(op, kind);
      const actual = tryGet(holder.root, path);
      if (actual === undefined || !jsonEqual(actual, expected)) throw patchNotApplicable(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw patchNotApplicable(`Unexpected kind: ${typeof kind === 'string' ? kind : JSON.stringify(kind ?? 'unknown')}`);
  }
}

function stringMember(op: JsonObject, name: 'path' | 'from', kind: JsonValue | undefined): string {
  const v = getOwn(op, name);
  if (typeof v !== 'string') throw patchNotApplicable(`${String(kind)} operation is missing a string "${name}" member`);
  return v;
}

function valueMember(op: JsonObject, kind: string): JsonValue {
  if (!hasOwn(op, 'value')) throw patchNotApplicable(`${kind} operation is missing a "value" member`);
  return op['value'] as JsonValue;
}

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchNotApplicable(`JSON pointer must be empty or start with "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw patchNotApplicable(`invalid escape sequence in JSON pointer ${JSON.stringify(pointer)}`);
      return t.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

type Container = JsonObject | JsonValue[];

function step(node: JsonValue, token: string): JsonValue | undefined {
  if (Array.isArray(node)) {
    const i = parseIndex(token);
    return i !== undefined && i < node.length ? node[i] : undefined;
  }
  if (isJsonObject(node)) return getOwn(node, token);
  return undefined;
}

function tryGet(root: JsonValue, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const token of parsePointer(pointer)) {
    if (node === undefined) return undefined;
    node = step(node, token);
  }
  return node;
}

function get(root: JsonValue, pointer: string, opName: string): JsonValue {
  const v = tryGet(root, pointer);
  if (v === undefined) throw patchNotApplicable(`${opName} operation does not apply: doc is missing from path: ${pointer}: missing value`);
  return v;
}

function resolveParent(root: JsonValue, pointer: string, opName: string): { parent: Container; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop()!;
  let node: JsonValue | undefined = root;
  for (const t of tokens) {
    node = node === undefined ? undefined : step(node, t);
  }
  if (node === undefined || (typeof node !== 'object' || node === null)) {
    throw patchNotApplicable(`${opName} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`);
  }
  return { parent: node, token };
}

function parseIndex(token: string): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

function existingIndex(arr: JsonValue[], token: string, opName: string, path: string): number {
  const i = parseIndex(token);
  if (i === undefined || i >= arr.length) {
    throw patchNotApplicable(`${opName} operation does not apply: Unable to access invalid index: ${token} in ${path}: invalid index referenced`);
  }
  return i;
}

function add(holder: Holder, path: string, value: JsonValue, opName: string): void {
  if (path === '') {
    holder.root = value;
    return;
  }
  const { parent, token } = resolveParent(holder.root, path, opName);
  if (Array.isArray(parent)) {
    if (token === '-') {
      parent.push(value);
      return;
    }
    const i = parseIndex(token);
    if (i === undefined || i > parent.length) {
      throw patchNotApplicable(`${opName} operation does not apply: Unable to access invalid index: ${token} in ${path}: invalid index referenced`);
    }
    parent.splice(i, 0, value);
    return;
  }
  setOwn(parent, token, value);
}

function remove(holder: Holder, path: string, opName: string): JsonValue {
  if (path === '') {
    // Removing the whole document is allowed by RFC 6902 only as part of move; the API has no use for it.
    throw patchNotApplicable(`${opName} operation does not apply: cannot remove the whole document`);
  }
  const { parent, token } = resolveParent(holder.root, path, opName);
  if (Array.isArray(parent)) {
    const i = existingIndex(parent, token, opName, path);
    return parent.splice(i, 1)[0]!;
  }
  if (!hasOwn(parent, token)) {
    throw patchNotApplicable(`${opName} operation does not apply: Unable to remove nonexistent key: ${token}: missing value`);
  }
  const v = parent[token]!;
  delete parent[token];
  return v;
}
