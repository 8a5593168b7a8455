// spec.successPolicy of Indexed Jobs: the Job succeeds early once one rule is met — the listed
// indexes all succeeded (or succeededCount of them), or succeededCount indexes of any kind.

import { countIndexes, hasIndex, parseIndexes, type Intervals } from './indexes.ts';
import type { Job } from './types.ts';

/** The message of the SuccessCriteriaMet condition when a rule is met, else undefined. */
export function matchSuccessPolicy(job: Job, succeeded: Intervals, completions: number): string | undefined {
  const rules = job.spec?.successPolicy?.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const wanted = parseIndexes(rule.succeededIndexes, completions);
      let matched = 0;
      for (const iv of wanted) for (let ix = iv.first; ix <= iv.last; ix++) if (hasIndex(succeeded, ix)) matched++;
      const need = rule.succeededCount ?? countIndexes(wanted);
      if (wanted.length > 0 && matched >= need) return `Matched rules at index ${i}`;
    } else if (typeof rule.succeededCount === 'number' && countIndexes(succeeded) >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
