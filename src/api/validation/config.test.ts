import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CM: GroupVersionKind = { group: '', version: 'v1', kind: 'ConfigMap' };
const SECRET: GroupVersionKind = { group: '', version: 'v1', kind: 'Secret' };
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);
const b64 = (s: string) => Buffer.from(s).toString('base64');

function configMap(extra: Any): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, ...extra } as KubeObject;
}

function secret(extra: Any): KubeObject {
  const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra } as KubeObject;
  applyDefaults(SECRET, s);
  return s;
}

describe('ConfigMap', () => {
  it('accepts valid keys in data and binaryData', () => {
    assert.deepEqual(validateCreate(CM, configMap({ data: { 'app.properties': 'a=b', KEY_1: 'x' }, binaryData: { 'logo.png': b64('png') } })), []);
  });

  it('reports bad keys as data[key]', () => {
    const errs = validateCreate(CM, configMap({ data: { 'bad/key': 'x', '..hidden': 'y' }, binaryData: { dup: b64('1') } }));
    assert.deepEqual(fields(errs), ['data[bad/key]', 'data[..hidden]']);
    assert.match(errs[0]?.message ?? '', /^Invalid value: "bad\/key": a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
    assert.equal(errs[1]?.message, `Invalid value: "..hidden": must not start with '..'`);
    assert.deepEqual(fields(validateCreate(CM, configMap({ data: { dup: 'x' }, binaryData: { dup: b64('1') } }))), ['data[dup]']);
  });

  it('limits the total size to 1 MiB', () => {
    const errs = validateCreate(CM, configMap({ data: { a: 'x'.repeat(600 * 1024), b: 'y'.repeat(600 * 1024) } }));
    assert.deepEqual(fields(errs), ['']);
    assert.equal(errs[0]?.type, 'FieldValueTooLong');
  });

  it('freezes data once immutable', () => {
    const old = configMap({ data: { a: '1' }, immutable: true });
    assert.deepEqual(validateUpdate(CM, configMap({ data: { a: '1' }, immutable: true, metadata: { name: 'cfg', namespace: 'default', labels: { x: 'y' } } }), old), []);
    const errs = validateUpdate(CM, configMap({ data: { a: '2' } }), old);
    assert.deepEqual(fields(errs), ['immutable', 'data']);
    assert.equal(errs[1]?.message, 'Forbidden: field is immutable when `immutable` is set');
  });
});

describe('Secret', () => {
  it('accepts opaque data and folded stringData', () => {
    assert.deepEqual(validateCreate(SECRET, secret({ data: { password: b64('hunter2') }, stringData: { user: 'admin' } })), []);
    // Go's base64 decoder skips line breaks, so wrapped data is fine.
    assert.deepEqual(validateCreate(SECRET, secret({ data: { cert: `${b64('x'.repeat(60)).slice(0, 40)}\n${b64('x'.repeat(60)).slice(40)}` } })), []);
  });

  it('checks keys, encoding and size', () => {
    const errs = validateCreate(SECRET, secret({ data: { 'a b': b64('x'), c: 'not base64!' } }));
    assert.deepEqual(fields(errs), ['data[a b]', 'data[c]']);
    assert.doesNotMatch(errs[1]?.message ?? '', /not base64/);
  });

  it('requires the keys typed secrets need', () => {
    assert.deepEqual(fields(validateCreate(SECRET, secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }))), ['data[tls.key]']);
    assert.deepEqual(fields(validateCreate(SECRET, secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{bad') } }))), ['data[.dockerconfigjson]']);
    assert.deepEqual(validateCreate(SECRET, secret({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } })), []);
    assert.deepEqual(fields(validateCreate(SECRET, secret({ type: 'kubernetes.io/basic-auth', data: {} }))), ['data[username]', 'data[password]']);
    assert.deepEqual(fields(validateCreate(SECRET, secret({ type: 'kubernetes.io/service-account-token' }))), ['metadata.annotations[kubernetes.io/service-account.name]']);
  });

  it('keeps the type, and data of immutable secrets', () => {
    const old = secret({ data: { a: b64('1') }, immutable: true });
    const errs = validateUpdate(SECRET, secret({ type: 'kubernetes.io/tls', data: { a: b64('2'), 'tls.crt': b64('c'), 'tls.key': b64('k') }, immutable: true }), old);
    assert.deepEqual(fields(errs), ['type', 'data']);
    assert.match(errs[0]?.message ?? '', /field is immutable$/);
  });
});
