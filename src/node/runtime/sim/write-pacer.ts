// Paces the simulator's API writes: a token bucket (qps, burst) and a cap on requests in flight,
// with lanes so Lease renewals (what keeps a node alive) go first when the bucket runs dry.
// Thousands of nodes then cost a steady write rate instead of a herd. One timer at most, armed
// only while a lane waits for tokens.
//
// The in-flight slots are shared between busy lanes by weight, not by strict priority: when the
// server is slow, throughput is slots ÷ latency, and at 5,000 nodes with 1 s latency the Lease
// renewals alone (500/s) would keep every slot busy and no pod would ever be marked Running (the
// simulator "stalled"). A lane with work gets at least its weighted share of the slots; an idle
// lane's share goes to the others.

import type { Clock, TimerHandle } from '../../../client/index.ts';

export const PRIORITY = { lease: 0, pod: 1, node: 2 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];
/** Each lane's share of the in-flight slots while several lanes wait, by PRIORITY index. */
const WEIGHTS: readonly number[] = [2, 2, 1];

export interface WritePacerOptions {
  /** Sustained writes per second. */
  qps: number;
  /** Writes that may start at once after a quiet spell. */
  burst: number;
  /** Requests in flight at most. */
  maxInFlight: number;
}

interface Task {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A FIFO that drops consumed slots in chunks instead of shifting the array on every take. */
class Lane {
  #items: Task[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(task: Task): void {
    this.#items.push(task);
  }

  take(): Task | undefined {
    const task = this.#items[this.#head];
    if (!task) return undefined;
    this.#items[this.#head++] = undefined as unknown as Task;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return task;
  }

  drain(): Task[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

export class WritePacer {
  readonly #clock: Clock;
  readonly #options: WritePacerOptions;
  readonly #lanes: Lane[] = [new Lane(), new Lane(), new Lane()];
  readonly #laneInFlight: number[] = [0, 0, 0];
  #tokens: number;
  #last: number;
  #inFlight = 0;
  #started = 0;
  #timer: TimerHandle | undefined;
  #closed: Error | undefined;

  constructor(clock: Clock, options: WritePacerOptions) {
    if (!(options.qps > 0) || !(options.burst >= 1) || !(options.maxInFlight >= 1)) throw new Error('write pacer needs qps > 0, burst >= 1 and maxInFlight >= 1');
    this.#clock = clock;
    this.#options = options;
    this.#tokens = options.burst;
    this.#last = clock.now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#lanes.reduce((n, l) => n + l.length, 0);
  }

  /** Writes started since construction. */
  get started(): number {
    return this.#started;
  }

  /** Runs `write` when a token and an in-flight slot are free; settles as the write does. */
  run<T>(priority: Priority, write: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<T>((resolve, reject) => {
      this.#lanes[priority]!.push({ run: write, resolve: resolve as (v: unknown) => void, reject });
      this.#pump();
    });
  }

  /** Rejects every queued write with `reason`; writes in flight finish. */
  close(reason: Error = new Error('write pacer closed')): void {
    this.#closed = reason;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const lane of this.#lanes) for (const task of lane.drain()) task.reject(reason);
  }

  #pump(): void {
    if (this.#closed) return;
    while (this.#inFlight < this.#options.maxInFlight) {
      const lane = this.#nextLane();
      if (lane === undefined) return;
      this.#refill();
      if (this.#tokens < 1) {
        if (!this.#timer) {
          const wait = Math.ceil(((1 - this.#tokens) / this.#options.qps) * 1000);
          this.#timer = this.#clock.setTimeout(() => {
            this.#timer = undefined;
            this.#pump();
          }, wait);
        }
        return;
      }
      this.#tokens -= 1;
      this.#start(lane, this.#lanes[lane]!.take()!);
    }
  }

  /** The waiting lane furthest below its weighted share of the slots; ties go to the higher priority. */
  #nextLane(): number | undefined {
    let best: number | undefined;
    for (let i = 0; i < this.#lanes.length; i++) {
      if (this.#lanes[i]!.length === 0) continue;
      if (best === undefined || this.#laneInFlight[i]! / WEIGHTS[i]! < this.#laneInFlight[best]! / WEIGHTS[best]!) best = i;
    }
    return best;
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#options.burst, this.#tokens + ((now - this.#last) / 1000) * this.#options.qps);
    this.#last = now;
  }

  #start(lane: number, task: Task): void {
    this.#inFlight++;
    this.#laneInFlight[lane]!++;
    this.#started++;
    let result: Promise<unknown>;
    try {
      result = task.run();
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(task.resolve, task.reject).finally(() => {
      this.#inFlight--;
      this.#laneInFlight[lane]!--;
      this.#pump();
    });
  }
}
