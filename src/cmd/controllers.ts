// `strata controllers`: the controller manager as a process of its own, talking to an API server
// through a kubeconfig; `strata server` starts the same manager in-process (see startControllerManager).

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { restLeaseClient, RestClient, SharedInformerFactory } from '../client/index.ts';
import { ControllerManager, defaultControllers } from '../controllers/index.ts';
import { createLogger } from './logger.ts';

export interface RunningControllerManager {
  manager: ControllerManager;
  /** Stops the controllers, releases the Lease and closes the client. */
  stop(): Promise<void>;
}

/** Runs the leader-elected controller manager through `client` (in-process or over HTTPS). */
export function startControllerManager(client: RestClient, logger: Logger): RunningControllerManager {
  if (!client.config.caPem) throw new Error(`the client for ${client.config.server} names no certificate authority to publish as kube-root-ca.crt`);
  const log = logger.child({ component: 'controller-manager' });
  const manager = new ControllerManager({
    identity: `${hostname()}_${randomUUID()}`,
    leases: restLeaseClient(client),
    informers: () => new SharedInformerFactory(client, { logger: log }),
    controllers: defaultControllers({ client, caPem: client.config.caPem, logger: log }),
    logger: log,
  });
  const ac = new AbortController();
  const done = manager.run(ac.signal).catch((err: unknown) => log.error({ err }, 'controller manager failed'));
  return {
    manager,
    async stop() {
      ac.abort();
      await done;
      client.close();
    },
  };
}

export async function runControllers(flags: { kubeconfig: string; logLevel: string }): Promise<void> {
  const logger = createLogger(flags.logLevel);
  const client = await RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'strata-controller-manager' });
  const running = startControllerManager(client, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
