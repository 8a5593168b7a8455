// Real kubectl binaries (WebSocket in 1.30+, SPDY in 1.27-1.29) against the streaming routes: a
// small HTTP server stands in for the API server (it answers the pod GET and maps the pod's
// exec/attach/portforward subresources onto the agent paths, as the API server's proxy does),
// and the container is a real process-runtime container.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerConfig, PodSandboxConfig } from '../runtime/cri.ts';
import { ProcessRuntime } from '../runtime/process/index.ts';
import { readJson, type StartedRecord } from '../runtime/process/state-store.ts';
import { streamingRoutes } from './index.ts';

const KUBECTLS = Object.fromEntries(['1.33', '1.32', '1.31', '1.30', '1.29', '1.28', '1.27'].map((v) => [v, `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`])) as Record<
  '1.33' | '1.32' | '1.31' | '1.30' | '1.29' | '1.28' | '1.27',
  string
>;
const available = Object.values(KUBECTLS).every((k) => existsSync(k));

const dir = mkdtempSync(join(tmpdir(), 'strata-kubectl-stream-'));
const runtime = new ProcessRuntime({ stateDir: join(dir, 'state') });
const kubeconfig = join(dir, 'kubeconfig');
const files = join(dir, 'files');
let server: Server;

const POD = { main: ['sleep', '300'], side: ['sleep', '300'] };
const sandbox: PodSandboxConfig = { metadata: { name: 'shell', namespace: 'default', uid: 'uid-shell', attempt: 0 }, hostname: 'shell', hostNetwork: true, labels: {}, annotations: {} };
const container = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image: 'busybox' },
  labels: { 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.name': 'shell', 'io.kubernetes.container.name': name },
  annotations: {},
  command,
  envs: [{ key: 'WHO', value: name }],
  ...extra,
});

const podJson = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shell', namespace: 'default', uid: 'uid-shell' },
  spec: { containers: [...Object.keys(POD), 'talk'].map((name) => ({ name, image: 'busybox' })) },
  status: { phase: 'Running', podIP: '127.0.0.1', containerStatuses: [] },
};

before(async () => {
  if (!available) return;
  mkdirSync(files);
  const sb = await runtime.runPodSandbox(sandbox);
  for (const [name, cmd] of Object.entries(POD)) await runtime.startContainer(await runtime.createContainer(sb, container(name, cmd), sandbox));
  await runtime.startContainer(await runtime.createContainer(sb, container('talk', ['sh', '-c', 'while read l; do echo "got $l"; done'], { stdin: true }), sandbox));
  const routes = new Map(streamingRoutes({ runtime }).map((r) => [r.prefix, r]));
  // Legacy discovery, just enough for kubectl to resolve `pod/shell`.
  const discovery: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
    '/api/v1': {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
        { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
      ],
    },
  };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://api').pathname;
    if (discovery[path]) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery[path]));
      return;
    }
    if (req.url?.startsWith('/api/v1/namespaces/default/pods/shell')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(podJson));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://api');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
    if (!m) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [, ns = '', pod = '', sub = ''] = m;
    const route = routes.get(sub === 'portforward' ? 'portForward' : sub);
    const parts = sub === 'portforward' ? [ns, pod] : [ns, pod, url.searchParams.get('container') ?? 'main'];
    void route?.upgrade?.(req, socket, head, parts, url, { user: 'admin', groups: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'c',
    }),
  );
});

after(async () => {
  server?.closeAllConnections();
  server?.close();
  for (const s of await runtime.listPodSandbox()) await runtime.removePodSandbox(s.id);
  const containers = join(dir, 'state', 'containers');
  for (const id of existsSync(containers) ? readdirSync(containers) : []) {
    const started = readJson<StartedRecord>(join(containers, id, 'started.json'));
    for (const pid of [started?.pid, started?.supervisorPid]) {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** kubectl runs asynchronously: the stand-in API server lives in this process. */
function run(file: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const kubectl = (version: keyof typeof KUBECTLS, args: string[], input?: string) => run(KUBECTLS[version], ['--kubeconfig', kubeconfig, ...args], input);

describe('kubectl exec', { skip: !available && 'kubectl 1.27-1.33 binaries not installed' }, () => {
  for (const version of ['1.33', '1.32', '1.31', '1.30', '1.29', '1.28', '1.27'] as const) {
    it(`${version}: pipes stdin, selects the container with -c and passes on the exit code`, async () => {
      const cat = await kubectl(version, ['exec', '-i', 'shell', '--', 'cat'], 'hi\nthere\n');
      assert.equal(cat.code, 0, cat.stderr);
      assert.equal(cat.stdout, 'hi\nthere\n');
      const side = await kubectl(version, ['exec', 'shell', '-c', 'side', '--', 'sh', '-c', 'echo $WHO; echo oops >&2']);
      assert.equal(side.stdout, 'side\n');
      assert.equal(side.stderr, 'oops\n');
      const failed = await kubectl(version, ['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
      assert.equal(failed.code, 3, failed.stderr);
      const missing = await kubectl(version, ['exec', 'shell', '-c', 'nope', '--', 'true']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /container not found \("nope"\)/);
    });
  }

  for (const version of ['1.33', '1.27'] as const) {
    it(`${version}: -it runs the command on a terminal of the client's size`, async () => {
      // kubectl only asks for a TTY when its own stdin is one: `script` gives it a pseudo-terminal.
      const r = await run('script', ['-q', '-e', '-c', `stty cols 123 rows 45; ${KUBECTLS[version]} --kubeconfig ${kubeconfig} exec -it shell -- sh -c 'tty; stty size'`, '/dev/null']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
      assert.match(r.stdout, /45 123/);
    });
  }

  it('cp moves 8 MiB each way over WebSocket (1.33) and SPDY (1.27) intact', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(dir, 'big.bin'), big);
    for (const version of ['1.33', '1.27'] as const) {
      const inPod = join(files, `big-${version}.bin`);
      const to = await kubectl(version, ['cp', join(dir, 'big.bin'), `shell:${inPod}`]);
      assert.equal(to.code, 0, to.stderr);
      assert.ok(readFileSync(inPod).equals(big), `${version}: upload intact`);
      const back = join(dir, `back-${version}.bin`);
      const from = await kubectl(version, ['cp', `shell:${inPod}`, back]);
      assert.equal(from.code, 0, from.stderr);
      assert.ok(readFileSync(back).equals(big), `${version}: download intact`);
    }
  });

  it('cp copies a file into the container and back (tar over exec with stdin)', async () => {
    writeFileSync(join(dir, 'up.txt'), 'payload\n'.repeat(20000));
    const to = await kubectl('1.33', ['cp', join(dir, 'up.txt'), `shell:${join(files, 'in-pod.txt')}`]);
    assert.equal(to.code, 0, to.stderr);
    assert.equal(readFileSync(join(files, 'in-pod.txt'), 'utf8'), 'payload\n'.repeat(20000));
    const from = await kubectl('1.27', ['cp', `shell:${join(files, 'in-pod.txt')}`, join(dir, 'down.txt')]);
    assert.equal(from.code, 0, from.stderr);
    assert.equal(readFileSync(join(dir, 'down.txt'), 'utf8'), 'payload\n'.repeat(20000));
  });
});

describe('kubectl attach', { skip: !available && 'kubectl binaries not installed' }, () => {
  for (const version of ['1.33', '1.29'] as const) {
    it(`${version}: sends stdin to the running container and shows its output`, async () => {
      const child = spawn(KUBECTLS[version], ['--kubeconfig', kubeconfig, 'attach', '-i', 'shell', '-c', 'talk'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stdin.write(`hello ${version}\n`);
      const deadline = Date.now() + 15_000;
      while (!out.includes(`got hello ${version}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      assert.match(out, new RegExp(`got hello ${version.replace('.', '\\.')}`));
    });
  }
});

describe('kubectl port-forward', { skip: !available && 'kubectl binaries not installed' }, () => {
  // 1.31+ tunnel SPDY in WebSocket messages; 1.30 and older speak SPDY on the upgraded socket.
  for (const version of ['1.33', '1.31', '1.30', '1.27'] as const) {
    it(`${version}: forwards local connections to the pod's port`, async () => {
      const target = createTcpServer((s) => s.end(`hello from the pod ${version}\n`));
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      const podPort = (target.address() as AddressInfo).port;
      const child = spawn(KUBECTLS[version], ['--kubeconfig', kubeconfig, 'port-forward', 'pod/shell', `:${podPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const deadline = Date.now() + 15_000;
        let m: RegExpExecArray | null = null;
        while (!(m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.ok(m, out);
        for (let i = 0; i < 2; i++) {
          const got = await new Promise<string>((resolve, reject) => {
            const sock = connect({ host: '127.0.0.1', port: Number(m![1]) });
            let data = '';
            sock.on('data', (d: Buffer) => (data += d.toString()));
            sock.on('end', () => resolve(data));
            sock.on('error', reject);
          });
          assert.equal(got, `hello from the pod ${version}\n`);
        }
      } finally {
        child.kill('SIGKILL');
        target.close();
      }
    });
  }
});

