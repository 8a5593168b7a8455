import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeys } from './sorted-keys.ts';

test('keys come out sorted and once, after adds, deletes and re-adds in any order', () => {
  const live = new Set<string>();
  const keys = new SortedKeys();
  const add = (k: string): void => {
    if (live.has(k)) return;
    live.add(k);
    keys.add(k);
  };
  const del = (k: string): void => {
    if (!live.delete(k)) return;
    keys.remove();
  };
  const has = (k: string): boolean => live.has(k);
  // A deterministic shuffle of adds and deletes, checked against a full sort after each step.
  let seed = 7;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let step = 0; step < 2000; step++) {
    const k = `/pods/ns-${rnd(5)}/p-${rnd(300)}`;
    if (rnd(3) === 0) del(k);
    else add(k);
    if (step % 37 === 0) assert.deepEqual(keys.sorted(has), [...live].sort(), `step ${step}`);
  }
  assert.deepEqual(keys.sorted(has), [...live].sort());
  const same = keys.sorted(has);
  assert.equal(keys.sorted(has), same, 'nothing changed: the same array, no work');
  keys.clear();
  assert.deepEqual(keys.sorted(() => true), []);
});
