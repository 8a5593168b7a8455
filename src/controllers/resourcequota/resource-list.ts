// ResourceList arithmetic as upstream's quota helpers do it (quota.Add, Max, Mask, Equals) over
// exact quantities. A sum keeps the format of its first non-zero operand, so requests of "1Gi"
// and "512Mi" add up to "1536Mi" and CPU of "500m" and "1" to "1500m", as the Go server prints.

import { formatQuantity, tryParseQuantity, type Quantity } from '../../machinery/quantity.ts';

/** Quota resource name → quantity. */
export type Usage = Map<string, Quantity>;

/** The wire form: resource name → canonical quantity string. */
export type ResourceList = Record<string, string>;

export const ZERO: Quantity = { nano: 0n, format: 'DecimalSI' };

export const quantityOf = (n: number | bigint): Quantity => ({ nano: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' });

/** a + b; a zero `a` takes `b`'s format (upstream Quantity.Add). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return a.nano === 0n ? { nano: b.nano, format: b.format } : { nano: a.nano + b.nano, format: a.format };
}

/** Parses a wire ResourceList, skipping entries that are not quantities. */
export function parseList(list: unknown): Usage {
  const out: Usage = new Map();
  if (!list || typeof list !== 'object' || Array.isArray(list)) return out;
  for (const [name, value] of Object.entries(list as Record<string, unknown>)) {
    const q = tryParseQuantity(value);
    if (q) out.set(name, q);
  }
  return out;
}

/** Adds every entry of `from` into `into`. */
export function addInto(into: Usage, from: Usage): Usage {
  for (const [name, q] of from) into.set(name, addQuantity(into.get(name) ?? ZERO, q));
  return into;
}

/** Raises every entry of `into` to at least `from`'s. */
export function maxInto(into: Usage, from: Usage): Usage {
  for (const [name, q] of from) {
    const cur = into.get(name);
    if (!cur || q.nano > cur.nano) into.set(name, q);
  }
  return into;
}

/** Only the entries named in `names`. */
export function mask(list: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const name of names) {
    const q = list.get(name);
    if (q) out.set(name, q);
  }
  return out;
}

/** Canonical wire form, keys sorted. */
export function formatList(list: Usage): ResourceList {
  const out: ResourceList = {};
  for (const name of [...list.keys()].sort()) out[name] = formatQuantity(list.get(name)!);
  return out;
}

/** Same names with equal values (formats aside), as upstream quota.Equals. */
export function equalLists(a: Usage, b: Usage): boolean {
  if (a.size !== b.size) return false;
  for (const [name, q] of a) if (b.get(name)?.nano !== q.nano) return false;
  return true;
}
