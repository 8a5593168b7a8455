// Options common to writes: dryRun, fieldManager, fieldValidation; and the strict/warn check
// of unknown fields against the kind's schema.

import { pruneUnknownFields, typeCheck } from '../../api/schema/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { badRequest } from '../../machinery/status-error.ts';
import type { ServedResource } from '../api-registry.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string | undefined;
  fieldValidation: FieldValidation;
}

export function parseWriteOptions(query: URLSearchParams): WriteOptions {
  const dryRun = query.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  const fv = query.get('fieldValidation') || 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  }
  const fieldManager = query.get('fieldManager') || undefined;
  if (fieldManager !== undefined && (fieldManager.length > 128 || /[^\x20-\x7e]/.test(fieldManager))) {
    throw badRequest('fieldManager: Invalid value: must be at most 128 printable characters');
  }
  return { dryRun: dryRun.length > 0, fieldManager, fieldValidation: fv };
}

/**
 * Checks the object against the schema the way decoding into the Go types does upstream: a JSON
 * type mismatch is a 400 whatever the mode; unknown fields fail Strict with a 400 naming every
 * one, and are otherwise dropped (never stored), with warnings for the Warning header under Warn.
 */
export function checkUnknownFields(served: ServedResource, obj: KubeObject, mode: FieldValidation): string[] {
  const { definition, kind, version } = served.def;
  if (definition) {
    const typeError = typeCheck(definition, obj)[0];
    if (typeError) throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${typeError.message}`);
  }
  // Kinds without a built-in definition (CRDs) bring their own check; their schema prunes the
  // reported fields on the way to storage, so only built-ins are pruned here.
  const unknown = served.unknownFields(obj);
  if (unknown.length === 0) return [];
  const messages = unknown.map((path) => `unknown field "${path}"`);
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${messages.join(', ')}`);
  if (definition) pruneUnknownFields(definition, obj);
  return mode === 'Warn' ? messages : [];
}

/** Formats warnings as RFC 7234 Warning header values (code 299, agent "-"). */
export function warningHeader(warnings: string[]): string | undefined {
  if (warnings.length === 0) return undefined;
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
}
