// Node stats, the metrics API and the HPA black-box on `strata up`: real kubectl `top nodes`,
// `top pods` and `top pod --containers` read CPU and memory measured from the pods' cgroups; an
// HPA scales a CPU-burning Deployment (cpu request 100m) up, and back down once the burn stops
// and its short scale-down stabilization window has passed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, KUBECTL_127, parseTable, REPO, StrataProcess } from './harness.ts';

async function startUp(dataDir: string, port: number): Promise<ChildProcess> {
  // --kubelet-port 0: other tests may hold 10250; the Node names the port it got.
  const child = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'up', '--data-dir', dataDir, '--port', String(port), '--kubelet-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await eventually('strata up', () => {
    if (child.exitCode !== null) throw new Error(`strata up exited with ${child.exitCode}:\n${out}`);
    return out.includes('Strata is up');
  }, 60_000, 100);
  return child;
}

const pids = (marker: string): number[] => (spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);

test('kubectl top and an HPA scaling a CPU-burning Deployment up and back down on strata up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-hpa-'));
  const port = await freePort();
  const marker = `burn-${randomBytes(6).toString('hex')}`;
  // The pods burn CPU until this file exists (host /tmp is visible in their mount namespace).
  const stopFile = join(dir, `${marker}.stop`);
  const kube = new StrataProcess(join(dir, 'data'), port);
  let up: ChildProcess | undefined;
  t.after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGINT');
      const timer = setTimeout(() => up!.kill('SIGKILL'), 30_000);
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
  up = await startUp(join(dir, 'data'), port);

  const nodes = await eventually('kubectl top nodes', () => {
    const r = kube.kubectl(['top', 'nodes']);
    return r.code === 0 && parseTable(r.stdout);
  }, 60_000, 1000);
  assert.equal(nodes.length, 1);
  assert.match(nodes[0]!['CPU(cores)'] ?? '', /^\d+m$/);
  assert.match(nodes[0]!['MEMORY(bytes)'] ?? '', /^\d+Mi$/);
  assert.match(nodes[0]!['MEMORY(%)'] ?? '', /^\d+%$/);
  // kubectl get asks for a server-side Table: metrics-server's columns.
  const printed = parseTable(kube.k(['get', 'nodemetrics']));
  assert.deepEqual(Object.keys(printed[0] ?? {}), ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
  assert.match(printed[0]!['CPU'] ?? '', /^\d+n$/);

  kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'burn', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'burn' } },
        template: {
          metadata: { labels: { app: 'burn' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{
              name: 'burn',
              image: 'busybox',
              command: ['sh', '-c', `while [ ! -e ${stopFile} ]; do :; done; exec sleep 100000 # ${marker}`],
              resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
            }],
          },
        },
      },
    }),
  });
  const top = await eventually('kubectl top pods shows the burner', () => {
    const r = kube.kubectl(['top', 'pods', '-l', 'app=burn']);
    const rows = r.code === 0 && parseTable(r.stdout);
    return rows && rows.length === 1 && Number.parseInt(rows[0]!['CPU(cores)'] ?? '0', 10) >= 100 && rows;
  }, 90_000, 1000);
  const podName = top[0]!['NAME']!;
  const containers = parseTable(kube.k(['top', 'pod', podName, '--containers']));
  assert.deepEqual(containers.map((r) => [r['POD'], r['NAME']]), [[podName, 'burn']]);
  // kubectl 1.27 asks the same way; its table has the same columns.
  const old = parseTable(kube.k(['top', 'pods', '-l', 'app=burn'], { binary: KUBECTL_127 }));
  assert.equal(old[0]?.['NAME'], podName);

  kube.k(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'burn', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burn' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 5 } },
      },
    }),
  });
  // One pod at ~200% of its request against a 50% target wants 4: capped at maxReplicas 3.
  await eventually('the HPA scales burn to 3', () => kube.k(['get', 'deploy', 'burn', '-o', 'jsonpath={.spec.replicas}']) === '3', 90_000, 1000);
  const hpa = parseTable(kube.k(['get', 'hpa', 'burn']));
  assert.equal(hpa[0]!['REFERENCE'], 'Deployment/burn');
  assert.match(hpa[0]!['TARGETS'] ?? '', /^cpu: (\d+%|<unknown>)\/50%$/);
  assert.match(kube.k(['get', 'events', '--field-selector', 'reason=SuccessfulRescale']), /New size: 3; reason: cpu resource utilization \(percentage of request\) above target/);

  writeFileSync(stopFile, '');
  await eventually('the HPA scales burn back to 1', () => kube.k(['get', 'deploy', 'burn', '-o', 'jsonpath={.spec.replicas}']) === '1', 150_000, 2000);
  assert.match(kube.k(['get', 'events', '--field-selector', 'reason=SuccessfulRescale']), /New size: 1; reason: All metrics below target/);
});
