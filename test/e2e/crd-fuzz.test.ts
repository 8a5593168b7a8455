// Fuzz of the CRD paths through the HTTP API of a real `strata server`: random structural
// schemas (types, nesting, maps, list types, int-or-string, preserve-unknown, embedded
// resources, enums, bounds, patterns, defaults, CEL rules; some deliberately broken) and random
// objects for them (mostly valid, then mutated), written with POST, PUT, merge and JSON patches
// and status writes. Checked: never a 5xx, the server stays up, and a rejected write leaves no
// trace (no object after a failed create, the same resourceVersion after a failed update).
// Seeded (STRATA_FUZZ_SEED) and bounded in count and time.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyz, requestJson, startStrata, type JsonResponse } from './harness.ts';
import { seededRandom } from './prng.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;
type Json = any;

const SEED = Number(process.env['STRATA_FUZZ_SEED'] ?? 20261124);
const CRDS = Number(process.env['STRATA_FUZZ_CRDS'] ?? 40);
const OBJECTS_PER_CRD = 16;
const UPDATES_PER_OBJECT = 3;
const BUDGET_MS = 100_000;


class Gen {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
  word(): string {
    return this.pick(['alpha', 'beta', 'gamma', 'delta', 'size', 'mode', 'count', 'items', 'name', 'port', 'label', 'ratio', 'flag', 'kind', 'spec', 'x']) + (this.chance(0.3) ? String(this.int(0, 9)) : '');
  }
}

const PATTERNS = ['^[a-z]+$', '^[a-z0-9-]{1,20}$', '^v[0-9]+$', '^(on|off)$'];
const FORMATS = ['date-time', 'int32', 'uuid', 'ipv4', 'byte', 'whatever'];
const WEIRD_KEYS = ['__proto__', 'constructor', 'toString', 'ünï', '', 'a.b', 'a/b', '$ref', ' '];

// ---- schemas ----

function schemaFor(g: Gen, depth: number): Json {
  const kind = depth >= 3 ? g.pick(['string', 'integer', 'number', 'boolean']) : g.pick(['object', 'object', 'array', 'map', 'string', 'integer', 'number', 'boolean', 'intorstring', 'preserve']);
  let s: Json;
  switch (kind) {
    case 'object': {
      const properties: Json = {};
      for (let i = g.int(1, 4); i > 0; i--) properties[g.word()] = schemaFor(g, depth + 1);
      s = { type: 'object', properties };
      const names = Object.keys(properties);
      if (g.chance(0.3)) s.required = [g.pick(names)];
      if (g.chance(0.15)) s['x-kubernetes-preserve-unknown-fields'] = true;
      if (g.chance(0.35)) s['x-kubernetes-validations'] = [celRule(g, properties)];
      if (g.chance(0.08)) s = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };
      if (!s.required && g.chance(0.15)) s.default = {};
      break;
    }
    case 'map':
      s = { type: 'object', additionalProperties: schemaFor(g, depth + 1) };
      if (g.chance(0.3)) s.maxProperties = g.int(1, 4);
      break;
    case 'array': {
      const list = g.pick(['atomic', 'set', 'map', undefined]);
      if (list === 'map') {
        s = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: schemaFor(g, depth + 1) } } };
      } else if (list === 'set') {
        s = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: g.pick(['string', 'integer']) } };
      } else {
        s = { type: 'array', items: schemaFor(g, depth + 1) };
        if (list) s['x-kubernetes-list-type'] = list;
      }
      if (g.chance(0.3)) s.maxItems = g.int(0, 5);
      if (g.chance(0.2)) s.minItems = g.int(0, 2);
      break;
    }
    case 'string':
      s = { type: 'string' };
      if (g.chance(0.25)) s.enum = ['red', 'green', 'blue'];
      else if (g.chance(0.25)) s.pattern = g.pick(PATTERNS);
      else if (g.chance(0.2)) s.format = g.pick(FORMATS);
      if (g.chance(0.2)) s.maxLength = g.int(1, 12);
      if (g.chance(0.15)) s.default = valueFor(g, s, depth);
      break;
    case 'integer':
    case 'number':
      s = { type: kind };
      if (g.chance(0.3)) s.minimum = g.int(-5, 5);
      if (g.chance(0.3)) s.maximum = g.int(6, 100);
      if (g.chance(0.15)) s.exclusiveMaximum = true;
      if (g.chance(0.1) && kind === 'number') s.multipleOf = 0.5;
      if (g.chance(0.2)) s.default = valueFor(g, s, depth);
      break;
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'intorstring':
      s = { 'x-kubernetes-int-or-string': true };
      if (g.chance(0.5)) s.anyOf = [{ type: 'integer' }, { type: 'string' }];
      break;
    default:
      s = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (g.chance(0.1)) s.nullable = true;
  if (g.chance(0.05)) s.description = 'fuzzed';
  return s;
}

function celRule(g: Gen, properties: Json): Json {
  const name = g.pick(Object.keys(properties));
  const t = properties[name]?.type;
  const f = `self.${name}`;
  const rules: string[] = [`!has(${f}) || ${f} == ${f}`, `size(self) >= 0`];
  if (t === 'string') rules.push(`!has(${f}) || ${f}.size() < 8`, `!has(${f}) || !${f}.startsWith('zz')`);
  if (t === 'integer') rules.push(`!has(${f}) || ${f} < 50`, `!has(${f}) || !has(oldSelf.${name}) || ${f} >= oldSelf.${name}`);
  if (t === 'array') rules.push(`!has(${f}) || ${f}.size() <= 3`);
  if (t === 'boolean') rules.push(`!has(${f}) || ${f} || true`);
  rules.push(`${f} > 1`); // may fail to evaluate: a runtime error, still a 422
  const rule: Json = { rule: g.pick(rules) };
  if (g.chance(0.5)) rule.message = `rule on ${name} failed`;
  if (g.chance(0.2)) rule.messageExpression = `'bad ' + '${name}'`;
  if (g.chance(0.2)) rule.reason = g.pick(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate']);
  return rule;
}

/** Sometimes break the schema: the CRD must then be refused with a 4xx. */
function breakSchema(g: Gen, schema: Json): void {
  const spec = schema.properties.spec;
  switch (g.int(0, 7)) {
    case 0: spec.properties = { ...(spec.properties ?? {}), untyped: { minimum: 1 } }; break;
    case 1: spec.properties = { ...(spec.properties ?? {}), ref: { $ref: '#/definitions/x' } }; break;
    case 2: spec.additionalProperties = { type: 'string' }; spec.properties ??= { a: { type: 'string' } }; break;
    case 3: spec['x-kubernetes-validations'] = [{ rule: 'self.>' }]; break;
    case 4: spec.properties = { ...(spec.properties ?? {}), p: { type: 'string', pattern: '([' } }; break;
    case 5: spec.properties = { ...(spec.properties ?? {}), d: { type: 'integer', default: 'seven' } }; break;
    case 6: spec.properties = { ...(spec.properties ?? {}), u: { type: 'array', items: { type: 'string' }, uniqueItems: true } }; break;
    default: spec.type = 'wobble';
  }
}

// ---- values ----

function valueFor(g: Gen, s: Json | undefined, depth: number): Json {
  if (!s) return g.int(0, 3);
  if (s.nullable && g.chance(0.05)) return null;
  if (s['x-kubernetes-int-or-string']) return g.chance(0.5) ? g.int(0, 100) : 'p' + g.int(0, 9);
  if (s['x-kubernetes-embedded-resource']) return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  switch (s.type) {
    case 'object': {
      const out: Json = {};
      if (s.properties) for (const [k, sub] of Object.entries(s.properties)) if (g.chance(0.8) || s.required?.includes(k)) out[k] = valueFor(g, sub, depth + 1);
      if (s.additionalProperties) for (let i = g.int(0, 3); i > 0; i--) out[g.word()] = valueFor(g, s.additionalProperties, depth + 1);
      if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) out[g.word()] = g.chance(0.5) ? { nested: [1, 'two'] } : g.int(0, 5);
      return out;
    }
    case 'array': {
      const n = g.int(0, Math.min(s.maxItems ?? 4, 4));
      const out: Json[] = [];
      for (let i = 0; i < n; i++) {
        const v = valueFor(g, s.items, depth + 1);
        if (s['x-kubernetes-list-type'] === 'map') v.name = `n${i}`;
        if (s['x-kubernetes-list-type'] === 'set') out.push(typeof v === 'string' ? `${v}${i}` : i);
        else out.push(v);
      }
      return out;
    }
    case 'string':
      if (s.enum) return g.pick(s.enum);
      if (s.pattern === '^v[0-9]+$') return `v${g.int(0, 99)}`;
      if (s.pattern === '^(on|off)$') return g.pick(['on', 'off']);
      if (s.format === 'date-time') return '2026-01-02T03:04:05Z';
      if (s.format === 'uuid') return '123e4567-e89b-12d3-a456-426614174000';
      if (s.format === 'ipv4') return '10.0.0.1';
      if (s.format === 'byte') return 'aGVsbG8=';
      return 'abc'.slice(0, s.maxLength ?? 3);
    case 'integer':
      return g.int(Math.max(s.minimum ?? 0, 0), Math.min((s.maximum ?? 40) - 1, 40));
    case 'number':
      return g.int(Math.max(s.minimum ?? 0, 0), Math.min((s.maximum ?? 40) - 1, 40)) + (g.chance(0.5) ? 0.5 : 0);
    case 'boolean':
      return g.chance(0.5);
    default:
      return { any: g.int(0, 9) };
  }
}

/** Random damage to a value: wrong types, unknown and odd keys, nulls, huge or deep values. */
function mutate(g: Gen, v: Json, depth = 0): Json {
  if (depth > 6) return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && g.chance(0.6)) {
    const keys = Object.keys(v);
    if (keys.length && g.chance(0.6)) {
      const k = g.pick(keys);
      v[k] = mutate(g, v[k], depth + 1);
      return v;
    }
  }
  if (Array.isArray(v) && v.length && g.chance(0.5)) {
    const i = g.int(0, v.length - 1);
    v[i] = mutate(g, v[i], depth + 1);
    return v;
  }
  switch (g.int(0, 11)) {
    case 0: return 'not-' + String(typeof v);
    case 1: return g.int(-1e6, 1e6);
    case 2: return 1.5e300;
    case 3: return null;
    case 4: return [v, v];
    case 5: return { wrapped: v };
    case 6: return true;
    case 7: return 'x'.repeat(g.int(10, 3000));
    case 8: {
      let deep: Json = 1;
      for (let i = 0; i < g.int(10, 120); i++) deep = { d: deep };
      return deep;
    }
    case 9:
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        v[g.pick(WEIRD_KEYS)] = g.int(0, 3);
        return v;
      }
      return v;
    case 10: return -0.000001;
    default: return Array.from({ length: g.int(5, 40) }, (_, i) => i);
  }
}

// ---- the test ----

describe('CRD fuzz', { timeout: BUDGET_MS + 120_000 }, () => {
  let s: Strata;
  const deadline = Date.now() + BUDGET_MS;
  const stats = { crds: 0, crdsRefused: 0, writes: 0, refused: 0 };

  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  const noServerError = (what: string, r: JsonResponse, body?: unknown): void => {
    assert.ok(r.status > 0 && r.status < 500, `seed ${SEED}: ${what} answered ${r.status}: ${r.raw.slice(0, 500)}\nbody: ${JSON.stringify(body)?.slice(0, 2000)}`);
  };

  test(`random schemas and objects (seed ${SEED})`, async (t) => {
    const g = new Gen(SEED);
    for (let c = 0; c < CRDS && Date.now() < deadline; c++) {
      const group = `f${c}.fuzz.example.com`;
      const schema: Json = { type: 'object', properties: { spec: schemaFor(g, 0), status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
      if (schema.properties.spec.type !== 'object' || !schema.properties.spec.properties) schema.properties.spec = { type: 'object', properties: { inner: schema.properties.spec } };
      if (g.chance(0.3)) schema['x-kubernetes-validations'] = [{ rule: "!self.metadata.name.startsWith('zz')", message: 'no zz names' }];
      const broken = g.chance(0.2);
      if (broken) breakSchema(g, schema);
      const scope = g.pick(['Namespaced', 'Cluster']);
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `things.${group}` },
        spec: {
          group,
          scope,
          names: { plural: 'things', kind: 'Thing' },
          versions: [
            { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: g.chance(0.5) ? { status: {} } : undefined,
              additionalPrinterColumns: g.chance(0.5) ? [{ name: 'Any', type: g.pick(['string', 'integer', 'date', 'boolean', 'number']), jsonPath: `.spec.${Object.keys(schema.properties.spec.properties ?? { x: 1 })[0]}` }] : undefined },
            ...(g.chance(0.3) ? [{ name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: schema } }] : []),
          ],
        },
      };
      const created = await requestJson(s, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      noServerError('CRD create', created, crd);
      stats.crds++;
      if (created.status !== 201) {
        stats.crdsRefused++;
        assert.ok(broken, `seed ${SEED}: a CRD generated as valid was refused: ${created.raw.slice(0, 1000)}\n${JSON.stringify(schema)}`);
        continue;
      }
      // Served within a second (a loaded shared machine gets some slack).
      const t0 = Date.now();
      for (;;) {
        const d = await requestJson(s, 'GET', `/apis/${group}/v1`);
        if (d.status === 200) break;
        assert.ok(Date.now() - t0 < 3000, `seed ${SEED}: ${group} not served after ${Date.now() - t0} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }

      const base = scope === 'Namespaced' ? `/apis/${group}/v1/namespaces/default/things` : `/apis/${group}/v1/things`;
      for (let o = 0; o < OBJECTS_PER_CRD && Date.now() < deadline; o++) {
        const name = `t${o}`;
        const obj: Json = { apiVersion: `${group}/v1`, kind: 'Thing', metadata: { name, labels: { n: String(o % 3) } }, spec: valueFor(g, schema.properties.spec, 0) };
        if (g.chance(0.5)) obj.spec = mutate(g, obj.spec);
        // Damage metadata but keep the name, which the checks below look the object up by.
        if (g.chance(0.1)) obj.metadata.labels = mutate(g, obj.metadata.labels);
        if (g.chance(0.05)) obj.metadata[g.pick(WEIRD_KEYS)] = mutate(g, { a: 1 });
        const fv = g.pick(['Strict', 'Warn', 'Ignore']);
        const r = await requestJson(s, 'POST', `${base}?fieldValidation=${fv}`, obj);
        noServerError('create', r, obj);
        stats.writes++;
        const got = await requestJson(s, 'GET', `${base}/${encodeURIComponent(name)}`);
        noServerError('get', got);
        if (r.status !== 201) {
          stats.refused++;
          assert.equal(got.status, 404, `seed ${SEED}: a refused create (${r.status}) left ${name} behind: ${got.raw.slice(0, 300)}`);
          continue;
        }
        assert.equal(got.status, 200, `seed ${SEED}: ${name} was created but cannot be read: ${got.raw.slice(0, 300)}`);
        for (let u = 0; u < UPDATES_PER_OBJECT; u++) {
          const current = (await requestJson(s, 'GET', `${base}/${name}`)).body;
          const rv = current.metadata.resourceVersion;
          let res: JsonResponse;
          let sent: unknown;
          switch (g.int(0, 4)) {
            case 0: {
              const next = structuredClone(current);
              next.spec = mutate(g, g.chance(0.5) ? valueFor(g, schema.properties.spec, 0) : next.spec);
              sent = next;
              res = await requestJson(s, 'PUT', `${base}/${name}`, next);
              break;
            }
            case 1:
              sent = { spec: mutate(g, valueFor(g, schema.properties.spec, 0)) };
              res = await requestJson(s, 'PATCH', `${base}/${name}`, sent, { 'content-type': 'application/merge-patch+json' });
              break;
            case 2:
              sent = [{ op: g.pick(['add', 'replace', 'remove']), path: `/spec/${g.word()}`, value: mutate(g, 1) }];
              res = await requestJson(s, 'PATCH', `${base}/${name}`, sent, { 'content-type': 'application/json-patch+json' });
              break;
            case 3:
              sent = { status: mutate(g, { phase: 'x', n: 1 }) };
              res = await requestJson(s, 'PATCH', `${base}/${name}/status`, sent, { 'content-type': 'application/merge-patch+json' });
              break;
            default:
              sent = g.pick(['{', '[]', 'null', '{"spec":', JSON.stringify({ ...current, kind: 'Other' }), JSON.stringify({ ...current, apiVersion: 'x/v9' })]);
              res = await requestJson(s, 'PUT', `${base}/${name}`, sent as string);
          }
          noServerError('update', res, sent);
          stats.writes++;
          if (res.status >= 300) {
            stats.refused++;
            const after = await requestJson(s, 'GET', `${base}/${name}`);
            assert.equal(after.body?.metadata?.resourceVersion, rv, `seed ${SEED}: a refused update (${res.status}) changed ${name}`);
          }
        }
      }
      for (const q of ['labelSelector=n%3D1', 'fieldSelector=metadata.name%3Dt1', 'limit=2', 'fieldSelector=spec.nope%3D1']) {
        noServerError(`list ${q}`, await requestJson(s, 'GET', `${base}?${q}`));
      }
      noServerError('table', await requestJson(s, 'GET', base, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }));
      noServerError('openapi', await requestJson(s, 'GET', `/openapi/v3/apis/${group}/v1`));

      // Deleting the CRD deletes its objects.
      noServerError('CRD delete', await requestJson(s, 'DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.${group}`));
      const t1 = Date.now();
      for (;;) {
        const g2 = await requestJson(s, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.${group}`);
        if (g2.status === 404) break;
        assert.ok(Date.now() - t1 < 10_000, `seed ${SEED}: CRD things.${group} not gone: ${g2.raw.slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The objects went before the CRD did; the kind stops being served right after.
      for (let t = 0; (await requestJson(s, 'GET', base)).status !== 404; t++) {
        assert.ok(t < 100, `seed ${SEED}: ${base} still served after its CRD was deleted`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    t.diagnostic(`seed ${SEED}: ${JSON.stringify(stats)}`);
    assert.ok(stats.crds >= 5 && stats.writes >= 50, `too little was exercised: ${JSON.stringify(stats)}`);
    assert.ok(stats.refused > 0 && stats.refused < stats.writes, `both outcomes should occur: ${JSON.stringify(stats)}`);
    assert.equal((await readyz(s)).status, 200);
    assert.equal(s.child?.exitCode, null, 'the server exited');
  });

  test('malformed CRDs are refused, never a server error', async () => {
    const g = new Gen(SEED + 1);
    const base = (): Json => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ms.m.example.com' }, spec: { group: 'm.example.com', scope: 'Namespaced', names: { plural: 'ms', kind: 'M' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } });
    for (let i = 0; i < 120; i++) {
      const crd = base();
      crd.spec = mutate(g, crd.spec);
      if (crd.spec !== null && typeof crd.spec === 'object' && !Array.isArray(crd.spec) && g.chance(0.3)) crd.spec.versions = mutate(g, crd.spec.versions);
      const r = await requestJson(s, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      noServerError('malformed CRD', r, crd);
      if (r.status === 201) {
        noServerError('cleanup', await requestJson(s, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ms.m.example.com'));
        for (let t = 0; t < 200 && (await requestJson(s, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ms.m.example.com')).status !== 404; t++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
    assert.equal((await readyz(s)).status, 200);
    assert.equal(s.child?.exitCode, null, 'the server exited');
  });
});
