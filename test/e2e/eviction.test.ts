// Eviction under memory pressure black-box on `strata up`: with a hard threshold the machine is
// always under (memory.available<100%), the node reports MemoryPressure and carries the
// memory-pressure taint, and a pod bound to it is failed as Evicted with the kubelet's message and
// an Evicted Event, and its process is stopped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, REPO, StrataProcess } from './harness.ts';

const pids = (marker: string): number[] => (spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);

test('a node under memory pressure taints itself and evicts its pod with the kubelet message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-evict-'));
  const port = await freePort();
  const marker = `evictme-${randomBytes(6).toString('hex')}`;
  const kube = new StrataProcess(join(dir, 'data'), port);
  const up: ChildProcess = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'up', '--data-dir', join(dir, 'data'), '--port', String(port), '--kubelet-port', '0', '--eviction-hard', 'memory.available<100%'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  t.after(async () => {
    if (up.exitCode === null) {
      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGINT');
      const timer = setTimeout(() => up.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pid of pids(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await eventually('strata up', () => {
    if (up.exitCode !== null) throw new Error(`strata up exited with ${up.exitCode}:\n${out}`);
    return out.includes('Strata is up');
  }, 60_000, 100);
  const nodeName = kube.k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);

  await eventually('the memory-pressure taint', () => kube.k(['get', 'node', nodeName, '-o', 'jsonpath={.spec.taints}']).includes('"node.kubernetes.io/memory-pressure"'), 30_000, 500);
  await eventually('MemoryPressure True', () => kube.k(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")].status}']) === 'True', 30_000, 500);

  // Bound by name: the taint keeps the scheduler away, not the agent.
  kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'victim', namespace: 'default' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', `sleep 100000 # ${marker}`], resources: { requests: { memory: '1Ki' } } }] },
    }),
  });
  const reason = await eventually('the pod evicted', () => {
    const r = kube.k(['get', 'pod', 'victim', '-o', 'jsonpath={.status.phase}/{.status.reason}']);
    return r === 'Failed/Evicted' && r;
  }, 60_000, 500);
  assert.equal(reason, 'Failed/Evicted');
  const message = kube.k(['get', 'pod', 'victim', '-o', 'jsonpath={.status.message}']);
  assert.match(message, /^The node was low on resource: memory\. Threshold quantity: \d+(Ki|Mi|Gi)?, available: \d+(Ki|Mi|Gi)?\. Container app was using \d+(Ki|Mi)?, request is 1Ki, has larger consumption of memory\. $/);
  assert.match(kube.k(['get', 'events', '--field-selector', 'reason=Evicted,involvedObject.name=victim', '-o', 'jsonpath={.items[*].message}']), /The node was low on resource: memory/);
  await eventually('the pod process stopped', () => pids(marker).length === 0, 30_000, 500);
});
