// Optimistic concurrency under load: 50 clients race read-modify-write increments of one counter
// in one ConfigMap, each PUT pinned to the resourceVersion it read. Losers must get 409 Conflict
// Statuses and retry; no increment may be lost or applied twice, and every successful write must
// get a strictly larger resourceVersion than the one before it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { requestJson, startStrata, type StrataProcess } from './harness.ts';

const CLIENTS = 50;
const INCREMENTS_PER_CLIENT = 3;
const MAX_ATTEMPTS_PER_CLIENT = 400;
const PATH = '/api/v1/namespaces/default/configmaps';

let proc: StrataProcess & { cleanup(): Promise<void> };

before(async () => {
  proc = await startStrata();
});

after(async () => {
  await proc?.cleanup();
});

interface Write {
  value: number;
  resourceVersion: number;
  client: number;
}

interface ClientResult {
  writes: Write[];
  conflicts: number;
  attempts: number;
  otherErrors: string[];
}

async function runClient(client: number): Promise<ClientResult> {
  const result: ClientResult = { writes: [], conflicts: 0, attempts: 0, otherErrors: [] };
  while (result.writes.length < INCREMENTS_PER_CLIENT && result.attempts < MAX_ATTEMPTS_PER_CLIENT) {
    result.attempts++;
    const got = await requestJson(proc, 'GET', `${PATH}/counter`);
    if (got.status !== 200) {
      result.otherErrors.push(`GET ${got.status}: ${got.raw}`);
      continue;
    }
    const cm = got.body;
    const value = Number(cm.data.value) + 1;
    cm.data.value = String(value);
    const put = await requestJson(proc, 'PUT', `${PATH}/counter`, cm);
    if (put.status === 200) {
      assert.equal(put.body.data.value, String(value));
      result.writes.push({ value, resourceVersion: Number(put.body.metadata.resourceVersion), client });
      continue;
    }
    if (put.status === 409) {
      assert.equal(put.body?.kind, 'Status', `409 without a Status body: ${put.raw}`);
      assert.equal(put.body.status, 'Failure');
      assert.equal(put.body.reason, 'Conflict');
      assert.equal(put.body.code, 409);
      assert.equal(put.body.details?.name, 'counter');
      assert.equal(put.body.details?.kind, 'configmaps');
      result.conflicts++;
      // A little jitter keeps the retry storm from synchronising.
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      continue;
    }
    result.otherErrors.push(`PUT ${put.status}: ${put.raw}`);
  }
  return result;
}

test('50 clients incrementing one ConfigMap with resourceVersion preconditions lose no update', async () => {
  const created = await requestJson(proc, 'POST', PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { value: '0' } });
  assert.equal(created.status, 201, created.raw);
  const initialRv = Number(created.body.metadata.resourceVersion);

  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(i)));

  const errors = results.flatMap((r) => r.otherErrors);
  assert.deepEqual(errors, [], 'only 200 and 409 answers are expected');
  const writes = results.flatMap((r) => r.writes);
  const totalConflicts = results.reduce((n, r) => n + r.conflicts, 0);
  const starved = results.filter((r) => r.writes.length < INCREMENTS_PER_CLIENT).length;

  const final = await requestJson(proc, 'GET', `${PATH}/counter`);
  assert.equal(final.status, 200);
  assert.equal(Number(final.body.data.value), writes.length, 'final counter equals the number of successful writes');
  assert.equal(starved, 0, `every client finishes its ${INCREMENTS_PER_CLIENT} increments within ${MAX_ATTEMPTS_PER_CLIENT} attempts`);
  assert.equal(writes.length, CLIENTS * INCREMENTS_PER_CLIENT);
  assert.ok(totalConflicts > 0, 'with 50 racing clients some writes must lose with 409 Conflict');

  // Each counter value was written exactly once: no lost update, no double apply.
  const byValue = [...writes].sort((a, b) => a.value - b.value);
  assert.deepEqual(
    byValue.map((w) => w.value),
    Array.from({ length: writes.length }, (_, i) => i + 1),
  );
  // In the order the values were written, resourceVersions strictly increase.
  let previous = initialRv;
  for (const w of byValue) {
    assert.ok(w.resourceVersion > previous, `write of value ${w.value} got resourceVersion ${w.resourceVersion}, not above ${previous}`);
    previous = w.resourceVersion;
  }
  assert.equal(Number(final.body.metadata.resourceVersion), previous, 'the stored object carries the last write\'s resourceVersion');
  // Each client's own successes are ordered too.
  for (const r of results) {
    for (let i = 1; i < r.writes.length; i++) assert.ok(r.writes[i]!.resourceVersion > r.writes[i - 1]!.resourceVersion);
  }
});

test('an update pinned to a stale resourceVersion is rejected even when the content is unchanged', async () => {
  const got = await requestJson(proc, 'GET', `${PATH}/counter`);
  const stale = got.body;
  const bump = structuredClone(stale);
  bump.data.other = 'x';
  const first = await requestJson(proc, 'PUT', `${PATH}/counter`, bump);
  assert.equal(first.status, 200, first.raw);
  // Same body as what is stored now, but pinned to the older version.
  const again = structuredClone(first.body);
  again.metadata.resourceVersion = stale.metadata.resourceVersion;
  const second = await requestJson(proc, 'PUT', `${PATH}/counter`, again);
  assert.equal(second.status, 409, second.raw);
  assert.equal(second.body.reason, 'Conflict');
  const now = await requestJson(proc, 'GET', `${PATH}/counter`);
  assert.equal(now.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
});

test('concurrent creates of one name: exactly one wins, the rest get 409 AlreadyExists', async () => {
  const attempts = await Promise.all(
    Array.from({ length: 20 }, (_, i) => requestJson(proc, 'POST', PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race' }, data: { who: String(i) } })),
  );
  const won = attempts.filter((a) => a.status === 201);
  const lost = attempts.filter((a) => a.status === 409);
  assert.equal(won.length, 1, JSON.stringify(attempts.map((a) => a.status)));
  assert.equal(lost.length, 19);
  for (const l of lost) {
    assert.equal(l.body.kind, 'Status');
    assert.equal(l.body.reason, 'AlreadyExists');
    assert.equal(l.body.code, 409);
  }
  const stored = await requestJson(proc, 'GET', `${PATH}/race`);
  assert.equal(stored.body.data.who, won[0]!.body.data.who);
  assert.equal(stored.body.metadata.uid, won[0]!.body.metadata.uid);
});

test('concurrent merge patches without a resourceVersion are all applied (server-side retry)', async () => {
  const patches = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      requestJson(proc, 'PATCH', `${PATH}/counter`, { data: { [`k${i}`]: String(i) } }, { 'content-type': 'application/merge-patch+json' }),
    ),
  );
  assert.deepEqual(patches.map((p) => p.status), patches.map(() => 200), patches.find((p) => p.status !== 200)?.raw);
  const stored = await requestJson(proc, 'GET', `${PATH}/counter`);
  for (let i = 0; i < 30; i++) assert.equal(stored.body.data[`k${i}`], String(i), `patch ${i} was lost`);
});

test('concurrent deletes of one object: exactly one succeeds, the rest get 404', async () => {
  const created = await requestJson(proc, 'POST', PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed' } });
  assert.equal(created.status, 201, created.raw);
  const results = await Promise.all(Array.from({ length: 20 }, () => requestJson(proc, 'DELETE', `${PATH}/doomed`)));
  const codes = results.map((r) => r.status);
  assert.equal(codes.filter((c) => c === 200).length, 1, JSON.stringify(codes));
  assert.equal(codes.filter((c) => c === 404).length, 19, JSON.stringify(codes));
  const winner = results.find((r) => r.status === 200)!;
  assert.equal(winner.body.details.uid, created.body.metadata.uid);
  for (const r of results.filter((x) => x.status === 404)) assert.equal(r.body.reason, 'NotFound');
});

test('concurrent spec and status patches of one Deployment both land', async () => {
  const deploys = '/apis/apps/v1/namespaces/default/deployments';
  const created = await requestJson(proc, 'POST', deploys, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'split' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'split' } }, template: { metadata: { labels: { app: 'split' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
  });
  assert.equal(created.status, 201, created.raw);
  const merge = { 'content-type': 'application/merge-patch+json' };
  const writes = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? requestJson(proc, 'PATCH', `${deploys}/split`, { metadata: { annotations: { [`spec-${i}`]: 'x' } }, spec: { minReadySeconds: i + 1 } }, merge)
        : requestJson(proc, 'PATCH', `${deploys}/split/status`, { status: { conditions: [{ type: `C${i}`, status: 'True' }] } }, merge),
    ),
  );
  assert.deepEqual(writes.map((w) => w.status), writes.map(() => 200), writes.find((w) => w.status !== 200)?.raw);
  const final = await requestJson(proc, 'GET', `${deploys}/split`);
  for (let i = 0; i < 20; i += 2) assert.equal(final.body.metadata.annotations[`spec-${i}`], 'x', `spec patch ${i} was lost`);
  assert.equal(final.body.status.conditions.length, 1, 'the last status patch replaced the conditions list');
  assert.ok(typeof final.body.spec.minReadySeconds === 'number');
  // Every spec patch changed minReadySeconds, so each got its own generation; status patches none.
  const specGenerations = writes.filter((_, i) => i % 2 === 0).map((w) => w.body.metadata.generation as number);
  assert.equal(new Set(specGenerations).size, specGenerations.length, `spec patches share a generation: ${specGenerations}`);
  assert.equal(final.body.metadata.generation, 1 + specGenerations.length);
  assert.equal(Math.max(...writes.map((w) => w.body.metadata.generation as number)), final.body.metadata.generation);
});

test('HTTP/1.1 keep-alive clients writing and reading large objects are never reset', async () => {
  // Each response is as large as the request; the next request on the same connection used to
  // arrive while Node still counted the previous response as unflushed (see server.ts).
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const big = 'x'.repeat(200 * 1024);
    const failures: string[] = [];
    const client = async (c: number): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `large-${c}-${i}` }, data: { big } });
        try {
          const res = await proc.request('POST', PATH, { body, headers: { 'content-type': 'application/json' }, agent });
          if (res.status !== 201) failures.push(`POST ${i}: ${res.status}`);
        } catch (err) {
          failures.push(`POST ${i}: ${(err as Error).message}`);
        }
      }
    };
    await client(0);
    assert.deepEqual(failures, []);
  } finally {
    agent.destroy();
  }
});
