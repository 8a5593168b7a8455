// The pod worker on the real process runtime: real processes, real exit codes, real signals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../client/clock.ts';
import { ProcessRuntime } from '../runtime/process/process-runtime.ts';
import type { ApiContainerStatus } from './pod-status.ts';
import { PodWorker } from './pod-worker.ts';
import { makePod } from './testing/pod-fixtures.ts';

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('process runtime: a failing container, its log as termination message; graceful deletion', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'strata-podworker-'));
  const rt = new ProcessRuntime({ stateDir, hostIp: '127.0.0.1', isolation: false, cgroups: null });
  const workers: PodWorker[] = [];
  t.after(async () => {
    for (const w of workers) {
      w.dispose();
      await w.cleanup().catch(() => undefined);
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
  const statuses: Record<string, unknown>[] = [];
  const failing = new PodWorker(makePod({
    restartPolicy: 'Never',
    containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo about to fail; exit 3'], terminationMessagePolicy: 'FallbackToLogsOnError' }],
  }), { runtime: rt, clock: realClock, hostIP: '127.0.0.1', statusWriter: (_p, s) => void statuses.push(s), resyncMs: 100 });
  workers.push(failing);
  failing.start();
  await until(() => failing.finished === 'terminal');
  const app = (failing.status!['containerStatuses'] as ApiContainerStatus[])[0]!;
  assert.equal(failing.status!['phase'], 'Failed');
  assert.equal(app.state.terminated?.exitCode, 3);
  assert.equal(app.state.terminated?.message, 'about to fail\n');

  let terminated = false;
  const base = makePod({
    terminationGracePeriodSeconds: 10,
    containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }],
  }, { uid: 'uid-2', name: 'graceful' });
  const graceful = new PodWorker(base, {
    runtime: rt, clock: realClock, hostIP: '127.0.0.1', statusWriter: () => undefined, resyncMs: 100, onTerminated: () => void (terminated = true),
  });
  workers.push(graceful);
  graceful.start();
  await until(() => graceful.status?.['phase'] === 'Running');
  const started = Date.now();
  graceful.update({ ...base, metadata: { ...base.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 10 } });
  await until(() => terminated);
  assert.ok(Date.now() - started < 5_000, 'SIGTERM ended it well before the grace period');
  assert.equal((graceful.status!['containerStatuses'] as ApiContainerStatus[])[0]!.state.terminated?.exitCode, 0);
  assert.equal(graceful.status!['phase'], 'Succeeded');
});
