// kubectl exec, attach, cp and port-forward against `strata up`: the API server forwards the
// pods/exec|attach|portforward upgrade to the node agent, whose streaming routes run the command
// in the real process-runtime container. WebSocket clients (kubectl 1.33, 1.32) and SPDY-only
// ones (1.29, 1.27) are both covered; -t needs a terminal, which `script` gives kubectl.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Exec, KubeConfig, PortForward } from '@kubernetes/client-node';
import { eventually, freePort, KUBECTL, KUBECTL_127, KUBECTL_133 } from './harness.ts';
import { getJson, killAllWith, startUp, type UpProcess } from './node-cluster.ts';

const KUBECTL_129 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';
const KUBECTL_132 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const VERSIONS = { '1.33': KUBECTL_133, '1.32': KUBECTL_132, '1.29': KUBECTL_129, '1.27': KUBECTL_127 } as const;

let up: UpProcess;
let dir: string;
let marker: string;
let webPort: number;

const sh = (script: string): string[] => ['sh', '-c', script, marker];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-exec-'));
  marker = `exec-e2e-${randomBytes(4).toString('hex')}`;
  webPort = await freePort();
  mkdirSync(join(dir, 'site'));
  writeFileSync(join(dir, 'site', 'index.html'), `served through port-forward ${marker}\n`);
  up = await startUp(join(dir, 'up'), await freePort(), ['--node-name', 'exec-e2e', '--kubelet-port', String(await freePort())]);
  const pods = [
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'main', image: 'busybox', command: sh('while true; do sleep 1; done'), env: [{ name: 'WHO', value: 'main' }] },
          { name: 'side', image: 'busybox', command: sh('while true; do sleep 1; done'), env: [{ name: 'WHO', value: 'side' }] },
        ],
      },
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talk' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'talk', image: 'busybox', stdin: true, command: sh('while read l; do echo "got $l"; done') }] },
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'web', image: 'python:3', command: ['python3', '-m', 'http.server', String(webPort), '--bind', '127.0.0.1', '--directory', join(dir, 'site')] }],
      },
    },
  ];
  for (const pod of pods) up.kube.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  for (const name of ['shell', 'talk', 'web']) await eventually(`${name} running`, () => getJson(up.kube, ['pod', name])?.status?.phase === 'Running', 60_000);
});

after(async () => {
  if (up) await up.stop('SIGINT');
  if (marker) killAllWith(marker);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** kubectl with this cluster's kubeconfig, asynchronously (attach and port-forward keep running). */
function run(binary: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
const kubectl = (binary: string, args: string[], input?: string) => run(binary, ['--kubeconfig', up.kube.kubeconfig, '--cache-dir', up.kube.cacheDir, ...args], input);

describe('kubectl exec', () => {
  for (const [version, binary] of Object.entries(VERSIONS)) {
    test(`${version}: stdin, -c, stderr and the exit code`, async () => {
      const cat = await kubectl(binary, ['exec', '-i', 'shell', '-c', 'main', '--', 'cat'], 'hi\n');
      assert.equal(cat.code, 0, cat.stderr);
      assert.equal(cat.stdout, 'hi\n');
      const side = await kubectl(binary, ['exec', 'shell', '-c', 'side', '--', 'sh', '-c', 'echo $WHO; echo to-stderr >&2']);
      assert.equal(side.code, 0, side.stderr);
      assert.equal(side.stdout, 'side\n');
      assert.match(side.stderr, /to-stderr/);
      const failed = await kubectl(binary, ['exec', 'shell', '-c', 'main', '--', 'sh', '-c', 'exit 3']);
      assert.equal(failed.code, 3, failed.stderr);
    });
  }

  test('the dispatcher (/usr/bin/kubectl) picks up `echo hi | kubectl exec -i pod -- cat` too', async () => {
    const r = await kubectl(KUBECTL, ['exec', '-i', 'shell', '-c', 'main', '--', 'cat'], 'hi\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
  });

  test('an unknown container is an error naming it', async () => {
    const r = await kubectl(KUBECTL_133, ['exec', 'shell', '-c', 'nope', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nope/);
  });

  for (const version of ['1.33', '1.27'] as const) {
    test(`${version}: -it gives the command a terminal of the client's size`, async () => {
      const cmd = `stty cols 101 rows 33; ${VERSIONS[version]} --kubeconfig ${up.kube.kubeconfig} --cache-dir ${up.kube.cacheDir} exec -it shell -c main -- sh -c 'tty; stty size'`;
      const r = await run('script', ['-q', '-e', '-c', cmd, '/dev/null']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
      assert.match(r.stdout, /33 101/);
    });
  }
});

describe('kubectl attach', () => {
  for (const version of ['1.33', '1.29'] as const) {
    test(`${version}: writes to the container's stdin and shows what it prints`, async () => {
      const child = spawn(VERSIONS[version], ['--kubeconfig', up.kube.kubeconfig, '--cache-dir', up.kube.cacheDir, 'attach', '-i', 'talk'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        // Lines written before the attach is up would not be seen: keep saying hello until one is.
        await eventually(
          'the reply through attach',
          () => {
            child.stdin.write(`hello ${version}\n`);
            return out.includes(`got hello ${version}`);
          },
          30_000,
          500,
        );
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

describe('kubectl run -i (attach to a new pod)', () => {
  test('1.33: sends stdin to a fresh pod, prints its output and removes it with --rm', async () => {
    const r = await kubectl(KUBECTL_133, ['run', 'once', '-i', '--rm', '--restart=Never', '--image=busybox', '--command', '--', 'sh', '-c', `read l; echo "got $l"; echo ${marker} >/dev/null`], 'typed line\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /got typed line/);
    await eventually('the pod removed', () => up.kube.kubectl(['get', 'pod', 'once']).code !== 0, 30_000);
  });

  test('1.33: -it puts the new pod on a terminal', async () => {
    const cmd = `stty cols 77 rows 22; ${KUBECTL_133} --kubeconfig ${up.kube.kubeconfig} --cache-dir ${up.kube.cacheDir} run term -it --rm --restart=Never --image=busybox --command -- sh -c 'read l; tty; stty size; echo "got $l"; echo ${marker} >/dev/null'`;
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // The line is typed until the pod's terminal has it (keys typed before the attach are lost).
      await eventually(
        'the answer on the terminal',
        () => {
          child.stdin.write('hello\r');
          return /got hello/.test(out);
        },
        60_000,
        500,
      );
      assert.match(out, /\/dev\/pts\/\d+/);
      assert.match(out, /22 77/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('kubectl cp', () => {
  test('copies a file into the container and back (tar through exec)', async () => {
    const local = join(dir, 'upload.txt');
    const content = `copied ${marker}\n`.repeat(5000);
    writeFileSync(local, content);
    const inPod = join(dir, 'in-pod.txt');
    const to = await kubectl(KUBECTL_133, ['cp', local, `shell:${inPod}`, '-c', 'main']);
    assert.equal(to.code, 0, to.stderr);
    assert.equal(readFileSync(inPod, 'utf8'), content);
    const back = join(dir, 'back.txt');
    const from = await kubectl(KUBECTL_127, ['cp', `shell:${inPod}`, back, '-c', 'main']);
    assert.equal(from.code, 0, from.stderr);
    assert.equal(readFileSync(back, 'utf8'), content);
  });
});

describe('kubectl port-forward', () => {
  for (const version of ['1.33', '1.27'] as const) {
    test(`${version}: answers an HTTP request through the forward`, async () => {
      const child = spawn(VERSIONS[version], ['--kubeconfig', up.kube.kubeconfig, '--cache-dir', up.kube.cacheDir, 'port-forward', 'pod/web', `:${webPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const local = await eventually('the forward listening', () => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], 30_000);
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000) });
          assert.equal(res.status, 200);
          assert.equal(await res.text(), `served through port-forward ${marker}\n`);
        }
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

describe('@kubernetes/client-node (WebSocket v5 exec, v4.channel.k8s.io port-forward)', () => {
  test('Exec gets the output and the exit code in the status', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(up.kube.kubeconfig);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const status = await new Promise<{ status?: string; details?: { causes?: { reason?: string; message?: string }[] } }>((resolve, reject) => {
      new Exec(kc).exec('default', 'shell', 'side', ['sh', '-c', 'echo $WHO; exit 2'], stdout, null, null, false, resolve).catch(reject);
    });
    assert.equal(status.status, 'Failure');
    assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '2' }]);
    await eventually('the output', () => out === 'side\n', 5000);
  });

  test('PortForward relays an HTTP request to the pod', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(up.kube.kubeconfig);
    const forward = new PortForward(kc);
    const local = createServer((socket) => void forward.portForward('default', 'web', [webPort], socket, null, socket));
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `served through port-forward ${marker}\n`);
    } finally {
      local.close();
    }
  });
});
