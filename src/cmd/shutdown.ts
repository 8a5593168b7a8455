// How every long-running `strata` command ends: on the first SIGTERM or SIGINT it logs, runs its
// `stop` (release Leases, close clients and servers), and exits 0 — or 1 when stopping failed.
// A second signal while stopping is ignored; the first one's shutdown is already under way.

import type { Logger } from 'pino';

/** Installs the handlers; `stopping` tells a start still in progress that a signal came. */
export function exitOnSignals(logger: Logger, stop: () => Promise<unknown>): { readonly stopping: boolean } {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return {
    get stopping() {
      return stopping;
    },
  };
}
