// Whether the CRI runtime answers and says RuntimeReady, polled in the background so that the
// Node's Ready condition (read synchronously by the heartbeat) follows it: a containerd that goes
// away makes the node NotReady with "container runtime is down", as the kubelet reports it.

import type { Logger } from 'pino';

export interface HealthTarget {
  ready(): Promise<{ ready: boolean; message?: string }>;
}

export type Health = { ready: true } | { ready: false; message: string };

/** The kubelet checks the runtime about this often (its runtime status loop). */
export const DEFAULT_HEALTH_EVERY_MS = 5_000;

export class RuntimeHealth {
  readonly #target: HealthTarget;
  readonly #log: Logger;
  #last: Health = { ready: true };
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(target: HealthTarget, logger: Logger) {
    this.#target = target;
    this.#log = logger;
  }

  current(): Health {
    return this.#last;
  }

  async check(): Promise<Health> {
    let next: Health;
    try {
      const r = await this.#target.ready();
      next = r.ready ? { ready: true } : { ready: false, message: r.message ?? 'container runtime is not ready' };
    } catch (err) {
      next = { ready: false, message: `container runtime is down: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (next.ready !== this.#last.ready) {
      if (next.ready) this.#log.info('container runtime is ready again');
      else this.#log.error({ reason: next.message }, 'container runtime is not ready');
    }
    this.#last = next;
    return next;
  }

  start(everyMs = DEFAULT_HEALTH_EVERY_MS): void {
    if (this.#timer) return;
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.check().finally(() => (busy = false));
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
