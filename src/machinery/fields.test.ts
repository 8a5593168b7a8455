import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeFieldValue, fieldLabelNotSupported, fieldSelectorFromSet, parseFieldSelector, unescapeFieldValue } from './fields.ts';
import { isStatusError } from './status-error.ts';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.match(err.status.message ?? '', pattern);
    return true;
  });
}

describe('parseFieldSelector', () => {
  it('parses =, == and != terms into sorted requirements', () => {
    const sel = parseFieldSelector('status.phase!=Failed,metadata.name==web,spec.nodeName=n1');
    assert.deepEqual(sel.requirements(), [
      { field: 'metadata.name', op: '=', value: 'web' },
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'status.phase', op: '!=', value: 'Failed' },
    ]);
    assert.equal(sel.toString(), 'metadata.name=web,spec.nodeName=n1,status.phase!=Failed');
  });

  it('matches, reading missing fields as empty', () => {
    const fields = { 'metadata.name': 'web', 'status.phase': 'Running' };
    assert.equal(parseFieldSelector('metadata.name=web,status.phase!=Failed').matches(fields), true);
    assert.equal(parseFieldSelector('metadata.name=db').matches(fields), false);
    assert.equal(parseFieldSelector('spec.nodeName=').matches(fields), true);
    assert.equal(parseFieldSelector('spec.nodeName!=').matches(fields), false);
    assert.equal(parseFieldSelector('constructor=').matches(fields), true);
  });

  it('treats the empty string as everything and skips empty terms', () => {
    assert.ok(parseFieldSelector('').isEverything());
    assert.ok(parseFieldSelector('').matches({}));
    assert.equal(parseFieldSelector('a=b,,').requirements().length, 1);
  });

  it('unescapes values and escapes them back', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,x=y');
    assert.equal(sel.requiredExactMatch('metadata.name'), 'a,b=c\\d');
    assert.equal(sel.toString(), 'metadata.name=a\\,b\\=c\\\\d,x=y');
    assert.equal(unescapeFieldValue(escapeFieldValue('a,=\\b')), 'a,=\\b');
  });

  it('reads "a==b" as a=b and "a=!b" as a value starting with "!"', () => {
    assert.deepEqual(parseFieldSelector('a==b').requirements(), [{ field: 'a', op: '=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('a=!b').requirements(), [{ field: 'a', op: '=', value: '!b' }]);
  });

  it('forgives blanks after commas', () => {
    assert.deepEqual(
      parseFieldSelector('b=2, a=1').requirements().map((r) => r.field),
      ['a', 'b'],
    );
  });

  it('rejects malformed selectors with a 400', () => {
    rejects(() => parseFieldSelector('metadata.name'), /invalid selector: 'metadata.name'; can't understand 'metadata.name'/);
    rejects(() => parseFieldSelector('a=b=c'), /unescaped character in value: =/);
    rejects(() => parseFieldSelector('a=b\\x'), /invalid escape sequence: \\x/);
    rejects(() => parseFieldSelector('a=b\\'), /invalid escape sequence: \\/);
  });

  it('lists unsupported fields for the server to reject', () => {
    const sel = parseFieldSelector('metadata.name=a,spec.foo=b,spec.foo!=c,status.bar=d');
    assert.deepEqual(sel.unsupportedFields(new Set(['metadata.name', 'metadata.namespace'])), ['spec.foo', 'status.bar']);
    assert.deepEqual(sel.unsupportedFields(new Set(['metadata.name', 'spec.foo', 'status.bar'])), []);
    const err = fieldLabelNotSupported('spec.foo');
    assert.equal(err.code, 400);
    assert.equal(err.status.message, 'field label not supported: spec.foo');
  });

  it('builds a selector from a set', () => {
    const sel = fieldSelectorFromSet({ 'spec.nodeName': 'n1', 'metadata.name': 'p' });
    assert.equal(sel.toString(), 'metadata.name=p,spec.nodeName=n1');
    assert.equal(sel.requiredExactMatch('spec.nodeName'), 'n1');
  });
});
