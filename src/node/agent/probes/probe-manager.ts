// The probers of one pod: a ProbeWorker per (container, probe type) bound to the running
// container's id, replaced when the container is, and the latest results by container id that
// the pod worker reads (liveness/startup failures kill, readiness feeds Ready). Any change of a
// result wakes the pod worker through onResult.

import type { Clock } from '../../../client/clock.ts';
import type { ContainerStatus } from '../../runtime/cri.ts';
import type { ProbeResult, ProbeResults } from '../pod-sync.ts';
import type { ContainerProbeState } from '../pod-status.ts';
import type { ContainerSpec, Probe } from '../pod-types.ts';
import { runAction, type ActionResult, type ExecFn } from './prober.ts';
import { ProbeWorker, type ProbeType } from './probe-worker.ts';

/** Runs one probe against a container (tests replace the network with a function). */
export type ProbeRunner = (probe: Probe, spec: ContainerSpec, container: ContainerStatus, podIP: string, timeoutMs: number) => Promise<ActionResult>;

export interface ProbeManagerDeps {
  clock: Clock;
  exec?: ExecFn;
  run?: ProbeRunner;
  onResult(event: { type: ProbeType; container: string; containerId: string; result: ProbeResult; output: string }): void;
}

const TYPES: readonly ProbeType[] = ['startup', 'liveness', 'readiness'];
const probeOf = (c: ContainerSpec, t: ProbeType): Probe | undefined =>
  t === 'startup' ? c.startupProbe : t === 'liveness' ? c.livenessProbe : c.readinessProbe;

export class ProbeManager implements ProbeResults, ContainerProbeState {
  readonly #deps: ProbeManagerDeps;
  readonly #workers = new Map<string, ProbeWorker>();
  /** `${type}/${containerId}` → result. */
  readonly #results = new Map<string, ProbeResult>();

  constructor(deps: ProbeManagerDeps) {
    this.#deps = deps;
  }

  #run: ProbeRunner = (probe, spec, container, podIP, timeoutMs) =>
    runAction(probe, { podIP, containerId: container.id, ports: spec.ports ?? [], ...(this.#deps.exec ? { exec: this.#deps.exec } : {}) }, timeoutMs);

  /** Aligns the workers with the pod's running containers (call after every sync). */
  sync(specs: readonly ContainerSpec[], running: ReadonlyMap<string, ContainerStatus>, podIP: string): void {
    const wanted = new Set<string>();
    for (const spec of specs) {
      const container = running.get(spec.name);
      if (!container || container.state !== 'CONTAINER_RUNNING') continue;
      for (const type of TYPES) {
        const probe = probeOf(spec, type);
        if (!probe) continue;
        const key = `${spec.name}/${type}`;
        wanted.add(key);
        const existing = this.#workers.get(key);
        if (existing?.containerId === container.id) continue;
        existing?.stop();
        this.#workers.set(key, this.#newWorker(type, probe, spec, container, podIP));
      }
    }
    for (const [key, w] of this.#workers) {
      if (wanted.has(key)) continue;
      w.stop();
      this.#workers.delete(key);
      if (w.type === 'readiness') this.#set('readiness', w.containerId, 'failure');
    }
    // Results of containers that no longer run are of no use.
    const live = new Set([...running.values()].filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id));
    for (const k of this.#results.keys()) if (!live.has(k.slice(k.indexOf('/') + 1))) this.#results.delete(k);
  }

  #newWorker(type: ProbeType, probe: Probe, spec: ContainerSpec, container: ContainerStatus, podIP: string): ProbeWorker {
    const run = this.#deps.run ?? this.#run;
    return new ProbeWorker(type, probe, container.id, container.startedAt, {
      clock: this.#deps.clock,
      run: (p, timeoutMs) => run(p, spec, container, podIP, timeoutMs),
      started: () => this.started(spec, container.id),
      report: (result, output) => {
        if (!this.#set(type, container.id, result)) return;
        if (type === 'startup' && result === 'success') {
          for (const t of ['liveness', 'readiness'] as const) this.#workers.get(`${spec.name}/${t}`)?.kick();
        }
        this.#deps.onResult({ type, container: spec.name, containerId: container.id, result, output });
      },
    });
  }

  /** Records a result; whether it changed. */
  #set(type: ProbeType, id: string, result: ProbeResult): boolean {
    const key = `${type}/${id}`;
    if (this.#results.get(key) === result) return false;
    this.#results.set(key, result);
    return true;
  }

  get(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.#results.get(`${type}/${containerId}`);
  }

  liveness(containerId: string): ProbeResult | undefined {
    return this.get('liveness', containerId);
  }

  startup(containerId: string): ProbeResult | undefined {
    return this.get('startup', containerId);
  }

  started(spec: ContainerSpec, containerId: string): boolean {
    return !spec.startupProbe || this.get('startup', containerId) === 'success';
  }

  ready(spec: ContainerSpec, containerId: string): boolean {
    return !spec.readinessProbe || this.get('readiness', containerId) === 'success';
  }

  /** Workers, by `${container}/${type}` (for tests). */
  worker(container: string, type: ProbeType): ProbeWorker | undefined {
    return this.#workers.get(`${container}/${type}`);
  }

  dispose(): void {
    for (const w of this.#workers.values()) w.stop();
    this.#workers.clear();
  }
}
