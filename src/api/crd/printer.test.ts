import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.ts';
import { crdPrinter } from './printer.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');

const obj: KubeObject = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', creationTimestamp: '2026-01-01T00:55:00Z' },
  spec: { replicas: 3.7, ratio: 0.5, enabled: true, color: 'red', tags: ['a', 'b'], started: '2026-01-01T00:59:30Z', bad: 'yesterday' },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};

describe('crdPrinter', () => {
  it('prints NAME and AGE when the CRD has no columns', () => {
    const p = crdPrinter(undefined);
    assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Age', 'date', '']]);
    assert.deepEqual(p.cells(obj, NOW), ['w1', '5m']);
  });

  it('prints each column by type, null when the path finds nothing', () => {
    const p = crdPrinter([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
      { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
      { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1, description: 'the colour' },
      { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Started', type: 'date', jsonPath: '.spec.started' },
      { name: 'Bad', type: 'date', jsonPath: '.spec.bad' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Mistyped', type: 'integer', jsonPath: '.spec.color' },
    ]);
    assert.equal(p.columns.length, 11);
    assert.deepEqual(p.columns[4], { name: 'Color', type: 'string', format: '', description: 'the colour', priority: 1 });
    assert.equal(p.columns[1]?.description, 'Custom resource definition column (in JSONPath format): .spec.replicas');
    assert.deepEqual(p.cells(obj, NOW), ['w1', 3, 0.5, true, 'red', '["a","b"]', 'True', '30s', '<invalid>', null, null]);
  });

  it('never throws on odd objects', () => {
    const p = crdPrinter([{ name: 'X', type: 'string', jsonPath: '.spec.x' }]);
    assert.deepEqual(p.cells({ apiVersion: 'v1', kind: 'X', metadata: null as never }, NOW), ['', null]);
  });
});
