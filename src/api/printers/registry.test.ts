import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../resources.ts';
import { apiVersionOf, type KubeObject } from '../types.ts';
import { customResourceDefaultPrinter, defaultPrinter, hasPrinter, humanDuration, printerFor } from './index.ts';
import { NOW, obj, row } from './test-helpers.ts';

// Kinds upstream serves with the apiserver's default table.
const DEFAULT_TABLE_KINDS = new Set(['Binding', 'LimitRange', 'Role', 'ClusterRole']);

/** Objects of every shape a store could hand over: empty, mistyped, nulls everywhere. */
function oddObjects(apiVersion: string, kind: string): KubeObject[] {
  const nulls = { spec: null, status: null, data: null, subsets: null, template: null, involvedObject: null, roleRef: null, subjects: null };
  return [
    { apiVersion, kind, metadata: {} },
    { apiVersion, kind, metadata: { name: 'x', creationTimestamp: 'garbage', labels: 'nope' as unknown as Record<string, string> }, ...nulls },
    {
      apiVersion, kind, metadata: { name: 'y', deletionTimestamp: '2025-01-01T00:00:00Z', ownerReferences: [null as never] },
      spec: { containers: 'no', template: { spec: { containers: [null, 1] } }, selector: { matchExpressions: [null, { operator: 'In' }] }, ports: [1, null], rules: 'x', metrics: [{}, null] },
      status: { conditions: [null, 'x'], containerStatuses: {}, hard: { cpu: {} }, loadBalancer: { ingress: [null] }, currentMetrics: 'x' },
      subsets: [{ addresses: null, ports: [{ port: 'eighty' }] }], endpoints: [{ addresses: [1] }], series: { count: 'many' },
    },
    { apiVersion, kind, metadata: null as never },
  ];
}

describe('printerFor', () => {
  for (const r of BUILTIN_RESOURCES) {
    const apiVersion = apiVersionOf(r.group, r.version);
    it(`${r.kind}.${r.group || 'core'} ${r.version}`, () => {
      const p = printerFor(r.group, r.kind);
      assert.equal(hasPrinter(r.group, r.kind), !DEFAULT_TABLE_KINDS.has(r.kind));
      if (r.kind === 'Event') {
        assert.equal(p.columns[0]?.name, 'Last Seen');
      } else {
        assert.deepEqual([p.columns[0]?.name, p.columns[0]?.format], ['Name', 'name']);
      }
      assert.equal(p.columns.filter((c) => c.format === 'name').length, 1);
      for (const c of p.columns) {
        assert.ok(c.priority === 0 || c.priority === 1, `${c.name} priority`);
        assert.ok(['string', 'integer', 'number', 'boolean', 'date'].includes(c.type), `${c.name} type`);
        assert.ok(c.description.length > 0, `${c.name} description`);
      }
      for (const o of oddObjects(apiVersion, r.kind)) {
        const cells = p.cells(o, NOW);
        assert.equal(cells.length, p.columns.length);
        for (const cell of cells) assert.ok(['string', 'number', 'boolean'].includes(typeof cell), `cell ${String(cell)}`);
      }
    });
  }

  it('serves kinds without a printer with NAME and CREATED AT', () => {
    for (const [group, kind] of [['rbac.authorization.k8s.io', 'Role'], ['', 'LimitRange'], ['example.com', 'Widget']] as const) {
      assert.equal(printerFor(group, kind), defaultPrinter);
    }
    const r = row(defaultPrinter, obj('rbac.authorization.k8s.io/v1', 'Role', 'reader', {}, { creationTimestamp: '2025-04-30T09:15:00Z' }));
    assert.deepEqual(r, { Name: 'reader', 'Created At': '2025-04-30T09:15:00Z' });
    assert.equal(defaultPrinter.columns[1]?.type, 'date');
  });

  it('offers NAME and AGE for custom resources without printer columns', () => {
    const r = row(customResourceDefaultPrinter, obj('example.com/v1', 'Widget', 'w', {}));
    assert.deepEqual(r, { Name: 'w', Age: '5m' });
  });

  it('exports humanDuration', () => {
    assert.equal(humanDuration(3 * 60_000 + 20_000), '3m20s');
  });
});
