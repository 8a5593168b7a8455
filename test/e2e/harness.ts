// Black-box harness for e2e tests: starts `strata server` as a child process in a temp dir on a
// free port, waits until /readyz says ok, and runs real kubectl against it with a private cache.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request, type Agent } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const REPO = resolve(import.meta.dirname, '../..');
export const KUBECTL = '/usr/bin/kubectl';
export const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
export const KUBECTL_131 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
export const KUBECTL_133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  binary?: string;
  timeoutMs?: number;
  /** Extra environment variables (e.g. EDITOR for `kubectl edit`). */
  env?: Record<string, string>;
}

export class StrataProcess {
  readonly dataDir: string;
  readonly port: number;
  readonly cacheDir: string;
  child: ChildProcess | undefined;
  #log = '';

  constructor(dataDir: string, port: number) {
    this.dataDir = dataDir;
    this.port = port;
    this.cacheDir = join(dataDir, 'kube-cache');
  }

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.#log;
  }

  async start(extraArgs: string[] = []): Promise<void> {
    const child = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'server', '--data-dir', this.dataDir, '--port', String(this.port), ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    this.child = child;
    // On a restart the log already holds the previous run's lines: look only at this run's.
    const from = this.#log.length;
    child.stdout?.on('data', (d: Buffer) => (this.#log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`strata server exited with ${child.exitCode}:\n${this.#log.slice(from)}`);
      if (this.#log.includes('API server ready', from)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`strata server did not become ready:\n${this.#log.slice(from)}`);
  }

  /** Sends SIGTERM and waits for a clean exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  kubectl(args: string[], options: KubectlOptions = {}): KubectlResult {
    const result = spawnSync(options.binary ?? KUBECTL, ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
      input: options.input,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 60_000,
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    });
    return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  }

  /** Runs kubectl and throws with its output when it fails. */
  k(args: string[], options: KubectlOptions = {}): string {
    const r = this.kubectl(args, options);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  }

  /** Spawns kubectl in the background (for -w and wait). */
  spawnKubectl(args: string[], binary = KUBECTL): ChildProcess {
    return spawn(binary, ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  #credentials: { text: string; ca: Buffer; cert: Buffer; key: Buffer } | undefined;

  /** The CA and admin client certificate from the kubeconfig (re-read when the file changes). */
  credentials(): { ca: Buffer; cert: Buffer; key: Buffer } {
    const text = readFileSync(this.kubeconfig, 'utf8');
    if (this.#credentials?.text === text) return this.#credentials;
    const cfg = parse(text) as { clusters: { cluster: { 'certificate-authority-data': string } }[]; users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[] };
    const user = cfg.users[0]!.user;
    this.#credentials = {
      text,
      ca: Buffer.from(cfg.clusters[0]!.cluster['certificate-authority-data'], 'base64'),
      cert: Buffer.from(user['client-certificate-data'], 'base64'),
      key: Buffer.from(user['client-key-data'], 'base64'),
    };
    return this.#credentials;
  }

  /** A raw HTTPS request with the admin client certificate from the kubeconfig. */
  async request(method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string>; auth?: boolean; agent?: Agent } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const { ca, cert, key } = this.credentials();
    const auth = options.auth ?? true;
    const headers: Record<string, string> = { ...options.headers };
    const names = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    // Node frames DELETE/GET bodies neither chunked nor with a length unless told: say the length
    // (callers that want chunked framing pass transfer-encoding themselves).
    if (options.body !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) headers['content-length'] = String(Buffer.byteLength(options.body));
    return new Promise((resolveReq, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          ca,
          ...(auth ? { cert, key } : {}),
          ...(options.agent ? { agent: options.agent } : {}),
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }
}

/** A parsed JSON answer; `body` is loosely typed on purpose (tests poke at arbitrary fields). */
export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  raw: string;
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: string;
  object: any;
}

/** An open watch (or any streamed response): lines are parsed as they arrive. */
export interface WatchStream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Every complete line parsed as JSON, in arrival order. */
  readonly events: WatchEvent[];
  /** Raw bytes of the body so far (for non-200 answers: the Status). */
  readonly text: () => string;
  /** Resolves when the server ends the response (or the connection drops). */
  readonly ended: Promise<void>;
  /** Waits until an event satisfies `pred` (searching events already received first). */
  waitFor(pred: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  close(): void;
}

/** Sends a JSON request and parses the answer (non-JSON answers leave `body` undefined). */
export async function requestJson(proc: StrataProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const options: { body?: string; headers: Record<string, string> } = { headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    options.body = typeof body === 'string' ? body : JSON.stringify(body);
    options.headers['content-type'] ??= 'application/json';
  }
  const res = await proc.request(method, path, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, raw: res.body };
}

/** Opens a streamed GET (a watch) with the admin certificate; resolves once headers arrive. */
export function openWatch(proc: StrataProcess, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  const { ca, cert, key } = proc.credentials();
  return new Promise((resolveOpen, reject) => {
    const req = request({ host: '127.0.0.1', port: proc.port, method: 'GET', path, ca, cert, key, agent: false, headers: { accept: 'application/json', ...headers } }, (res) => {
      const events: WatchEvent[] = [];
      const waiters = new Set<() => void>();
      let text = '';
      let pending = '';
      const ended = new Promise<void>((r) => {
        res.on('end', r);
        res.on('close', r);
        res.on('error', () => r());
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
        }
        for (const w of [...waiters]) w();
      });
      void ended.then(() => {
        for (const w of [...waiters]) w();
      });
      let done = false;
      void ended.then(() => (done = true));
      resolveOpen({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        text: () => text,
        ended,
        waitFor(pred, timeoutMs = 10_000) {
          return new Promise((resolveEvent, rejectEvent) => {
            let seen = 0;
            const check = (): void => {
              for (; seen < events.length; seen++) {
                const e = events[seen] as WatchEvent;
                if (pred(e)) {
                  cleanupWaiter();
                  resolveEvent(e);
                  return;
                }
              }
              if (done) {
                cleanupWaiter();
                rejectEvent(new Error(`watch ended before the expected event; got ${JSON.stringify(events.map((e) => e.type))}`));
              }
            };
            const timer = setTimeout(() => {
              cleanupWaiter();
              rejectEvent(new Error(`timed out waiting for a watch event; got ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
            }, timeoutMs);
            const cleanupWaiter = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/2 connection with the admin certificate; requests are streams on it. */
export interface H2Client {
  request(method: string, path: string, options?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  close(): Promise<void>;
}

export function h2Client(proc: StrataProcess): H2Client {
  const { ca, cert, key } = proc.credentials();
  const session = http2Connect(`https://127.0.0.1:${proc.port}`, { ca, cert, key });
  session.on('error', () => {});
  return {
    request(method, path, options = {}) {
      return new Promise((resolveReq, reject) => {
        // Node ends GET/DELETE streams at once unless told a body follows.
        const stream = session.request({ ':method': method, ':path': path, ...options.headers }, { endStream: options.body === undefined });
        let status = 0;
        let headers: Record<string, string | string[] | undefined> = {};
        const chunks: Buffer[] = [];
        stream.on('response', (h) => {
          status = Number(h[':status']);
          headers = h as Record<string, string | string[] | undefined>;
        });
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolveReq({ status, headers, body: Buffer.concat(chunks).toString('utf8') }));
        stream.on('error', reject);
        if (options.body !== undefined) stream.end(options.body);
      });
    },
    close() {
      return new Promise((r) => session.close(() => r()));
    },
  };
}

/** Polls `GET /readyz` and returns its status code and body. */
export async function readyz(proc: StrataProcess): Promise<{ status: number; body: string }> {
  const res = await proc.request('GET', '/readyz');
  return { status: res.status, body: res.body };
}

/** Starts a fresh server in a temp dir; call `cleanup` when done. */
export async function startStrata(extraArgs: string[] = []): Promise<StrataProcess & { cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-'));
  const proc = new StrataProcess(dir, await freePort());
  try {
    await proc.start(extraArgs);
  } catch (err) {
    // A server that never became ready must not outlive the test, nor its temp dir.
    await proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return Object.assign(proc, {
    async cleanup() {
      await proc.stop();
      // STRATA_E2E_LOG_DIR keeps each server's log for a look after the run.
      const logDir = process.env['STRATA_E2E_LOG_DIR'];
      if (logDir) writeFileSync(join(logDir, `strata-${proc.port}.log`), proc.log);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Polls `probe` until it returns something truthy (which it resolves to) or `ms` pass. */
export async function eventually<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 30_000, intervalMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A `strata sim` child process against a test server. */
export interface SimProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `strata sim` against `proc` and waits until its `nodes` are registered. */
export async function startSim(proc: StrataProcess, nodes: number, args: string[] = []): Promise<SimProcess> {
  const child = spawn(process.execPath, [join(REPO, 'src/cmd/main.ts'), 'sim', '--kubeconfig', proc.kubeconfig, '--nodes', String(nodes), '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const sim: SimProcess = {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => stopChild(child), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await eventually(`strata sim to register ${nodes} nodes`, () => {
      if (child.exitCode !== null) throw new Error(`strata sim exited ${child.exitCode}:\n${out}`);
      return new RegExp(`Strata sim: ${nodes} nodes registered`).test(out);
    }, 30_000);
  } catch (err) {
    stopChild(child);
    throw err;
  }
  return sim;
}

export function writeTemp(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Resolves with the output seen so far once `pattern` matches a spawned kubectl's stdout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolveOut, reject) => {
    let out = '';
    let err = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      fn();
    };
    const onOut = (d: Buffer): void => {
      out += d.toString();
      if (pattern.test(out)) done(() => resolveOut(out));
    };
    const onErr = (d: Buffer): void => void (err += d.toString());
    const onExit = (code: number | null): void => done(() => reject(new Error(`kubectl exited (${code}) before ${pattern}:\nstdout: ${out}\nstderr: ${err}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\nstdout: ${out}\nstderr: ${err}`))), timeoutMs);
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}

/** Waits for a spawned kubectl to exit and returns its exit code and output. */
export function waitForExit(child: ChildProcess, timeoutMs = 30_000): Promise<KubectlResult> {
  return new Promise((resolveExit, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (child.exitCode !== null) {
      resolveExit({ code: child.exitCode, stdout, stderr });
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl did not exit within ${timeoutMs} ms:\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': the process can be gone while the last of its stdout is still unread.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveExit({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Kills a spawned kubectl (by its own pid) if it still runs. */
export function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Parses `kubectl get` table output into records keyed by header (NAME, STATUS, …), slicing each
 * line at the header's column starts so empty cells stay in place.
 */
export function parseTable(output: string): Record<string, string>[] {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) return [];
  const starts: { name: string; at: number }[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) starts.push({ name: m[0], at: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    starts.forEach((col, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.at : line.length;
      row[col.name] = line.slice(col.at, end).trim();
    });
    return row;
  });
}
