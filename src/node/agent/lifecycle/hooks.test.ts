import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock, realClock } from '../../../client/clock.ts';
import type { ContainerStatus } from '../../runtime/cri.ts';
import { container } from '../testing/pod-fixtures.ts';
import { runHook } from './hooks.ts';
import { terminationMessage } from './termination-message.ts';

const target = { podIP: '127.0.0.1', containerId: 'c1' };

test('sleep handler waits on the clock', async () => {
  const clock = new FakeClock(0);
  let done = false;
  const p = runHook({ sleep: { seconds: 5 } }, target, 30_000, { clock }).then((r) => ((done = true), r));
  await clock.advance(4_999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal((await p).result, 'success');
});

test('a hook that outlives its timeout fails', async () => {
  const clock = new FakeClock(0);
  const p = runHook({ exec: { command: ['x'] } }, target, 2_000, { clock, run: () => new Promise(() => undefined) });
  await clock.advance(2_000);
  const r = await p;
  assert.equal(r.result, 'failure');
  assert.equal(clock.pendingTimers, 0);
});

test('exec and httpGet handlers', async (t) => {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(req.url === '/bad' ? 500 : 200).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  assert.equal((await runHook({ httpGet: { path: '/start', port } }, target, 2000, { clock: realClock })).result, 'success');
  assert.equal((await runHook({ httpGet: { path: '/bad', port } }, target, 2000, { clock: realClock })).result, 'failure');
  assert.deepEqual(paths, ['/start', '/bad']);
  const exec = async (_id: string, cmd: readonly string[]) => ({ exitCode: cmd[0] === 'ok' ? 0 : 2, output: 'out' });
  assert.equal((await runHook({ exec: { command: ['ok'] } }, { ...target, exec }, 2000, { clock: realClock })).result, 'success');
  assert.equal((await runHook({ exec: { command: ['no'] } }, { ...target, exec }, 2000, { clock: realClock })).result, 'failure');
});

test('terminationMessage: the file, else the log tail with FallbackToLogsOnError on failure', async () => {
  const failed: ContainerStatus = container('app', 'exited', { exitCode: 1 });
  const ok: ContainerStatus = container('app', 'exited', { exitCode: 0 });
  const tailLog = async () => 'x'.repeat(3000) + 'END';
  assert.equal(await terminationMessage({ name: 'app' }, failed, { readMessageFile: async () => 'from file', tailLog }), 'from file');
  assert.equal(await terminationMessage({ name: 'app' }, failed, { readMessageFile: async () => '', tailLog }), '');
  const fallback = await terminationMessage({ name: 'app', terminationMessagePolicy: 'FallbackToLogsOnError' }, failed, { readMessageFile: async () => '', tailLog });
  assert.equal(fallback.length, 2048);
  assert.ok(fallback.endsWith('END'));
  assert.equal(await terminationMessage({ name: 'app', terminationMessagePolicy: 'FallbackToLogsOnError' }, ok, { tailLog }), '');
  const long = await terminationMessage({ name: 'app' }, ok, { readMessageFile: async () => 'y'.repeat(5000) });
  assert.equal(long.length, 4096);
});

test('FallbackToLogsOnError reads the tail of the CRI-format log', async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'strata-tm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, '0.log');
  const entries = Array.from({ length: 100 }, (_, i) => `2026-01-01T00:00:00.000000000Z stdout F line ${i}`);
  entries.push('2026-01-01T00:00:00.000000000Z stderr P partial ', '2026-01-01T00:00:00.000000000Z stderr F end');
  await writeFile(path, entries.join('\n') + '\n');
  const failed: ContainerStatus = { ...container('app', 'exited', { exitCode: 1 }), logPath: path };
  const msg = await terminationMessage({ name: 'app', terminationMessagePolicy: 'FallbackToLogsOnError' }, failed, {});
  const lines = msg.trimEnd().split('\n');
  assert.equal(lines.length, 80);
  assert.equal(lines.at(-1), 'partial end');
  assert.equal(lines[0], 'line 21');
});
