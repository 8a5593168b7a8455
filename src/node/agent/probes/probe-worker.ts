// One probe (liveness, readiness or startup) of one container, as upstream's prober worker: the
// first run waits initialDelaySeconds from the container's start, then one run every
// periodSeconds with timeoutSeconds; a result counts only after successThreshold successes or
// failureThreshold failures in a row. Liveness and readiness wait for the startup probe; startup
// stops once it succeeded; a liveness or startup failure puts the worker on hold until the
// container is replaced (the pod worker kills it).

import type { Clock, TimerHandle } from '../../../client/clock.ts';
import type { ProbeResult } from '../pod-sync.ts';
import type { Probe } from '../pod-types.ts';
import type { ActionResult } from './http-get.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeWorkerDeps {
  clock: Clock;
  /** Runs the probe's action once. */
  run(probe: Probe, timeoutMs: number): Promise<ActionResult>;
  /** Whether the container's startup probe (if it has one) has succeeded. */
  started(): boolean;
  /** A result that counts (after thresholds). */
  report(result: ProbeResult, output: string): void;
}

export interface ProbeSettings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeSettings(p: Probe, type: ProbeType): ProbeSettings {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    // Liveness and startup need exactly one success (the API enforces it; defend anyway).
    successThreshold: type === 'readiness' ? Math.max(1, p.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export class ProbeWorker {
  readonly type: ProbeType;
  readonly containerId: string;
  readonly #probe: Probe;
  readonly #settings: ProbeSettings;
  readonly #deps: ProbeWorkerDeps;
  readonly #startedAt: number;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #running = false;
  #onHold = false;
  #last: ProbeResult | undefined;
  #run = 0;
  /** How many times the action ran (for tests and metrics). */
  runs = 0;

  constructor(type: ProbeType, probe: Probe, containerId: string, startedAt: number, deps: ProbeWorkerDeps) {
    this.type = type;
    this.#probe = probe;
    this.containerId = containerId;
    this.#startedAt = startedAt;
    this.#settings = probeSettings(probe, type);
    this.#deps = deps;
    this.#schedule(Math.max(0, startedAt + this.#settings.initialDelayMs - deps.clock.now()));
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    this.#timer = this.#deps.clock.setTimeout(() => void this.#tick(), ms);
  }

  /** Probe now rather than at the next period (the startup probe just succeeded). */
  kick(): void {
    if (!this.#running) this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  async #tick(): Promise<void> {
    if (this.#stopped || this.#running) return;
    const { clock } = this.#deps;
    const s = this.#settings;
    if (this.type === 'startup' && this.#last === 'success') return;
    if (this.#onHold || (this.type !== 'startup' && !this.#deps.started())) return this.#schedule(s.periodMs);
    if (clock.now() < this.#startedAt + s.initialDelayMs) return this.#schedule(this.#startedAt + s.initialDelayMs - clock.now());
    this.#running = true;
    let r: ActionResult;
    try {
      r = await this.#deps.run(this.#probe, s.timeoutMs);
    } finally {
      this.#running = false;
    }
    this.runs++;
    if (this.#stopped) return;
    const result: ProbeResult = r.result;
    if (result === this.#last) this.#run++;
    else {
      this.#last = result;
      this.#run = 1;
    }
    const threshold = result === 'failure' ? s.failureThreshold : s.successThreshold;
    if (this.#run >= threshold) {
      this.#deps.report(result, r.output);
      if (result === 'failure' && this.type !== 'readiness') {
        this.#onHold = true;
        this.#run = 0;
      }
      if (this.type === 'startup' && result === 'success') return;
    }
    this.#schedule(s.periodMs);
  }
}
