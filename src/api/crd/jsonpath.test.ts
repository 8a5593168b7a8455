import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDotPath, parseJsonPath, setDotPath } from './jsonpath.ts';

const OBJ = {
  metadata: { name: 'w', labels: { 'app.kubernetes.io/name': 'web', tier: 'front' } },
  spec: { replicas: 3, containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:2' }] },
  status: { conditions: [{ type: 'Progressing', status: 'True' }, { type: 'Ready', status: 'False', count: 2 }] },
};

const find = (path: string): unknown[] => parseJsonPath(path).find(OBJ);

describe('parseJsonPath', () => {
  it('follows fields, indexes, slices and wildcards', () => {
    assert.deepEqual(find('.spec.replicas'), [3]);
    assert.deepEqual(find('{.spec.replicas}'), [3]);
    assert.deepEqual(find('$.spec.replicas'), [3]);
    assert.deepEqual(find('.spec.containers[1].image'), ['y:2']);
    assert.deepEqual(find('.spec.containers[-1].name'), ['b']);
    assert.deepEqual(find('.spec.containers[*].name'), ['a', 'b']);
    assert.deepEqual(find('.spec.containers[0:1].name'), ['a']);
    assert.deepEqual(find('.metadata.labels.*').sort(), ['front', 'web']);
    assert.deepEqual(find('.spec.missing'), []);
    assert.deepEqual(find('.spec.replicas.deeper'), []);
  });

  it('reads keys with dots, escaped or bracketed', () => {
    assert.deepEqual(find('.metadata.labels.app\\.kubernetes\\.io/name'), ['web']);
    assert.deepEqual(find(".metadata.labels['app.kubernetes.io/name']"), ['web']);
  });

  it('filters list items', () => {
    assert.deepEqual(find('.status.conditions[?(@.type=="Ready")].status'), ['False']);
    assert.deepEqual(find(".status.conditions[?(@.type == 'Progressing')].status"), ['True']);
    assert.deepEqual(find('.status.conditions[?(@.type!="Ready")].type'), ['Progressing']);
    assert.deepEqual(find('.status.conditions[?(@.count>1)].type'), ['Ready']);
    assert.deepEqual(find('.status.conditions[?(@.count)].type'), ['Ready']);
  });

  it('descends recursively', () => {
    assert.deepEqual(find('..image'), ['x:1', 'y:2']);
  });

  it('refuses what it cannot parse', () => {
    assert.throws(() => parseJsonPath('.spec[abc'));
    assert.throws(() => parseJsonPath('.spec..'));
    assert.throws(() => parseJsonPath('spec'));
    assert.throws(() => parseJsonPath('.a[?(@.x ~ 1)]'));
  });
});

describe('dot paths', () => {
  it('reads and writes, creating intermediate objects', () => {
    const obj: Record<string, unknown> = { spec: {} };
    setDotPath(obj, '.spec.scale.replicas', 4);
    assert.equal(getDotPath(obj, '.spec.scale.replicas'), 4);
    assert.equal(getDotPath(obj, '.status.replicas'), undefined);
    setDotPath(obj, '.spec[0]', 1);
    assert.deepEqual(obj, { spec: { scale: { replicas: 4 } } });
  });
});
