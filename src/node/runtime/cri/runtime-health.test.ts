import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { pino } from 'pino';
import { RuntimeHealth } from './runtime-health.ts';

it('follows the runtime: not ready with its reason, down when it does not answer, ready again', async () => {
  let answer: () => Promise<{ ready: boolean; message?: string }> = async () => ({ ready: true });
  const health = new RuntimeHealth({ ready: () => answer() }, pino({ level: 'silent' }));
  assert.deepEqual(await health.check(), { ready: true });
  answer = async () => ({ ready: false, message: 'container runtime is not ready: NotReady' });
  assert.deepEqual(await health.check(), { ready: false, message: 'container runtime is not ready: NotReady' });
  answer = async () => {
    throw new Error('Version: No connection established');
  };
  await health.check();
  assert.deepEqual(health.current(), { ready: false, message: 'container runtime is down: Version: No connection established' });
  answer = async () => ({ ready: true });
  await health.check();
  assert.deepEqual(health.current(), { ready: true });
});
