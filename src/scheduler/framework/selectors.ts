// Label selectors compiled to plain closures for the hot loops (topology spread and inter-pod
// affinity match every existing pod of every node against them). Semantics are machinery/labels':
// a null metav1.LabelSelector matches nothing, an empty one everything.

import { selectorFromLabelSelector, type LabelRequirement, type LabelSelector, type LabelSelectorObject } from '../../machinery/labels.ts';

type Labels = Readonly<Record<string, string>> | undefined;

export interface Selector {
  matches(labels: Labels): boolean;
  readonly empty: boolean;
  readonly nothing: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

function compileRequirement(r: LabelRequirement): (l: Labels) => boolean {
  const key = r.key;
  const values = r.values;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      if (values.length === 1) {
        const v = values[0];
        return (l) => l !== undefined && l[key] === v && hasOwn.call(l, key);
      }
      return (l) => l !== undefined && hasOwn.call(l, key) && values.includes(l[key]!);
    case '!=':
    case 'notin':
      return (l) => l === undefined || !hasOwn.call(l, key) || !values.includes(l[key]!);
    case 'exists':
      return (l) => l !== undefined && hasOwn.call(l, key);
    case '!':
      return (l) => l === undefined || !hasOwn.call(l, key);
    case 'gt':
    case 'lt': {
      const bound = Number(values[0]);
      const gt = r.operator === 'gt';
      return (l) => {
        if (l === undefined || !hasOwn.call(l, key)) return false;
        const v = l[key]!;
        if (!/^[+-]?\d+$/.test(v)) return false;
        return gt ? Number(v) > bound : Number(v) < bound;
      };
    }
  }
}

export const NOTHING: Selector = Object.freeze({ matches: () => false, empty: false, nothing: true });
export const EVERYTHING: Selector = Object.freeze({ matches: () => true, empty: true, nothing: false });

export function compileLabelSelector(sel: LabelSelector): Selector {
  if (sel.isNothing()) return NOTHING;
  const reqs = sel.requirements();
  if (reqs.length === 0) return EVERYTHING;
  const checks = reqs.map(compileRequirement);
  if (checks.length === 1) {
    const only = checks[0]!;
    return { matches: only, empty: false, nothing: false };
  }
  return {
    matches(l) {
      for (let i = 0; i < checks.length; i++) if (!checks[i]!(l)) return false;
      return true;
    },
    empty: false,
    nothing: false,
  };
}

/**
 * Compiles a metav1.LabelSelector; an invalid one matches nothing (upstream treats selector
 * parse errors on stored objects as non-matching). `extra` adds matchExpressions, which is how
 * matchLabelKeys / mismatchLabelKeys fold into a selector.
 */
export function selectorFrom(obj: LabelSelectorObject | null | undefined, extra: LabelSelectorObject['matchExpressions'] = []): Selector {
  try {
    if (obj === undefined || obj === null) {
      if (!extra || extra.length === 0) return NOTHING;
      return compileLabelSelector(selectorFromLabelSelector({ matchExpressions: extra }));
    }
    const merged = extra && extra.length > 0 ? { ...obj, matchExpressions: [...(obj.matchExpressions ?? []), ...extra] } : obj;
    return compileLabelSelector(selectorFromLabelSelector(merged));
  } catch {
    return NOTHING;
  }
}

/** A selector requiring every label of `set` (upstream SelectorFromSet). */
export function selectorFromSet(set: Readonly<Record<string, string>>): Selector {
  const entries = Object.entries(set);
  if (entries.length === 0) return EVERYTHING;
  return {
    matches(l) {
      if (!l) return false;
      for (const [k, v] of entries) if (l[k] !== v) return false;
      return true;
    },
    empty: false,
    nothing: false,
  };
}
