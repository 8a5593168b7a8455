import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCelValidator, compileRule } from './cel.ts';
import { structuralNode } from './structural.ts';
import type { CrdSchema, ValidationRule } from './types.ts';

function validator(rules: ValidationRule[], extra: Record<string, CrdSchema> = {}) {
  const schema: CrdSchema = {
    type: 'object',
    'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('w')", message: 'name must start with w' }],
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': rules,
        properties: {
          replicas: { type: 'integer' },
          max: { type: 'integer' },
          ratio: { type: 'number' },
          image: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'image is immutable' }] },
          tags: { type: 'array', items: { type: 'string' } },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'ports only grow' }] } } },
          },
          ...extra,
        },
      },
    },
  };
  const v = compileCelValidator(structuralNode(schema));
  assert.ok(v);
  return v;
}

const obj = (spec: Record<string, unknown>, name = 'w1') => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, labels: { x: 'y' } }, spec });
const lines = (errors: { field: string; message: string }[]) => errors.map((e) => `${e.field}: ${e.message}`);

describe('CEL validation rules', () => {
  it('reports a failed rule with its message at the node path, plus fieldPath', () => {
    const v = validator([{ rule: 'self.replicas <= self.max', message: 'too many', fieldPath: '.replicas' }]);
    assert.deepEqual(lines(v(obj({ replicas: 3, max: 5 }), undefined)), []);
    assert.deepEqual(lines(v(obj({ replicas: 6, max: 5 }), undefined)), ['spec.replicas: Invalid value: "object": too many']);
  });

  it('uses the default message, messageExpression and reason', () => {
    const v = validator([
      { rule: 'self.replicas > 0' },
      { rule: 'self.replicas < 100', messageExpression: '"replicas is " + string(self.replicas)' },
      { rule: 'has(self.max)', message: 'max is required', reason: 'FieldValueRequired', fieldPath: '.max' },
      { rule: 'self.replicas != 7', message: 'no sevens', reason: 'FieldValueForbidden' },
    ]);
    assert.deepEqual(lines(v(obj({ replicas: 0 }), undefined)), [
      'spec: Invalid value: "object": failed rule: self.replicas > 0',
      'spec.max: Required value: max is required',
    ]);
    assert.deepEqual(lines(v(obj({ replicas: 100, max: 1 }), undefined)), ['spec: Invalid value: "object": replicas is 100']);
    assert.deepEqual(lines(v(obj({ replicas: 7, max: 1 }), undefined)), ['spec: Forbidden: no sevens']);
  });

  it('sees integers as int and numbers as double', () => {
    const v = validator([{ rule: 'self.replicas + 1 == 3 && self.ratio * 2.0 == 1.0' }]);
    assert.deepEqual(v(obj({ replicas: 2, ratio: 0.5 }), undefined), []);
  });

  it('evaluates the root rule against apiVersion, kind and metadata.name', () => {
    const v = validator([]);
    assert.deepEqual(lines(v(obj({}, 'x1'), undefined)), [': Invalid value: "object": name must start with w']);
  });

  it('runs transition rules only on update, with oldSelf, and correlates map-list items by key', () => {
    const v = validator([]);
    assert.deepEqual(v(obj({ image: 'a', ports: [{ name: 'http', port: 80 }] }), undefined), []);
    const old = obj({ image: 'a', ports: [{ name: 'http', port: 80 }, { name: 'web', port: 90 }] });
    assert.deepEqual(lines(v(obj({ image: 'b', ports: [{ name: 'web', port: 91 }, { name: 'http', port: 79 }] }), { value: old })), [
      'spec.image: Invalid value: "string": image is immutable',
      'spec.ports[1].port: Invalid value: "integer": ports only grow',
    ]);
  });

  it('does not re-check values that did not change (ratcheting)', () => {
    const v = validator([{ rule: 'self.replicas <= self.max', message: 'too many' }]);
    const old = obj({ replicas: 9, max: 5 });
    assert.deepEqual(v(obj({ replicas: 9, max: 5 }), { value: old }), []);
    assert.equal(v(obj({ replicas: 10, max: 5 }), { value: old }).length, 1);
  });

  it('turns evaluation errors into field errors', () => {
    const v = validator([{ rule: 'self.missing > 1' }, { rule: "self.replicas + 'x' == 1" }]);
    const errors = lines(v(obj({ replicas: 1 }), undefined));
    assert.equal(errors.length, 2);
    assert.match(errors[0] as string, /^spec: Invalid value: "object": .* evaluating rule: self\.missing > 1$/);
    assert.match(errors[1] as string, /call arguments did not match a supported operator, function or macro signature for rule/);
  });

  it('has the strings extension and the Kubernetes list functions', () => {
    const v = validator([{ rule: "self.tags.isSorted() && self.tags.size() == 2 && self.tags[0].upperAscii() == 'A' && [1, 2, 3].sum() == 6 && [3, 1].min() == 1" }]);
    assert.deepEqual(v(obj({ tags: ['a', 'b'] }), undefined), []);
    assert.equal(v(obj({ tags: ['b', 'a'] }), undefined).length, 1);
  });

  it('refuses rules whose nested comprehensions would cost too much', () => {
    const v = validator([{ rule: 'self.tags.all(a, self.tags.all(b, self.tags.all(c, true)))' }]);
    assert.deepEqual(v(obj({ tags: ['a', 'b'] }), undefined), []);
    const errors = lines(v(obj({ tags: Array.from({ length: 300 }, (_, i) => `t${i}`) }), undefined));
    assert.equal(errors.length, 1);
    assert.match(errors[0] as string, /^spec: Invalid value: "object": operation cancelled: estimated cost limit exceeded \(collections of 300 items, comprehensions nested 3 deep\)/);
  });

  it('compiles rules, or says why not', () => {
    assert.ok(!('error' in compileRule({ rule: 'self > 1' })));
    const bad = compileRule({ rule: 'self >' });
    assert.ok('error' in bad && bad.field === 'rule' && bad.error.startsWith('compilation failed:'));
    const badMessage = compileRule({ rule: 'true', messageExpression: '"a" +' });
    assert.ok('error' in badMessage && badMessage.field === 'messageExpression');
    assert.equal(compileCelValidator(structuralNode({ type: 'object' })), undefined);
  });
});
