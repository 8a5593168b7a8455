import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, computeTemplateHash, controllerRevisionName, fnv1, fnv1a, hashControllerRevision, safeEncodeString } from './hash.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('revision hashing', () => {
  it('computes 32-bit FNV-1 and FNV-1a (published test vectors)', () => {
    assert.equal(fnv1(bytes('')), 0x811c9dc5);
    assert.equal(fnv1(bytes('a')), 0x050c5d7e);
    assert.equal(fnv1(bytes('foobar')), 0x31f0b262);
    assert.equal(fnv1a(bytes('a')), 0xe40c292c);
    assert.equal(fnv1a(bytes('foobar')), 0xbf9cf968);
    assert.equal(fnv1a(bytes('bar'), fnv1a(bytes('foo'))), 0xbf9cf968, 'hashing continues from a previous sum');
  });

  it('spells sums with the vowel-free alphabet of SafeEncodeString', () => {
    assert.equal(safeEncodeString('123'), '567');
    assert.match(safeEncodeString(String(0xffffffff)), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('writes canonical JSON: sorted keys, Go escaping, undefined fields dropped', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x<y&z>'], c: undefined, d: { z: 1, y: 2 } }), '{"a":[true,null,"x\\u003cy\\u0026z\\u003e"],"b":1,"d":{"y":2,"z":1}}');
  });

  it('hashes content, not key order, and the collision count changes the hash', () => {
    const a = { spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const b = { spec: { template: { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'web' } } } } };
    assert.equal(hashControllerRevision(a), hashControllerRevision(b));
    assert.notEqual(hashControllerRevision(a, 0), hashControllerRevision(a, 1));
    assert.notEqual(hashControllerRevision(a), hashControllerRevision({ spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }));
    assert.equal(computeTemplateHash(a.spec.template, 0), computeTemplateHash(b.spec.template, 0));
    assert.notEqual(computeTemplateHash(a.spec.template, 0), computeTemplateHash(a.spec.template, 1));
    assert.notEqual(computeTemplateHash(a.spec.template), computeTemplateHash(a.spec.template, 0), 'no count differs from a zero count, as upstream');
  });

  it('names revisions <owner>-<hash>, cutting long owner names so the name stays a valid subdomain', () => {
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    const long = controllerRevisionName('x'.repeat(300), 'h'.repeat(10));
    assert.equal(long.length, 223 + 1 + 10);
  });
});
