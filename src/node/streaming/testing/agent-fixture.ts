// A real process-runtime pod behind the streaming routes, for integration tests: an HTTP server
// hands upgrade requests to the routes as the agent server does (path segments after the prefix,
// decoded), and every container of pod `default/web` is started from the given commands.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from '../../runtime/cri.ts';
import { ProcessRuntime } from '../../runtime/process/index.ts';
import { readJson, type StartedRecord } from '../../runtime/process/state-store.ts';
import { streamingRoutes } from '../index.ts';

export interface AgentFixture {
  runtime: ProcessRuntime;
  port: number;
  close(): Promise<void>;
}

export type ContainerSpecs = Record<string, { command: string[] } & Partial<ContainerConfig>>;

export async function startAgentFixture(containers: ContainerSpecs): Promise<AgentFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'strata-streaming-'));
  const runtime = new ProcessRuntime({ stateDir });
  const sandbox: PodSandboxConfig = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web', attempt: 0 }, hostname: 'web', hostNetwork: true, labels: {}, annotations: {} };
  const sb = await runtime.runPodSandbox(sandbox);
  for (const [name, spec] of Object.entries(containers)) {
    const config: ContainerConfig = {
      metadata: { name, attempt: 0 },
      image: { image: 'busybox' },
      labels: { 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.container.name': name },
      annotations: {},
      ...spec,
    };
    await runtime.startContainer(await runtime.createContainer(sb, config, sandbox));
  }
  const routes = new Map(streamingRoutes({ runtime }).map((r) => [r.prefix, r]));
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const [prefix = '', ...parts] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    void routes.get(prefix)?.upgrade?.(req, socket, head, parts, url, { user: 'test', groups: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    runtime,
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      server.close();
      for (const s of await runtime.listPodSandbox()) await runtime.removePodSandbox(s.id);
      // Safety net for anything a failed test left behind.
      const dir = join(stateDir, 'containers');
      for (const id of existsSync(dir) ? readdirSync(dir) : []) {
        const started = readJson<StartedRecord>(join(dir, id, 'started.json'));
        for (const pid of [started?.pid, started?.supervisorPid]) {
          try {
            if (pid) process.kill(-pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
