import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, parsePointer } from './json-patch.ts';
import { isStatusError } from '../status-error.ts';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

const patch = (doc: unknown, ops: unknown) => applyJsonPatch(deepFreeze(doc), deepFreeze(ops));

function rejects(fn: () => unknown, code: number, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(JSON.stringify(err.status), pattern);
    return true;
  });
}

describe('applyJsonPatch', () => {
  it('adds object members and array elements, "-" appends', () => {
    assert.deepEqual(patch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { foo: 'bar', baz: 'qux' });
    assert.deepEqual(patch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
    assert.deepEqual(patch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc'] }]), { foo: ['bar', ['abc']] });
    assert.deepEqual(patch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/1', value: 'end' }]), { foo: ['bar', 'end'] });
    assert.deepEqual(patch({ foo: 1 }, [{ op: 'add', path: '/foo', value: null }]), { foo: null });
  });

  it('removes, replaces, moves and copies', () => {
    assert.deepEqual(patch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
    assert.deepEqual(patch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
    assert.deepEqual(patch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
    assert.deepEqual(
      patch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]),
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    );
    assert.deepEqual(patch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]), {
      foo: ['all', 'cows', 'eat', 'grass'],
    });
    const copied = patch({ a: { b: [1] } }, [{ op: 'copy', from: '/a', path: '/c' }, { op: 'add', path: '/c/b/-', value: 2 }]) as Record<string, unknown>;
    assert.deepEqual(copied, { a: { b: [1] }, c: { b: [1, 2] } });
  });

  it('replaces the whole document with an empty path', () => {
    assert.deepEqual(patch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
  });

  it('unescapes ~1 and ~0 in pointers', () => {
    assert.deepEqual(parsePointer('/a~1b/m~0n/~01'), ['a/b', 'm~n', '~1']);
    const doc = { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x' } } };
    assert.deepEqual(patch(doc, [{ op: 'remove', path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration' }]), {
      metadata: { annotations: {} },
    });
    rejects(() => parsePointer('/a~2'), 422, /escape/);
    rejects(() => parsePointer('a'), 422, /pointer/);
  });

  it('passes and fails test operations by JSON equality', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'], obj: { x: 1, y: [true] } };
    assert.deepEqual(
      patch(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
        { op: 'test', path: '/obj', value: { y: [true], x: 1 } },
      ]),
      doc,
    );
    rejects(() => patch(doc, [{ op: 'test', path: '/baz', value: 'bar' }]), 422, /testing value \/baz failed/);
    rejects(() => patch(doc, [{ op: 'test', path: '/foo/1', value: '2' }]), 422, /test failed/);
    rejects(() => patch(doc, [{ op: 'test', path: '/missing', value: null }]), 422, /test failed/);
  });

  it('answers 422 with the generic Invalid status when an operation does not apply', () => {
    assert.throws(
      () => patch({ a: 1 }, [{ op: 'remove', path: '/b' }]),
      (err: unknown) => {
        assert.ok(isStatusError(err));
        assert.equal(err.status.reason, 'Invalid');
        assert.equal(err.status.message, 'the server rejected our request due to an error in our request');
        assert.match(err.status.details?.causes?.[0]?.message ?? '', /nonexistent key/);
        return true;
      },
    );
    rejects(() => patch({ a: 1 }, [{ op: 'add', path: '/x/y', value: 1 }]), 422, /missing path/);
    rejects(() => patch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]), 422, /missing key/);
    rejects(() => patch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }]), 422, /invalid index/);
    rejects(() => patch({ a: [1] }, [{ op: 'add', path: '/a/01', value: 1 }]), 422, /invalid index/);
    rejects(() => patch({ a: [1] }, [{ op: 'remove', path: '/a/-' }]), 422, /invalid index/);
    rejects(() => patch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), 422, /prefix/);
    rejects(() => patch({ a: 1 }, [{ op: 'copy', from: '/nope', path: '/b' }]), 422, /missing from path/);
    rejects(() => patch({ a: 1 }, [{ op: 'frobnicate', path: '/a' }]), 422, /Unexpected kind: frobnicate/);
    rejects(() => patch({ a: 1 }, [{ op: 'add', path: '/b' }]), 422, /value/);
  });

  it('is atomic: a failing operation leaves no partial result behind', () => {
    const doc = { a: 1 };
    rejects(() => patch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 2 }]), 422, /test failed/);
    assert.deepEqual(doc, { a: 1 });
  });

  it('rejects bodies that are not lists of operation objects with a 400', () => {
    rejects(() => patch({}, { op: 'add' }), 400, /array/);
    rejects(() => patch({}, ['add']), 400, /operation/);
  });

  it('rejects more than the maximum number of operations with a 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    rejects(() => applyJsonPatch({}, ops), 413, /maximum operations/);
  });

  it('does not let values added by the patch alias the patch', () => {
    const ops = [{ op: 'add', path: '/a', value: { list: [1] } }];
    const out = applyJsonPatch({}, ops) as { a: { list: number[] } };
    out.a.list.push(2);
    assert.deepEqual(ops[0]!.value, { list: [1] });
  });

  it('treats "__proto__" as an ordinary member', () => {
    const out = patch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('handles very deep documents without overflowing the stack', () => {
    let doc: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) doc = { a: doc };
    const out = applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 1 }, { op: 'test', path: '', value: { ...doc, b: 1 } }]);
    assert.equal((out as Record<string, unknown>)['b'], 1);
  });
});
