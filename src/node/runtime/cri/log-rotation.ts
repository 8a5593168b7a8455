// Size-based rotation of CRI container logs. A CRI runtime only writes the log; rotating it is
// the kubelet's job (its container log manager): once a running container's log is past the limit
// it is renamed away and the runtime is asked to reopen the path (ReopenContainerLog). Names
// follow the process runtime's (log → log.1 → … → log.<maxFiles-1>) so the agent's stats count
// them alike; the log reader follows the new file at the same path.

import { rename, rm, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ContainerStatus } from '../cri.ts';

export interface LogRotationLimits {
  /** Rotate once the current file is larger than this. */
  maxBytes: number;
  /** Files kept per container, the current one included (at least 2). */
  maxFiles: number;
}

export interface RotationTarget {
  listContainers(filter: { state: 'CONTAINER_RUNNING' }): Promise<ContainerStatus[]>;
  reopenContainerLog(containerId: string): Promise<void>;
}

/** The kubelet's container log monitor period. */
export const DEFAULT_ROTATE_EVERY_MS = 10_000;

export class CriLogRotator {
  readonly #target: RotationTarget;
  readonly #limits: LogRotationLimits;
  readonly #log: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(target: RotationTarget, limits: LogRotationLimits, logger: Logger) {
    this.#target = target;
    this.#limits = limits;
    this.#log = logger;
  }

  start(everyMs = DEFAULT_ROTATE_EVERY_MS): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      // One pass at a time: a slow runtime must not pile passes up.
      this.#running ??= this.rotateAll().catch((err: unknown) => this.#log.warn({ err }, 'container log rotation failed')).finally(() => (this.#running = undefined));
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over the running containers. */
  async rotateAll(): Promise<void> {
    for (const c of await this.#target.listContainers({ state: 'CONTAINER_RUNNING' })) {
      if (!c.logPath) continue;
      const size = await stat(c.logPath).then((s) => s.size, () => 0);
      if (size > this.#limits.maxBytes) await this.#rotate(c.id, c.logPath);
    }
  }

  async #rotate(id: string, path: string): Promise<void> {
    const keep = Math.max(2, this.#limits.maxFiles) - 1;
    await rm(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
    await rename(path, `${path}.1`);
    try {
      await this.#target.reopenContainerLog(id);
    } catch (err) {
      // As the kubelet: a container that cannot reopen (it just exited) keeps writing nowhere new,
      // so its log goes back where the reader looks for it.
      await rename(`${path}.1`, path).catch(() => undefined);
      throw err;
    }
  }
}
