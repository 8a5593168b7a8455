import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { pino } from 'pino';
import type { ContainerStatus } from '../cri.ts';
import { CriLogRotator } from './log-rotation.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-cri-rotate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function container(id: string, logPath: string): ContainerStatus {
  return { id, podSandboxId: 's', metadata: { name: id, attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: 1, startedAt: 1, finishedAt: 0, exitCode: 0, reason: '', logPath, image: { image: 'i' }, imageRef: '', labels: {}, annotations: {} };
}

it('renames a log past the limit away, shifts older ones, drops the oldest and asks for a reopen', async () => {
  const log = join(dir, 'a.log');
  const reopened: string[] = [];
  const rotator = new CriLogRotator({
    listContainers: async () => [container('a', log), container('small', join(dir, 'small.log'))],
    reopenContainerLog: async (id) => void reopened.push(id),
  }, { maxBytes: 10, maxFiles: 3 }, pino({ level: 'silent' }));
  writeFileSync(join(dir, 'small.log'), 'tiny');
  for (const round of ['first round of output', 'second round of output', 'third round of output']) {
    writeFileSync(log, round);
    await rotator.rotateAll();
  }
  assert.deepEqual(reopened, ['a', 'a', 'a']);
  assert.equal(readFileSync(`${log}.1`, 'utf8'), 'third round of output');
  assert.equal(readFileSync(`${log}.2`, 'utf8'), 'second round of output');
  assert.equal(existsSync(`${log}.3`), false);
  assert.equal(existsSync(log), false, 'the runtime makes the new file');
  assert.equal(readFileSync(join(dir, 'small.log'), 'utf8'), 'tiny');
});

it('puts the log back when the runtime cannot reopen it', async () => {
  const log = join(dir, 'b.log');
  writeFileSync(log, 'more than ten bytes');
  const rotator = new CriLogRotator({
    listContainers: async () => [container('b', log)],
    reopenContainerLog: async () => {
      throw new Error('container is not running');
    },
  }, { maxBytes: 10, maxFiles: 2 }, pino({ level: 'silent' }));
  await assert.rejects(rotator.rotateAll(), /not running/);
  assert.equal(readFileSync(log, 'utf8'), 'more than ten bytes');
  assert.equal(existsSync(`${log}.1`), false);
});
