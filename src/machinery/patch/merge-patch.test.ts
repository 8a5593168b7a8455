import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.ts';
import { MAX_PATCH_DEPTH } from './json-value.ts';
import { isStatusError } from '../status-error.ts';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

const merge = (doc: unknown, patch: unknown) => applyMergePatch(deepFreeze(doc), deepFreeze(patch));

describe('applyMergePatch (RFC 7386)', () => {
  it('follows the RFC rules', () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [doc, patch, want] of cases) assert.deepEqual(merge(doc, patch), want, `${JSON.stringify(doc)} + ${JSON.stringify(patch)}`);
  });

  it('merges a kubectl CRD apply patch: maps merge, lists replace', () => {
    const live = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', annotations: { a: '1' } }, spec: { size: 1, tags: ['a', 'b'] } };
    assert.deepEqual(merge(live, { metadata: { annotations: { b: '2' } }, spec: { size: 2, tags: ['c'] } }), {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', annotations: { a: '1', b: '2' } },
      spec: { size: 2, tags: ['c'] },
    });
  });

  it('returns a fresh object that shares nothing with its inputs', () => {
    const doc = { keep: { list: [1] } };
    const patch = { added: { list: [1] } };
    const out = applyMergePatch(doc, patch) as { keep: { list: number[] }; added: { list: number[] } };
    out.keep.list.push(2);
    out.added.list.push(2);
    assert.deepEqual(doc, { keep: { list: [1] } });
    assert.deepEqual(patch, { added: { list: [1] } });
  });

  it('rejects a patch nested deeper than the limit with a 400', () => {
    let patch: Record<string, unknown> = {};
    for (let i = 0; i < MAX_PATCH_DEPTH + 1; i++) patch = { a: patch };
    assert.throws(
      () => applyMergePatch({}, patch),
      (err: unknown) => isStatusError(err) && err.code === 400,
    );
  });

  it('treats "__proto__" as an ordinary key', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});
