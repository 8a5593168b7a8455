// Prometheus metrics of the API server: requests by verb/resource/code with latency, requests in
// flight, open watches, and store operation latency. A registry per server (no global state).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/types.ts';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'verb' | 'resource' | 'code'>;
  readonly latency: Histogram<'verb' | 'resource'>;
  readonly inflight: Gauge<'kind'>;
  readonly watches: Gauge<'resource'>;
  readonly storeLatency: Histogram<'operation'>;

  constructor() {
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'API requests by verb, resource and HTTP code', labelNames: ['verb', 'resource', 'code'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'API request latency (watches excluded)',
      labelNames: ['verb', 'resource'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Requests being served', labelNames: ['kind'], registers: [this.registry] });
    this.watches = new Gauge({ name: 'apiserver_registered_watchers', help: 'Open watches by resource', labelNames: ['resource'], registers: [this.registry] });
    this.storeLatency = new Histogram({
      name: 'strata_store_request_duration_seconds',
      help: 'Store operation latency',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Wraps a store so every operation's latency is observed. */
  instrument(store: Store): Store {
    const observe = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
      const end = this.storeLatency.startTimer({ operation });
      return run().finally(() => end());
    };
    return {
      backend: store.backend,
      currentRevision: () => store.currentRevision(),
      compactedRevision: () => store.compactedRevision(),
      get: (key) => observe('get', () => store.get(key)),
      list: (prefix, options) => observe('list', () => store.list(prefix, options)),
      create: (key, value) => observe('create', () => store.create(key, value)),
      update: (key, value, rev) => observe('update', () => store.update(key, value, rev)),
      delete: (key, rev) => observe('delete', () => store.delete(key, rev)),
      watch: (prefix, options, handler) => store.watch(prefix, options, handler),
      compact: (rev) => observe('compact', () => store.compact(rev)),
      close: () => store.close(),
    };
  }
}
