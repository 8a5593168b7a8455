// `strata server`: runs the API server on this machine with the embedded SQLite store.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { startControlPlane } from '../apiserver/index.ts';
import { SqliteStore } from '../store/index.ts';
import { startControllerManager, type ControllerManagerFlags, type RunningControllerManager } from './controllers.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';
import { startScheduler, type RunningScheduler } from './scheduler.ts';
import { createJoinToken, joinCommand } from './token.ts';
import { VERSION } from './version.ts';

export interface ServerFlags extends ControllerManagerFlags {
  dataDir: string;
  port: string;
  bind: string;
  tlsSan: string[];
  serviceCidr: string;
  nodePortRange: string;
  maxInflight: string;
  logLevel: string;
  /** Do not run the controller manager in this process. */
  disableControllers?: boolean;
  /** Do not run the scheduler in this process. */
  disableScheduler?: boolean;
  schedulerConfig?: string;
}

function parsePortRange(raw: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(raw);
  if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 65535) throw new Error(`invalid --service-node-port-range "${raw}" (want e.g. 30000-32767)`);
  return [Number(m[1]), Number(m[2])];
}

export async function runServer(flags: ServerFlags): Promise<void> {
  const logger = createLogger(flags.logLevel);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${flags.port}"`);
  const started = Date.now();
  const firstStart = !existsSync(join(flags.dataDir, 'state.db'));
  const cp = await startControlPlane({
    dataDir: flags.dataDir,
    bind: flags.bind,
    port,
    tlsSans: flags.tlsSan,
    serviceCidr: flags.serviceCidr,
    nodePortRange: parsePortRange(flags.nodePortRange),
    maxInflight: Number(flags.maxInflight),
    version: VERSION,
    logger,
    openStore: () => SqliteStore.open({ path: join(flags.dataDir, 'state.db') }),
  });
  logger.info({ url: cp.url, kubeconfig: cp.kubeconfigPath, host: hostname(), ms: Date.now() - started }, 'API server ready');
  process.stdout.write(`Strata API server ready at ${cp.url}\nkubeconfig: ${cp.kubeconfigPath}\n  export KUBECONFIG=${cp.kubeconfigPath}\n`);
  if (firstStart) {
    // A fresh cluster offers a way in for worker machines; later tokens come from `strata token create`.
    // Other machines reach the server by its first --tls-san (which the serving certificate covers).
    const san = flags.tlsSan[0];
    const joinUrl = san ? `https://${san.includes(':') ? `[${san}]` : san}:${new URL(cp.url).port}` : cp.url;
    const client = cp.localClient(undefined, 'strata-server');
    try {
      const token = await createJoinToken(client, 24 * 3_600_000, 'printed by strata server on first start');
      process.stdout.write(`To join a machine as a node (the token is valid for 24h):\n  ${joinCommand(joinUrl, token, cp.pki.caCertPem)}\n`);
    } catch (err) {
      logger.warn({ err }, 'could not create a join token; use `strata token create`');
    } finally {
      client.close();
    }
  }

  // The controllers call the API in-process: the same handlers, admission and watch cache as
  // over the network, without HTTP framing, TLS or JSON over a socket.
  let controllers: RunningControllerManager | undefined;
  if (!flags.disableControllers) controllers = startControllerManager(cp.localClient(undefined, 'strata-controller-manager'), logger, flags, { caKeyPem: cp.pki.caKeyPem });

  // The scheduler, likewise in-process, campaigns for its own Lease (kube-system/kube-scheduler).
  let scheduler: RunningScheduler | undefined;
  if (!flags.disableScheduler) {
    scheduler = await startScheduler(cp.localClient(undefined, 'strata-scheduler'), logger, flags.schedulerConfig ? { config: flags.schedulerConfig } : {});
  }

  // Controllers and scheduler first, so they neither fail against a closing server nor leave a Lease held.
  exitOnSignals(logger, async () => {
    await Promise.all([controllers?.stop(), scheduler?.stop()]);
    await cp.close();
  });
}

