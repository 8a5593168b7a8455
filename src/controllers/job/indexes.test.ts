// Completion index sets: the text form upstream writes in completedIndexes/failedIndexes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countIndexes, formatIndexes, hasIndex, parseIndexes, withIndexes } from './indexes.ts';

describe('completion index intervals', () => {
  it('formats singles, pairs and ranges as upstream does', () => {
    assert.equal(formatIndexes([{ first: 1, last: 1 }, { first: 3, last: 4 }, { first: 6, last: 9 }]), '1,3,4,6-9');
    assert.equal(formatIndexes([]), '');
  });

  it('parses, merges overlaps and adjacent parts, and drops indexes beyond completions', () => {
    assert.deepEqual(parseIndexes('0,1,2-4,7,9-12', 11), [{ first: 0, last: 4 }, { first: 7, last: 7 }, { first: 9, last: 10 }]);
    assert.deepEqual(parseIndexes('5', 5), []);
    assert.deepEqual(parseIndexes('x,2,3-1', 5), [{ first: 2, last: 2 }]);
    assert.deepEqual(parseIndexes(undefined, 5), []);
  });

  it('adds indexes, joining neighbours', () => {
    const base = parseIndexes('0,4-5', 10);
    const out = withIndexes(base, [3, 1, 8]);
    assert.equal(formatIndexes(out), '0,1,3-5,8');
    assert.equal(countIndexes(out), 6);
    assert.equal(formatIndexes(withIndexes(out, [2])), '0-5,8');
    assert.equal(formatIndexes(base), '0,4,5', 'the input is not changed');
  });

  it('answers membership', () => {
    const iv = parseIndexes('1,3-5,9', 10);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 9].map((i) => hasIndex(iv, i)), [false, true, false, true, true, true, false, true]);
  });
});
