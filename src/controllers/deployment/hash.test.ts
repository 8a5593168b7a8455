import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('pod-template-hash', () => {
  it('is FNV-1a 32 bit', () => {
    assert.equal(fnv32a(bytes('')), 0x811c9dc5);
    assert.equal(fnv32a(bytes('a')), 0xe40c292c);
    assert.equal(fnv32a(bytes('foobar')), 0xbf9cf968);
  });

  it('renders through the vowel-free alphabet of SafeEncodeString', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });

  it('is stable, ignores key order, and changes with the template and the collision count', () => {
    const t = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
    const reordered = { spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { tier: 'fe', app: 'web' } } };
    const h = computeHash(t);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(computeHash(reordered), h);
    assert.equal(canonicalJson(reordered), canonicalJson(t));
    assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), h);
    assert.notEqual(computeHash(t, 1), h);
    assert.notEqual(computeHash(t, 1), computeHash(t, 2));
    assert.notEqual(computeHash(t, 0), h, 'a collision count of 0 is still hashed in, as upstream');
  });
});

describe('equalIgnoreHash', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  it('ignores the pod-template-hash label and empty maps', () => {
    assert.equal(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } }), true);
    assert.equal(equalIgnoreHash({ ...t, metadata: { labels: { app: 'web' }, annotations: {} } }, t), true);
  });
  it('sees every other difference', () => {
    assert.equal(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'other' } } }), false);
    assert.equal(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } }), false);
    assert.equal(equalIgnoreHash(t, { ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), false);
  });
});
