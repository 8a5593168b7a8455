// Records core/v1 Events about objects, as client-go's recorder: a repeat of the same (object,
// type, reason, message, source) within 10 minutes is not a new Event but a PATCH of the first
// one's count and lastTimestamp. Like client-go's spam filter, each (source, object) has a token
// bucket — a burst of 25, then one Event per 5 minutes — so a ReplicaSet creating 5,000 pods
// writes 25 "Created pod" Events, not 5,000. Recording never throws: failures are logged and dropped.

import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { isNotFound } from '../machinery/status-error.ts';
import { realClock, type Clock } from './clock.ts';
import type { RestClient } from './rest-client.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorderOptions {
  source: EventSource;
  /** reportingComponent (defaults to source.component) and reportingInstance of the Events. */
  reportingController?: string;
  reportingInstance?: string;
  clock?: Clock;
  logger?: Logger;
  /** Repeats within this window are aggregated (10 min). */
  aggregationWindowMs?: number;
  /** Most distinct events remembered for aggregation. */
  cacheSize?: number;
  /** Events per object before the spam filter holds back (25); 0 turns the filter off. */
  spamBurst?: number;
  /** One more Event per object is let through every this many ms (5 minutes). */
  spamRefillMs?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

/** The writes the recorder makes; a RestClient is one. */
export type EventSink = Pick<RestClient, 'create' | 'patch'>;

const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

/** metav1.Time: RFC 3339, second precision. */
function time(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  readonly #client: EventSink;
  readonly #options: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, Bucket>();
  /** Serialises writes per aggregation key so a repeat never races the create of its first Event. */
  readonly #chains = new Map<string, Promise<void>>();
  #lastNanos = 0n;

  constructor(client: EventSink, options: EventRecorderOptions) {
    this.#client = client;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Records an Event; the promise settles when it is written (or dropped after logging, or by the spam filter). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    if (!this.#allow(obj)) return Promise.resolve();
    const key = JSON.stringify([obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name, obj.metadata.uid, type, reason, message]);
    const prev = this.#chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.#record(key, obj, type, reason, message)).catch((err: unknown) => {
      this.#options.logger?.warn({ err, reason, object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}` }, 'could not record event');
    });
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    return next;
  }

  /** Takes a token from the object's bucket (refilled at 1 per spamRefillMs, up to spamBurst). */
  #allow(obj: KubeObject): boolean {
    const burst = this.#options.spamBurst ?? 25;
    if (burst <= 0) return true;
    const refill = this.#options.spamRefillMs ?? 5 * 60_000;
    const key = `${obj.apiVersion}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.metadata.name ?? ''}|${obj.metadata.uid ?? ''}`;
    const now = this.#clock.now();
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: burst, at: now };
      if (this.#buckets.size >= (this.#options.cacheSize ?? 4096)) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else {
      this.#buckets.delete(key);
      const earned = Math.floor((now - b.at) / refill);
      if (earned > 0) b = { tokens: Math.min(burst, b.tokens + earned), at: b.at + earned * refill };
    }
    this.#buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }

  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): Promise<void> {
    let i = 0;
    return this.event(obj, type, reason, format.replace(/%[sdv]/g, () => String(args[i++])));
  }

  async #record(key: string, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.#clock.now();
    const seen = this.#seen.get(key);
    if (seen && now - seen.lastMs <= (this.#options.aggregationWindowMs ?? 10 * 60_000)) {
      try {
        await this.#client.patch({ ...EVENTS, namespace: seen.namespace, name: seen.name }, 'merge', { count: seen.count + 1, lastTimestamp: time(now) });
        seen.count++;
        seen.lastMs = now;
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const namespace = obj.metadata.namespace || 'default';
    // Upstream names Events "<object>.<unix nanos in hex>"; the counter keeps names unique within a millisecond.
    this.#lastNanos = BigInt(now) * 1_000_000n > this.#lastNanos ? BigInt(now) * 1_000_000n : this.#lastNanos + 1n;
    const name = `${obj.metadata.name ?? 'unknown'}.${this.#lastNanos.toString(16)}`;
    const o = this.#options;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name,
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
        ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
      },
      type,
      reason,
      message,
      source: o.source,
      firstTimestamp: time(now),
      lastTimestamp: time(now),
      count: 1,
      reportingComponent: o.reportingController ?? o.source.component,
      reportingInstance: o.reportingInstance ?? o.source.host ?? '',
    };
    await this.#client.create({ ...EVENTS, namespace }, event);
    this.#seen.delete(key);
    this.#seen.set(key, { name, namespace, count: 1, firstMs: now, lastMs: now });
    if (this.#seen.size > (o.cacheSize ?? 4096)) this.#seen.delete(this.#seen.keys().next().value!);
  }
}
