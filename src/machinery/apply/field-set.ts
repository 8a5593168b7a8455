// A set of field paths stored as a trie, and its FieldsV1 wire form. A node's `members` are the
// paths that end at it; `children` hold the longer paths. The operations follow upstream's
// fieldpath.Set: union, intersection, difference (exact paths) and recursive difference (a member
// of the right side removes everything below it too). Results share unchanged subtrees with their
// inputs, so a set is never modified once built (only `insert` mutates, for builders).

import type { JsonObject } from '../patch/json-value.ts';
import { comparePathElements, parsePathElement, PathElementSyntaxError, type FieldPath, type PathElement } from './path-element.ts';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static readonly EMPTY: FieldSet = new FieldSet();

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (builders only: sets are treated as immutable once handed out). */
  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]!);
    const last = path[path.length - 1]!;
    node.members.set(last.id, last);
  }

  /** The subset below `pe`, created on demand (builders only). */
  child(pe: PathElement): FieldSet {
    let c = this.children.get(pe.id);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(pe.id, c);
    }
    return c.set;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]!.id)?.set;
    return node !== undefined && node.members.has(path[path.length - 1]!.id);
  }

  /** The paths below `pe`, relative to it. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe.id)?.set ?? FieldSet.EMPTY;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    for (const [id, pe] of this.members) out.members.set(id, pe);
    for (const [id, pe] of other.members) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      out.children.set(id, o ? { pe: c.pe, set: c.set.union(o.set) } : c);
    }
    for (const [id, c] of other.children) if (!this.children.has(id)) out.children.set(id, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    if (this === other) return this;
    const out = new FieldSet();
    let same = true;
    for (const [id, pe] of this.members) {
      if (other.members.has(id)) out.members.set(id, pe);
      else same = false;
    }
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) {
        same = false;
        continue;
      }
      const inter = c.set.intersection(o.set);
      if (inter !== c.set) same = false;
      if (!inter.isEmpty()) out.children.set(id, inter === c.set ? c : { pe: c.pe, set: inter });
    }
    // Unchanged results are the input itself, so callers can tell cheaply that nothing moved.
    return same ? this : out;
  }

  /** Paths in this set that are not in `other` (exact paths: a member of `other` keeps its subtree here). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    const out = new FieldSet();
    let same = true;
    for (const [id, pe] of this.members) {
      if (!other.members.has(id)) out.members.set(id, pe);
      else same = false;
    }
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) {
        out.children.set(id, c);
        continue;
      }
      const diff = c.set.difference(o.set);
      if (diff !== c.set) same = false;
      if (!diff.isEmpty()) out.children.set(id, diff === c.set ? c : { pe: c.pe, set: diff });
    }
    return same ? this : out;
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    const out = new FieldSet();
    let same = true;
    for (const [id, pe] of this.members) {
      if (!other.members.has(id)) out.members.set(id, pe);
      else same = false;
    }
    for (const [id, c] of this.children) {
      if (other.members.has(id)) {
        same = false;
        continue;
      }
      const o = other.children.get(id);
      if (!o) {
        out.children.set(id, c);
        continue;
      }
      const diff = c.set.recursiveDifference(o.set);
      if (diff !== c.set) same = false;
      if (!diff.isEmpty()) out.children.set(id, diff === c.set ? c : { pe: c.pe, set: diff });
    }
    return same ? this : out;
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.size !== other.members.size) return false;
    for (const id of this.members.keys()) if (!other.members.has(id)) return false;
    const mine = [...this.children.values()].filter((c) => !c.set.isEmpty());
    const theirs = [...other.children.values()].filter((c) => !c.set.isEmpty());
    if (mine.length !== theirs.length) return false;
    for (const c of mine) {
      const o = other.children.get(c.pe.id);
      if (!o || !c.set.equals(o.set)) return false;
    }
    return true;
  }

  /** Every member path, in upstream's order: a node's members first, then its children, each sorted. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    this.#collect([], out);
    return out;
  }

  #collect(prefix: PathElement[], out: FieldPath[]): void {
    for (const pe of [...this.members.values()].sort(comparePathElements)) out.push([...prefix, pe]);
    for (const c of [...this.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe))) {
      prefix.push(c.pe);
      c.set.#collect(prefix, out);
      prefix.pop();
    }
  }

  /** Number of member paths. */
  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size();
    return n;
  }

  /** The FieldsV1 form: `{"f:spec":{"f:replicas":{}},"f:metadata":{"f:labels":{".":{},"f:a":{}}}}`. */
  toFieldsV1(): JsonObject {
    return this.#emit(false);
  }

  #emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf) out['.'] = {};
    const entries: { pe: PathElement; member: boolean; child: FieldSet | undefined }[] = [];
    for (const [id, pe] of this.members) {
      const c = this.children.get(id);
      entries.push({ pe, member: true, child: c && !c.set.isEmpty() ? c.set : undefined });
    }
    for (const [id, c] of this.children) {
      if (!this.members.has(id) && !c.set.isEmpty()) entries.push({ pe: c.pe, member: false, child: c.set });
    }
    entries.sort((a, b) => comparePathElements(a.pe, b.pe));
    for (const e of entries) out[e.pe.id] = e.child ? e.child.#emit(e.member) : {};
    return out;
  }

  /** Reads the FieldsV1 form; throws FieldsV1Error on malformed input. */
  static fromFieldsV1(value: unknown): FieldSet {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FieldsV1Error('fieldsV1 must be an object');
    return readNode(value as Record<string, unknown>, 0).set ?? new FieldSet();
  }
}

export class FieldsV1Error extends Error {}

const MAX_FIELDS_DEPTH = 200;

function readNode(obj: Record<string, unknown>, depth: number): { set: FieldSet | undefined; member: boolean } {
  if (depth > MAX_FIELDS_DEPTH) throw new FieldsV1Error('fieldsV1 is nested too deeply');
  let set: FieldSet | undefined;
  let member = false;
  for (const [key, value] of Object.entries(obj)) {
    if (key === '.') {
      member = true;
      continue;
    }
    let pe: PathElement | undefined;
    try {
      pe = parsePathElement(key);
    } catch (err) {
      if (err instanceof PathElementSyntaxError) throw new FieldsV1Error(err.message);
      throw err;
    }
    if (!pe) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FieldsV1Error(`fieldsV1 entry ${JSON.stringify(key)} must be an object`);
    const inner = readNode(value as Record<string, unknown>, depth + 1);
    set ??= new FieldSet();
    if (inner.member) set.members.set(pe.id, pe);
    if (inner.set && !inner.set.isEmpty()) set.children.set(pe.id, { pe, set: inner.set });
  }
  // An empty object names the path itself.
  if (!set) member = true;
  return { set, member };
}
