// Apply conflicts: fields an applier would change that another manager owns. They become a 409
// Conflict naming each field and manager, worded as upstream's NewConflictError.

import { failure, type StatusError } from '../status-error.ts';
import { FieldSet } from './field-set.ts';
import { pathString, type FieldPath } from './path-element.ts';
import type { ManagerIdentity } from './managed-fields.ts';

export interface Conflict {
  readonly manager: ManagerIdentity;
  readonly path: FieldPath;
}

/** Thrown by apply when other managers own fields the applied configuration changes. */
export class ApplyConflicts extends Error {
  readonly conflicts: readonly Conflict[];
  constructor(conflicts: readonly Conflict[]) {
    super(conflictMessage(conflicts));
    this.name = 'ApplyConflicts';
    this.conflicts = conflicts;
  }

  /** All conflicting paths, whoever owns them. */
  paths(): FieldSet {
    const set = new FieldSet();
    for (const c of this.conflicts) set.insert(c.path);
    return set;
  }

  /** The conflicts outside `allowed`, or undefined when none are left. */
  without(allowed: FieldSet): ApplyConflicts | undefined {
    const left = this.conflicts.filter((c) => !allowed.has(c.path));
    return left.length > 0 ? new ApplyConflicts(left) : undefined;
  }
}

/** `"kubectl-client-side-apply" using apps/v1`, `"x" with subresource "status"`, `"kubectl"`. */
export function describeManager(m: ManagerIdentity): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

export function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, { manager: ManagerIdentity; paths: string[] }>();
  for (const c of conflicts) {
    const name = describeManager(c.manager);
    let group = byManager.get(name);
    if (!group) byManager.set(name, (group = { manager: c.manager, paths: [] }));
    group.paths.push(pathString(c.path));
  }
  const lines: string[] = [];
  for (const name of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${name}:`);
    for (const p of byManager.get(name)!.paths) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The 409 answer: reason Conflict, one FieldManagerConflict cause per field. */
export function conflictStatus(err: ApplyConflicts): StatusError {
  return failure(409, 'Conflict', err.message, {
    causes: err.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) })),
  });
}
