// Node selectors compiled once per pod (upstream component-helpers nodeaffinity): terms are ORed,
// a term's matchExpressions and matchFields are ANDed, an empty term matches nothing and a term
// with an invalid requirement is ignored. RequiredNodeAffinity adds the pod's nodeSelector map.

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../api-types.ts';

type Labels = Readonly<Record<string, string>> | undefined;
type Check = (labels: Labels, name: string) => boolean;

function compileRequirement(r: NodeSelectorRequirement, field: boolean): Check | undefined {
  const values = r.values ?? [];
  const key = r.key;
  if (field) {
    if (key !== 'metadata.name' || values.length !== 1) return undefined;
    const v = values[0];
    if (r.operator === 'In') return (_l, name) => name === v;
    if (r.operator === 'NotIn') return (_l, name) => name !== v;
    return undefined;
  }
  switch (r.operator) {
    case 'In': {
      if (values.length === 0) return undefined;
      if (values.length === 1) {
        const v = values[0];
        return (l) => l !== undefined && l[key] === v;
      }
      const set = new Set(values);
      return (l) => {
        const v = l?.[key];
        return v !== undefined && set.has(v);
      };
    }
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const set = new Set(values);
      return (l) => {
        const v = l?.[key];
        return v === undefined || !set.has(v);
      };
    }
    case 'Exists':
      return values.length === 0 ? (l) => l !== undefined && l[key] !== undefined : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? (l) => l === undefined || l[key] === undefined : undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]!)) return undefined;
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (l) => {
        const v = l?.[key];
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        return gt ? Number(v) > bound : Number(v) < bound;
      };
    }
    default:
      return undefined;
  }
}

/** A compiled term; undefined when the term is empty or invalid (it matches nothing). */
export function compileTerm(term: NodeSelectorTerm | undefined): ((labels: Labels, name: string) => boolean) | undefined {
  if (!term) return undefined;
  const checks: Check[] = [];
  for (const r of term.matchExpressions ?? []) {
    const c = compileRequirement(r, false);
    if (!c) return undefined;
    checks.push(c);
  }
  for (const r of term.matchFields ?? []) {
    const c = compileRequirement(r, true);
    if (!c) return undefined;
    checks.push(c);
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (labels, name) => {
    for (const c of checks) if (!c(labels, name)) return false;
    return true;
  };
}

export class CompiledNodeSelector {
  readonly #terms: ((labels: Labels, name: string) => boolean)[];

  constructor(selector: NodeSelector) {
    this.#terms = [];
    for (const t of selector.nodeSelectorTerms ?? []) {
      const c = compileTerm(t);
      if (c) this.#terms.push(c);
    }
  }

  matches(node: Node): boolean {
    return this.matchesLabels(node.metadata.labels, node.metadata.name ?? '');
  }

  /** matches() on a node's labels and name (NodeInfo keeps both at hand). */
  matchesLabels(labels: Labels, name: string): boolean {
    for (const t of this.#terms) if (t(labels, name)) return true;
    return false;
  }
}

/** The node names a required selector allows when every term pins metadata.name (upstream's PreFilterResult). */
export function nodeNamesFromSelector(selector: NodeSelector | undefined): Set<string> | undefined {
  const terms = selector?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const pinned = (t.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In' && (f.values?.length ?? 0) === 1);
    if (!pinned) return undefined;
    names.add(pinned.values![0]!);
  }
  return names;
}

/** The pod's nodeSelector and required node affinity together (upstream GetRequiredNodeAffinity). */
export class RequiredNodeAffinity {
  readonly #labels: [string, string][];
  readonly #selector: CompiledNodeSelector | undefined;

  constructor(pod: Pod) {
    this.#labels = Object.entries(pod.spec?.nodeSelector ?? {});
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.#selector = required ? new CompiledNodeSelector(required) : undefined;
  }

  /** Nothing to check: every node matches. */
  get isEmpty(): boolean {
    return this.#labels.length === 0 && !this.#selector;
  }

  matches(node: Node): boolean {
    return this.matchesLabels(node.metadata.labels, node.metadata.name ?? '');
  }

  /** matches() on a node's labels and name (NodeInfo keeps both at hand). */
  matchesLabels(labels: Labels, name: string): boolean {
    if (this.#labels.length > 0) {
      if (!labels) return false;
      for (const [k, v] of this.#labels) if (labels[k] !== v) return false;
    }
    return this.#selector ? this.#selector.matchesLabels(labels, name) : true;
  }
}
