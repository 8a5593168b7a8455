import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { compileListSemantics } from './list-semantics.ts';
import { MAX_PATCH_DEPTH } from './json-value.ts';
import { isStatusError } from '../status-error.ts';

// A small schema shaped like upstream's MergeItem test type.
const schema = compileListSemantics({
  'test.MergeItem': {
    mergingList: { patchStrategy: 'merge', patchMergeKey: 'name' },
    mergingIntList: { patchStrategy: 'merge' },
    mergeItemPtr: { patchStrategy: 'merge', patchMergeKey: 'name' },
    replacingItem: { patchStrategy: 'replace' },
    retainKeysMap: { patchStrategy: 'retainKeys' },
    retainKeysMergingList: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
  },
  'test.RetainKeysMergeItem': {
    mergingIntList: { patchStrategy: 'merge' },
    mergingList: { patchStrategy: 'merge', patchMergeKey: 'name' },
  },
  $refs: {
    'test.MergeItem': {
      mergingList: '[]test.MergeItem',
      nonMergingList: '[]test.MergeItem',
      mergeItemPtr: 'test.MergeItem',
      retainKeysMap: 'test.RetainKeysMergeItem',
      retainKeysMergingList: '[]test.MergeItem',
      itemsByName: 'map[string]test.MergeItem',
    },
    'test.RetainKeysMergeItem': { mergingList: '[]test.MergeItem', nonMergingList: '[]test.MergeItem' },
  },
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Applies with frozen inputs, so any mutation of doc or patch throws. */
function smp(doc: unknown, patch: unknown, def = 'test.MergeItem'): unknown {
  return applyStrategicMergePatch(deepFreeze(doc), deepFreeze(patch), def, schema);
}

function rejects(fn: () => unknown, code: number, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(JSON.stringify(err.status), pattern);
    return true;
  });
}

describe('strategic merge patch: maps', () => {
  it('merges maps recursively and deletes keys set to null', () => {
    assert.deepEqual(smp({ name: 1, simpleMap: { key1: 1, key2: 1, other: 'a' } }, { value: 1, simpleMap: { key2: null } }), {
      name: 1,
      value: 1,
      simpleMap: { key1: 1, other: 'a' },
    });
  });

  it('drops nulls for keys that were absent', () => {
    assert.deepEqual(smp({ name: 'a' }, { name: 1, value: 1, other: null, nested: { x: null, y: 1 } }), { name: 1, value: 1, nested: { y: 1 } });
  });

  it('$patch: replace on the root and with added keys', () => {
    assert.deepEqual(smp({ name: 1, value: 1 }, { $patch: 'replace' }), {});
    assert.deepEqual(smp({ name: 1, value: 1 }, { other: 'a', $patch: 'replace' }), { other: 'a' });
  });

  it('$patch: delete on a present map leaves it empty, as upstream', () => {
    assert.deepEqual(smp({ simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { $patch: 'delete' } }), { simpleMap: {} });
  });

  it('$patch: delete on an absent map adds nothing', () => {
    assert.deepEqual(smp({ name: 1 }, { simpleMap: { $patch: 'delete' } }), { name: 1 });
  });

  it('$patch: merge in a map merges', () => {
    assert.deepEqual(smp({ simpleMap: { a: 1 } }, { simpleMap: { $patch: 'merge', b: 2 } }), { simpleMap: { a: 1, b: 2 } });
  });

  it('rejects an unknown $patch value', () => {
    rejects(() => smp({ simpleMap: {} }, { simpleMap: { $patch: 'explode' } }), 400, /unknown patch type/);
  });

  it('patchStrategy replace replaces a map wholesale', () => {
    assert.deepEqual(smp({ replacingItem: { a: 1, b: { c: 1 } } }, { replacingItem: { b: { d: 2 } } }), { replacingItem: { b: { d: 2 } } });
  });

  it('replaces a value of another type', () => {
    assert.deepEqual(smp({ simpleMap: { a: 1 } }, { simpleMap: 'x' }), { simpleMap: 'x' });
    assert.deepEqual(smp({ simpleMap: 'x' }, { simpleMap: { a: 1, b: null } }), { simpleMap: { a: 1 } });
  });

  it('walks map[string]<def> values into their definition', () => {
    const doc = { itemsByName: { one: { mergingList: [{ name: 'a', value: '1' }] } } };
    assert.deepEqual(smp(doc, { itemsByName: { one: { mergingList: [{ name: 'b' }] } } }), {
      itemsByName: { one: { mergingList: [{ name: 'b' }, { name: 'a', value: '1' }] } },
    });
  });

  it('treats "__proto__" as an ordinary key', () => {
    const patch = JSON.parse('{"simpleMap":{"__proto__":{"polluted":true}}}');
    const out = smp({ simpleMap: {} }, patch) as { simpleMap: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(out.simpleMap), Object.prototype);
    assert.deepEqual(Object.keys(out.simpleMap), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('strategic merge patch: lists', () => {
  it('merges lists of maps by merge key, new items first as upstream orders them', () => {
    const doc = { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2' }] };
    assert.deepEqual(smp(doc, { mergingList: [{ name: '2', value: '3' }, { name: '3', value: '3' }] }), {
      mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '3' }, { name: '3', value: '3' }],
    });
    assert.deepEqual(smp(doc, { mergingList: [{ name: '0' }] }), { mergingList: [{ name: '0' }, { name: '1', other: 'a' }, { name: '2', value: '2' }] });
  });

  it('preserves the order from the patch', () => {
    const doc = { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] };
    assert.deepEqual(
      smp(doc, { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] }),
      { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] },
    );
    assert.deepEqual(smp(doc, { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] }), {
      mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }],
    });
    assert.deepEqual(smp({ mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }), { mergingIntList: [2, 3, 1] });
  });

  it('unions primitive merge lists without duplicates', () => {
    assert.deepEqual(smp({ mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }), { mergingIntList: [1, 2, 3] });
  });

  it('replaces lists without a merge strategy', () => {
    assert.deepEqual(smp({ nonMergingIntList: [1, 2] }, { nonMergingIntList: [2, 3] }), { nonMergingIntList: [2, 3] });
    assert.deepEqual(smp({ nonMergingList: [{ name: 'a', value: '1' }] }, { nonMergingList: [{ name: 'a' }] }), { nonMergingList: [{ name: 'a' }] });
  });

  it('an empty patch list leaves a merge list alone', () => {
    assert.deepEqual(smp({ mergingList: [{ name: '1' }] }, { mergingList: [] }), { mergingList: [{ name: '1' }] });
    assert.deepEqual(smp({ mergingList: [] }, { mergingList: [] }), { mergingList: [] });
  });

  it('$patch: delete removes every element with that key', () => {
    const doc = { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] };
    assert.deepEqual(smp(doc, { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] }), {
      mergingList: [{ name: '2', value: 'a' }],
    });
  });

  it('$patch: delete needs the merge key', () => {
    rejects(() => smp({ mergingList: [{ name: '1' }] }, { mergingList: [{ $patch: 'delete' }] }), 400, /does not contain declared merge key: name/);
  });

  it('$patch: replace in a list element replaces the whole list', () => {
    assert.deepEqual(smp({ mergingList: [{ name: '1' }, { name: '2' }] }, { mergingList: [{ $patch: 'replace' }] }), { mergingList: [] });
    assert.deepEqual(
      smp({ mergingList: [{ name: '1' }, { name: '2' }] }, { mergingList: [{ name: '3', mergingList: [{ name: 'x', $patch: 'delete' }] }, { $patch: 'replace' }] }),
      { mergingList: [{ name: '3', mergingList: [] }] },
    );
  });

  it('a patch element without the merge key is an error', () => {
    rejects(() => smp({ mergingList: [{ name: '1', value: 'a' }] }, { mergingList: [{ value: 'b' }] }), 400, /does not contain declared merge key/);
  });

  it('rejects lists of lists and mixed element types', () => {
    rejects(() => smp({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }), 422, /lists of lists are not supported/);
    rejects(() => smp({ mergingIntList: [1] }, { mergingIntList: ['a'] }), 400, /not identical/);
  });

  it('drops $patch elements when the list did not exist yet', () => {
    assert.deepEqual(smp({ name: 'hi' }, { mergingList: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }] }), {
      name: 'hi',
      mergingList: [{ name: 'hello' }],
    });
  });

  it('merges nested merge lists inside list elements', () => {
    const doc = { mergingList: [{ name: 'a', mergingList: [{ name: 'x', value: '1' }, { name: 'y' }] }] };
    assert.deepEqual(smp(doc, { mergingList: [{ name: 'a', mergingList: [{ name: 'x', value: '2' }, { name: 'y', $patch: 'delete' }] }] }), {
      mergingList: [{ name: 'a', mergingList: [{ name: 'x', value: '2' }] }],
    });
  });
});

describe('strategic merge patch: $setElementOrder', () => {
  it('orders merged items and keeps server-only items in place', () => {
    const current = { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] };
    const patch = {
      '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }],
    };
    assert.deepEqual(smp(current, patch), {
      mergingList: [{ name: '4', value: '4' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }],
    });
  });

  it('works with only the order list, and ignores names that are not there', () => {
    assert.deepEqual(smp({ mergingList: [{ name: '1' }, { name: '3' }] }, { '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }] }), {
      mergingList: [{ name: '3' }, { name: '1' }],
    });
    assert.deepEqual(smp({ mergingIntList: [1, 3] }, { '$setElementOrder/mergingIntList': [3, 2, 1] }), { mergingIntList: [3, 1] });
  });

  it('rejects a patch list whose order contradicts it', () => {
    const patch = { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] };
    rejects(() => smp({ mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] }, patch), 400, /doesn't match/);
    rejects(() => smp({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }), 400, /doesn't match/);
  });

  it('three-way patch with a delete directive keeps server-only items', () => {
    const patch = {
      '$setElementOrder/mergingList': [{ name: 'hello' }, { name: 'doesntexist' }],
      mergingList: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }],
    };
    assert.deepEqual(smp({ name: 'hi', mergingList: [{ name: 'hello2' }] }, patch), { name: 'hi', mergingList: [{ name: 'hello' }, { name: 'hello2' }] });
  });

  it('requires a list', () => {
    rejects(() => smp({}, { '$setElementOrder/mergingList': 'x' }), 400, /setElementOrder/);
  });
});

describe('strategic merge patch: $deleteFromPrimitiveList', () => {
  it('deletes values, duplicates included, with or without a merge strategy', () => {
    const patch = { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] };
    assert.deepEqual(smp({ mergingIntList: [1, 2, 3, 3, 4] }, patch), { mergingIntList: [1, 2, 4] });
    assert.deepEqual(smp({ nonMergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/nonMergingIntList': [2] }), { nonMergingIntList: [1, 3] });
  });

  it('adds and deletes in one patch', () => {
    const patch = { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] };
    assert.deepEqual(smp({ mergingIntList: [1, 2, 3] }, patch), { mergingIntList: [1, 2, 4] });
  });

  it('never creates the list or adds the values', () => {
    assert.deepEqual(smp({ mergingIntList: [1, 2] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }), { mergingIntList: [1, 2] });
    assert.deepEqual(smp({ foo: ['bar'] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }), { foo: ['bar'] });
  });

  it('requires a list', () => {
    rejects(() => smp({ mergingIntList: [1] }, { '$deleteFromPrimitiveList/mergingIntList': 1 }), 400, /primitive list/);
  });
});

describe('strategic merge patch: $retainKeys', () => {
  it('clears keys that are not retained', () => {
    assert.deepEqual(smp({ retainKeysMap: { name: 'foo', value: 'a', other: 'b' } }, { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'c' } }), {
      retainKeysMap: { name: 'foo', value: 'c' },
    });
  });

  it('applies to elements of merge,retainKeys lists', () => {
    const doc = { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a', other: 'x' }] };
    assert.deepEqual(smp(doc, { retainKeysMergingList: [{ name: 'foo', $retainKeys: ['name', 'other'], other: 'y' }] }), {
      retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', other: 'y' }],
    });
  });

  it('behaves as a plain merge without the directive', () => {
    assert.deepEqual(smp({ retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: null } }), { retainKeysMap: { name: 'foo' } });
    assert.deepEqual(smp({ retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: {} }), { retainKeysMap: { name: 'foo', value: 'a' } });
  });

  it('rejects a patch setting a key it does not retain, or a malformed list', () => {
    rejects(() => smp({ retainKeysMap: {} }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }), 400, /retainKeys/);
    rejects(() => smp({ retainKeysMap: {} }, { retainKeysMap: { $retainKeys: 'name' } }), 400, /retainKeys/);
  });
});

describe('strategic merge patch: robustness', () => {
  it('falls back to merge-patch semantics for unknown definitions', () => {
    assert.deepEqual(smp({ spec: { tags: ['a', 'b'], m: { x: 1 } } }, { spec: { tags: ['c'], m: { y: 2 } } }, 'example.com.v1.Widget'), {
      spec: { tags: ['c'], m: { x: 1, y: 2 } },
    });
  });

  it('rejects bodies that are not objects', () => {
    rejects(() => smp({}, [1]), 400, /JSON object/);
    rejects(() => smp([], {}), 400, /JSON object/);
  });

  it('does not share structure between the result and the inputs', () => {
    const doc = { mergingList: [{ name: 'a', simpleMap: { k: 'v' } }], keep: { deep: [1] } };
    const patch = { added: { nested: [{ x: 1 }] } };
    const out = smp(doc, patch) as Record<string, unknown>;
    (out['keep'] as { deep: number[] }).deep.push(2);
    ((out['added'] as { nested: Array<{ x: number }> }).nested[0]!).x = 2;
    assert.deepEqual(doc.keep.deep, [1]);
    assert.equal(patch.added.nested[0]!.x, 1);
  });

  it('rejects patches nested deeper than the limit with a 400', () => {
    let patch: Record<string, unknown> = {};
    const root = patch;
    for (let i = 0; i < MAX_PATCH_DEPTH + 5; i++) {
      const child: Record<string, unknown> = {};
      patch['a'] = child;
      patch = child;
    }
    rejects(() => smp({}, root), 400, /nested too deeply/);
  });

  it('handles a very deep document under a shallow patch', () => {
    let doc: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100_000; i++) doc = { a: doc };
    const out = applyStrategicMergePatch(doc, { b: 1 }, 'test.MergeItem', schema) as Record<string, unknown>;
    assert.equal(out['b'], 1);
    assert.notEqual(out['a'], doc['a']);
  });

  it('handles a patch at the depth limit through alternating maps and merge lists', () => {
    let patch: Record<string, unknown> = { name: 'leaf' };
    for (let i = 0; i < (MAX_PATCH_DEPTH - 10) / 2; i++) patch = { name: `n${i}`, mergingList: [patch] };
    const out = smp({}, patch) as Record<string, unknown>;
    assert.equal(out['name'], `n${(MAX_PATCH_DEPTH - 10) / 2 - 1}`);
  });
});
