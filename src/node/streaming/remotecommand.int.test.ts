// exec and attach end to end on a real process-runtime container behind the streaming routes,
// with clients that speak WebSocket (ws) and SPDY/3.1 (testing/spdy-client.ts) as kubectl does.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startAgentFixture, type AgentFixture } from './testing/agent-fixture.ts';
import { spdyUpgrade } from './testing/spdy-client.ts';

let fixture: AgentFixture;
let port = 0;
let runtime: AgentFixture['runtime'];

before(async () => {
  const env = [{ key: 'GREETING', value: 'hello from env' }];
  fixture = await startAgentFixture({
    main: { command: ['sleep', '300'], envs: env, workingDir: '/tmp' },
    talk: { command: ['sh', '-c', 'while read l; do echo "got $l"; echo "err $l" >&2; done'], stdin: true },
    term: { command: ['sh', '-c', 'while read l; do echo "got $l"; stty size; done'], stdin: true, tty: true },
    once: { command: ['sh', '-c', 'cat; echo "stdin closed"; sleep 300'], stdin: true, stdinOnce: true },
    done: { command: ['true'] },
  });
  port = fixture.port;
  runtime = fixture.runtime;
});

after(() => fixture.close());

const execQuery = (cmd: string[], flags: Record<string, boolean>): string =>
  [...cmd.map((c) => `command=${encodeURIComponent(c)}`), ...Object.entries(flags).map(([k, v]) => `${k}=${v}`)].join('&');

interface WsResult {
  protocol: string;
  channels: Map<number, Buffer>;
  closeCode: number;
}

/** Runs one WebSocket remotecommand session: `send` gets the socket once open. */
function wsSession(path: string, protocols: string[], send: (ws: WebSocket) => void): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
    const channels = new Map<number, Buffer>();
    ws.on('open', () => send(ws));
    ws.on('message', (m: Buffer) => channels.set(m[0] ?? -1, Buffer.concat([channels.get(m[0] ?? -1) ?? Buffer.alloc(0), m.subarray(1)])));
    ws.on('close', (code) => resolve({ protocol: ws.protocol, channels, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { statusCode: res.statusCode, body })));
    });
    ws.on('error', (err) => reject(err));
  });
}

const text = (r: WsResult, ch: number): string => r.channels.get(ch)?.toString() ?? '';

describe('exec over WebSocket (kubectl 1.30+)', () => {
  it('pipes stdin to the command in the container and ends on the v5 close signal with a Success status', async () => {
    const r = await wsSession(`/exec/default/web/main?${execQuery(['cat'], { stdin: true, stdout: true, stderr: true })}`, ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from('hi there\n')]));
      ws.send(Buffer.of(255, 0));
    });
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(text(r, 1), 'hi there\n');
    assert.deepEqual(JSON.parse(text(r, 3)), { metadata: {}, status: 'Success' });
    assert.equal(r.closeCode, 1000);
  });

  it('separates stdout and stderr and reports a non-zero exit code as NonZeroExitCode', async () => {
    const r = await wsSession(`/exec/default/web/main?${execQuery(['sh', '-c', 'echo out; echo err >&2; exit 3'], { stdout: true, stderr: true })}`, ['v4.channel.k8s.io'], () => {});
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    assert.equal(text(r, 1), 'out\n');
    assert.equal(text(r, 2), 'err\n');
    const status = JSON.parse(text(r, 3));
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  it("runs in the container's namespaces with its environment and working directory", async () => {
    const r = await wsSession(`/exec/default/web/main?${execQuery(['sh', '-c', 'echo "$GREETING|$(pwd)|$(hostname)|$$"'], { stdout: true })}`, ['v5.channel.k8s.io'], () => {});
    const [greeting, cwd, host, pid] = text(r, 1).trim().split('|');
    assert.equal(greeting, 'hello from env');
    assert.equal(cwd, '/tmp');
    if (process.getuid?.() === 0) {
      assert.equal(host, 'web');
      // A new PID namespace: the container's init is 1 and its command low; the exec'd shell is small too.
      assert.ok(Number(pid) < 100, `pid ${pid} should be in the container's PID namespace`);
    }
  });

  it('speaks the base64 text variant (v4.base64.channel.k8s.io) and binary v1 to a client naming no protocol', async () => {
    const texts: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/default/web/main?${execQuery(['cat'], { stdin: true, stdout: true })}`, ['v4.base64.channel.k8s.io']);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    assert.equal(ws.protocol, 'v4.base64.channel.k8s.io');
    ws.on('message', (m: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false);
      texts.push(m.toString());
      if (m.toString().startsWith('1')) ws.close(1000);
    });
    ws.send(`0${Buffer.from('in base64\n').toString('base64')}`);
    await new Promise((r) => ws.once('close', r));
    assert.equal(Buffer.from(texts.find((t) => t.startsWith('1'))!.slice(1), 'base64').toString(), 'in base64\n');

    const plain = await wsSession(`/exec/default/web/main?${execQuery(['echo', 'v1'], { stdout: true })}`, [], () => {});
    assert.equal(plain.protocol, '');
    assert.equal(text(plain, 1), 'v1\n');
    assert.equal(plain.channels.has(3), false, 'v1 sends nothing on the error channel on success');
  });

  it('stops the command when the client goes away', async () => {
    const marker = `30${Math.floor(Math.random() * 1e6)}`;
    const running = (): boolean =>
      readdirSync('/proc').some((p) => {
        try {
          return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
        } catch {
          return false;
        }
      });
    let seen = false;
    await wsSession(`/exec/default/web/main?${execQuery(['sh', '-c', `echo started; exec sleep ${marker}`], { stdout: true })}`, ['v5.channel.k8s.io'], (ws) => {
      ws.on('message', async (m: Buffer) => {
        if (m[0] !== 1 || !m.subarray(1).toString().includes('started')) return;
        const until = Date.now() + 5000;
        while (!(seen = running()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        ws.terminate();
      });
    });
    assert.ok(seen, 'the command ran');
    const deadline = Date.now() + 10_000;
    while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(running(), false, 'the exec\'d command is gone');
  });

  it("gives a TTY of the client's size from the first instruction on", async () => {
    const r = await wsSession(`/exec/default/web/main?${execQuery(['sh', '-c', 'stty size; read x; tty; echo "TERM=$TERM"'], { stdin: true, stdout: true, tty: true })}`, ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":100,"Height":40}')]));
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from('go\r')]));
    });
    const out = text(r, 1);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /40 100/);
    assert.match(out, /TERM=xterm/);
    assert.equal(r.channels.has(2), false, 'a TTY merges stderr into stdout');
    assert.equal(JSON.parse(text(r, 3)).status, 'Success');
  });

  it('refuses an unknown container with 404 and a request without streams with 400 (kubectl then tries SPDY)', async () => {
    await assert.rejects(wsSession(`/exec/default/web/nope?${execQuery(['true'], { stdout: true })}`, ['v5.channel.k8s.io'], () => {}), (err: { statusCode: number; body: string }) => {
      assert.equal(err.statusCode, 404);
      assert.equal(JSON.parse(err.body).reason, 'NotFound');
      assert.match(JSON.parse(err.body).message, /container not found \("nope"\)/);
      return true;
    });
    await assert.rejects(wsSession(`/exec/default/web/main?${execQuery(['true'], {})}`, ['v5.channel.k8s.io'], () => {}), { statusCode: 400 });
    await assert.rejects(wsSession(`/exec/default/web/main?stdout=true`, ['v5.channel.k8s.io'], () => {}), (err: { statusCode: number; body: string }) => {
      assert.equal(err.statusCode, 422);
      assert.equal(JSON.parse(err.body).details.causes[0].field, 'command');
      return true;
    });
    await assert.rejects(wsSession(`/exec/default/web/main?${execQuery(['true'], { stdout: true })}`, ['v9.channel.k8s.io'], () => {}), { statusCode: 400 });
    const deadline = Date.now() + 10_000;
    while ((await runtime.listContainers()).some((c) => c.metadata.name === 'done' && c.state !== 'CONTAINER_EXITED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(wsSession(`/exec/default/web/done?${execQuery(['true'], { stdout: true })}`, ['v5.channel.k8s.io'], () => {}), (err: { statusCode: number; body: string }) => {
      assert.equal(err.statusCode, 400);
      assert.match(JSON.parse(err.body).message, /container "done" in pod default\/web is not running/);
      return true;
    });
  });
});

describe('exec over SPDY/3.1 (kubectl 1.27-1.29, and the fallback)', () => {
  it('negotiates the newest version offered and streams stdin, stdout and the status on the error stream', async () => {
    const up = await spdyUpgrade(port, `/exec/default/web/main?${execQuery(['sh', '-c', 'cat; echo done >&2'], { stdin: true, stdout: true, stderr: true })}`, ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io']);
    assert.equal(up.status, 101);
    assert.equal(up.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
    const c = up.client;
    const error = c.openStream({ streamtype: 'error' });
    const stdin = c.openStream({ streamtype: 'stdin' });
    const stdout = c.openStream({ streamtype: 'stdout' });
    const stderr = c.openStream({ streamtype: 'stderr' });
    await Promise.all([error.replied, stdin.replied, stdout.replied, stderr.replied]);
    assert.equal(await c.ping(1), 1, 'PING is echoed');
    await stdin.write('line one\n');
    await stdin.write('line two\n', true);
    const [out, err, status] = await Promise.all([stdout.done, stderr.done, error.done]);
    assert.equal(out.data.toString(), 'line one\nline two\n');
    assert.equal(err.data.toString(), 'done\n');
    assert.deepEqual(JSON.parse(status.data.toString()), { metadata: {}, status: 'Success' });
    await c.closed;
  });

  it('sends plain text on the error stream to v2 clients, and a JSON Status with the exit code to v4 ones', async () => {
    for (const [protocol, check] of [
      ['v2.channel.k8s.io', (s: string) => assert.match(s, /non-zero exit code/)],
      ['v4.channel.k8s.io', (s: string) => assert.equal(JSON.parse(s).details.causes[0].message, '7')],
    ] as const) {
      const up = await spdyUpgrade(port, `/exec/default/web/main?${execQuery(['sh', '-c', 'exit 7'], { stdout: true })}`, [protocol]);
      assert.equal(up.headers['x-stream-protocol-version'], protocol);
      const error = up.client.openStream({ streamtype: 'error' });
      up.client.openStream({ streamtype: 'stdout' });
      check((await error.done).data.toString());
    }
  });

  it('keeps concurrent sessions apart (WebSocket and SPDY at once)', async () => {
    const viaWs = Array.from({ length: 6 }, (_, i) =>
      wsSession(`/exec/default/web/main?${execQuery(['sh', '-c', `echo ws-${i}`], { stdout: true })}`, ['v5.channel.k8s.io'], () => {}).then((r) => text(r, 1)),
    );
    const viaSpdy = Array.from({ length: 6 }, async (_, i) => {
      const up = await spdyUpgrade(port, `/exec/default/web/main?${execQuery(['cat'], { stdin: true, stdout: true })}`, ['v4.channel.k8s.io']);
      up.client.openStream({ streamtype: 'error' });
      const stdin = up.client.openStream({ streamtype: 'stdin' });
      const stdout = up.client.openStream({ streamtype: 'stdout' });
      await stdin.write(`spdy-${i}\n`, true);
      return (await stdout.done).data.toString();
    });
    assert.deepEqual(await Promise.all(viaWs), Array.from({ length: 6 }, (_, i) => `ws-${i}\n`));
    assert.deepEqual(await Promise.all(viaSpdy), Array.from({ length: 6 }, (_, i) => `spdy-${i}\n`));
  });

  it('answers 403 listing its versions when none of the offered ones is known', async () => {
    const up = await spdyUpgrade(port, `/exec/default/web/main?${execQuery(['true'], { stdout: true })}`, ['v9.channel.k8s.io']);
    assert.equal(up.status, 403);
    assert.match(up.headers['x-accepted-stream-protocol-versions'] ?? '', /v5\.channel\.k8s\.io/);
    assert.match(JSON.parse(up.body).message, /unable to negotiate protocol/);
  });
});

describe('attach', () => {
  it("writes to the container's stdin and reads its live stdout and stderr", async () => {
    const r = await wsSession('/attach/default/web/talk?stdin=true&stdout=true&stderr=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from('ping\n')]));
      // stdout's line is written first, so once stderr's arrives both are in.
      ws.on('message', (m: Buffer) => {
        if (m[0] === 2 && m.subarray(1).toString().includes('err ping')) ws.close(1000);
      });
    });
    assert.equal(text(r, 1), 'got ping\n');
    assert.equal(text(r, 2), 'err ping\n');
  });
});

describe('attach reads the live output', () => {
  it('even when the log file is gone (the supervisor streams the output itself)', async () => {
    const talk = (await runtime.listContainers()).find((c) => c.labels['io.kubernetes.container.name'] === 'talk');
    assert.ok(talk?.logPath);
    rmSync(talk.logPath);
    const r = await wsSession('/attach/default/web/talk?stdin=true&stdout=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from('live\n')]));
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1 && m.subarray(1).toString().includes('got live')) ws.close(1000);
      });
    });
    assert.equal(text(r, 1), 'got live\n');
    assert.equal(r.channels.has(2), false, 'stderr was not asked for');
  });
});

describe('attach to a TTY container and with stdinOnce', () => {
  it("puts the caller on the container's terminal and sizes it", async () => {
    const r = await wsSession('/attach/default/web/term?stdin=true&stdout=true&tty=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":90,"Height":30}')]));
      let out = '';
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        if (out.includes('30 90')) ws.close(1000);
      });
      const typing = setInterval(() => ws.send(Buffer.concat([Buffer.of(0), Buffer.from('hi\r')])), 200);
      ws.once('close', () => clearInterval(typing));
    });
    assert.match(text(r, 1), /got hi\r\n/);
    assert.match(text(r, 1), /30 90/);
    assert.equal(r.channels.has(2), false);
  });

  it('sizes the terminal of a container that has only just started', async () => {
    const [sb] = await runtime.listPodSandbox();
    const labels = { 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.container.name': 'fresh' };
    const config = { metadata: { name: 'fresh', attempt: 0 }, image: { image: 'busybox' }, labels, annotations: {}, command: ['sh', '-c', 'read l; stty size; sleep 300'], stdin: true, tty: true };
    const sandboxConfig = { metadata: sb!.metadata, hostname: 'web', hostNetwork: true, labels: {}, annotations: {} };
    await runtime.startContainer(await runtime.createContainer(sb!.id, config, sandboxConfig));
    const r = await wsSession('/attach/default/web/fresh?stdin=true&stdout=true&tty=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":99,"Height":33}')]));
      let out = '';
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        if (/\d+ \d+\r\n/.test(out)) ws.close(1000);
      });
      const typing = setInterval(() => ws.send(Buffer.concat([Buffer.of(0), Buffer.from('x\r')])), 300);
      ws.once('close', () => clearInterval(typing));
    });
    assert.match(text(r, 1), /33 99/);
  });

  it('closes the container stdin when the first attach closes its stdin', async () => {
    const r = await wsSession('/attach/default/web/once?stdin=true&stdout=true&stderr=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from('abc\n')]));
      ws.send(Buffer.of(255, 0));
      let out = '';
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        if (out.includes('stdin closed')) ws.close(1000);
      });
    });
    assert.equal(text(r, 1), 'abc\nstdin closed\n');
  });
});
