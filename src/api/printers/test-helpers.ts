// Shared fixtures for the printer tests: a fixed clock and a row keyed by column name.

import type { KubeObject } from '../types.ts';
import type { TablePrinter } from './types.ts';

export const NOW = Date.parse('2025-05-01T12:00:00Z');

/** An RFC 3339 timestamp `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function obj(apiVersion: string, kind: string, name: string, fields: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'default', creationTimestamp: ago(5 * MIN), ...meta }, ...fields };
}

/** The row as { columnName: cell }, after checking the cell count matches the columns. */
export function row(p: TablePrinter, o: KubeObject, now = NOW): Record<string, unknown> {
  const cells = p.cells(o, now);
  if (cells.length !== p.columns.length) throw new Error(`${cells.length} cells for ${p.columns.length} columns`);
  return Object.fromEntries(p.columns.map((c, i) => [c.name, cells[i]]));
}

/** Column names, optionally only those shown without -o wide. */
export function columnNames(p: TablePrinter, onlyDefault = false): string[] {
  return p.columns.filter((c) => !onlyDefault || c.priority === 0).map((c) => c.name);
}
