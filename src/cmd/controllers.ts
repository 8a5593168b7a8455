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

export async function startControllerManager(kubeconfigPath: string, logger: Logger): Promise<RunningControllerManager> {
  const client = await RestClient.fromKubeconfig(kubeconfigPath, { userAgent: 'strata-controller-manager' });
  if (!client.config.caPem) throw new Error(`kubeconfig ${kubeconfigPath} names no certificate authority to publish as kube-root-ca.crt`);
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
  const running = await startControllerManager(flags.kubeconfig, logger);
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
