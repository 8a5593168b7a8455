// Seeded fuzzing of the field manager: random configurations (some of them malformed) applied and
// random updates made by several managers. Applies either succeed or fail with a 400 or 409
// StatusError, never anything else; results are plain JSON whose managedFields decode; a manager
// re-applying what it applied changes nothing; what an applier set is in the result; updates
// never throw.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { StatusError } from '../status-error.ts';
import { applyToObject, updateManagedFields, withoutManagedFields, type FieldManagerContext } from './field-manager.ts';
import { decodeManagedFields } from './managed-fields.ts';
import { widgetType } from './testdata.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MANAGERS = ['kubectl', 'alice', 'bob', 'ctrl'];
const T = widgetType();

class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** A scalar, or now and then something of the wrong shape. */
  scalar(): JsonValue {
    if (this.chance(0.05)) return this.pick<JsonValue>([null, { x: 1 }, [1, 2], true]);
    return this.chance(0.5) ? this.pick(['a', 'b', 'c', '<&>']) : this.int(5);
  }
  stringMap(): JsonObject {
    const out: JsonObject = {};
    for (let i = this.int(4); i > 0; i--) out[this.pick(['a', 'b', 'c', 'd'])] = this.chance(0.9) ? this.pick(['1', '2']) : this.scalar();
    return out;
  }
  list<T>(item: () => T): T[] {
    return Array.from({ length: this.int(4) }, item);
  }
  container(): JsonObject {
    const c: JsonObject = {};
    if (this.chance(0.95)) c['name'] = this.pick(['web', 'side', 'init']);
    if (this.chance(0.7)) c['image'] = this.pick(['nginx:1', 'nginx:2', 'busybox']);
    if (this.chance(0.4)) c['env'] = this.list(() => ({ name: this.pick(['A', 'B', 'C']), value: this.pick(['1', '2']) }));
    if (this.chance(0.2)) c['resources'] = this.chance(0.5) ? {} : { limits: this.stringMap() };
    return c;
  }
  config(): JsonObject {
    const spec: JsonObject = {};
    const meta: JsonObject = { name: 'w' };
    if (this.chance(0.5)) meta['labels'] = this.stringMap();
    if (this.chance(0.2)) meta['finalizers'] = this.list(() => this.pick(['x', 'y', 'z']));
    if (this.chance(0.6)) spec['replicas'] = this.chance(0.95) ? this.int(5) : this.scalar();
    if (this.chance(0.3)) spec['paused'] = this.chance(0.5);
    if (this.chance(0.6)) spec['containers'] = this.list(() => this.container());
    if (this.chance(0.3)) spec['ports'] = this.list(() => (this.chance(0.5) ? { port: this.pick([80, 443]) } : { port: this.pick([80, 443]), protocol: this.pick(['TCP', 'UDP']) }));
    if (this.chance(0.3)) spec['tags'] = this.list(() => this.pick(['t1', 't2', 't3']));
    if (this.chance(0.3)) spec['args'] = this.list(() => this.pick(['-v', '-q']));
    if (this.chance(0.2)) spec['selector'] = { matchLabels: this.stringMap() };
    if (this.chance(0.2)) spec['template'] = { labels: this.stringMap(), rollout: { maxSurge: this.pick(['1', '25%']) } };
    if (this.chance(0.1)) spec['extra'] = { deep: { er: this.list(() => this.scalar()) } };
    if (this.chance(0.03)) spec['unknown'] = 1;
    const obj: JsonObject = { apiVersion: 'test/v1', kind: 'Widget', metadata: meta, spec };
    if (this.chance(0.1)) obj['status'] = { phase: this.pick(['Running', 'Failed']) };
    return obj;
  }
}

let tick = 0;
function ctx(manager: string): FieldManagerContext {
  tick++;
  return { type: T, now: new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), manager, apiVersion: 'test/v1', subresource: '' };
}

/** Scalar leaves of a configuration that an apply must have written (not null, not under atomic or free-form values). */
function expectWritten(config: JsonObject, result: JsonObject): void {
  const labels = (config['metadata'] as JsonObject)['labels'];
  if (isJsonObject(labels)) {
    const got = ((result['metadata'] as JsonObject)['labels'] ?? {}) as JsonObject;
    for (const [k, v] of Object.entries(labels)) if (v !== null) assert.deepEqual(got[k], v, `label ${k}`);
  }
  const spec = config['spec'] as JsonObject;
  const out = (result['spec'] ?? {}) as JsonObject;
  // (Nulls inside applied values mean "no such key" and are dropped: compare only null-free ones.)
  for (const key of ['replicas', 'paused', 'args', 'selector']) if (spec[key] !== undefined && !JSON.stringify(spec[key]).includes('null')) assert.deepEqual(out[key], spec[key], `spec.${key}`);
}

describe('field manager fuzz', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`seed ${seed}: 150 random applies and updates by four managers`, () => {
      const g = new Gen(seed);
      let live: JsonObject | undefined;
      let outcomes = { ok: 0, badRequest: 0, conflict: 0 };
      for (let step = 0; step < 150; step++) {
        const manager = g.pick(MANAGERS);
        if (live && g.chance(0.25)) {
          // An update: some fields change, maybe with garbage managedFields sent along.
          const next = structuredClone(live);
          const spec = (next['spec'] ??= {}) as JsonObject;
          if (g.chance(0.5)) spec['replicas'] = g.int(9);
          if (g.chance(0.3)) delete spec['containers'];
          // Stored data need not fit the schema (written before it changed, or by a bug): items
          // without keys, duplicates, wrong shapes.
          if (g.chance(0.1)) spec['containers'] = g.pick<JsonValue>(['oops', 5, [{ image: 'x' }], [{ name: 'web' }, { name: 'web', image: 'dup' }], [null]]);
          if (g.chance(0.05)) spec['tags'] = g.pick<JsonValue>([[{ a: 1 }], [['x']], { t: 1 }]);
          if (g.chance(0.3)) (next['metadata'] as JsonObject)['labels'] = g.stringMap();
          if (g.chance(0.1)) (next['metadata'] as JsonObject)['managedFields'] = g.pick<JsonValue>([[], [{}], [{ manager: 'x', operation: 'Nope' }], 'junk', [{ manager: 'x', operation: 'Update', apiVersion: 'test/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]]);
          const managed = updateManagedFields(live, next, ctx(manager));
          if (managed === undefined) delete (next['metadata'] as JsonObject)['managedFields'];
          else (next['metadata'] as JsonObject)['managedFields'] = managed as JsonValue;
          decodeManagedFields(managed);
          live = JSON.parse(JSON.stringify(next)) as JsonObject;
          continue;
        }
        const config = g.config();
        const force = g.chance(0.3);
        let result: JsonObject;
        try {
          result = applyToObject(live, structuredClone(config), force, ctx(manager), { namespace: 'ns', name: 'w', kind: 'Widget' });
        } catch (err) {
          assert.ok(err instanceof StatusError, `only StatusErrors escape: ${String(err)}`);
          assert.ok(err.status.code === 400 || err.status.code === 409, `status ${err.status.code}: ${err.status.message}`);
          if (err.status.code === 409) {
            assert.ok(!force, 'a forced apply never conflicts');
            assert.ok((err.status.details?.causes?.length ?? 0) > 0);
            outcomes.conflict++;
          } else outcomes.badRequest++;
          continue;
        }
        outcomes.ok++;
        assert.ok(jsonEqual(JSON.parse(JSON.stringify(result)), result), 'the result is plain JSON');
        const managers = decodeManagedFields((result['metadata'] as JsonObject)['managedFields']);
        for (const entry of managers.values()) assert.ok(!entry.set.isEmpty());
        expectWritten(config, result);
        // Applying the same configuration again changes nothing.
        const again = applyToObject(result, structuredClone(config), false, ctx(manager), { namespace: 'ns', name: 'w', kind: 'Widget' });
        assert.deepEqual(withoutManagedFields(again), withoutManagedFields(result), 're-applying is a no-op');
        live = result;
      }
      assert.ok(outcomes.ok > 20, `enough applies succeeded: ${JSON.stringify(outcomes)}`);
      assert.ok(outcomes.conflict > 0 && outcomes.badRequest > 0, `conflicts and bad configurations were met: ${JSON.stringify(outcomes)}`);
    });
  }
});
