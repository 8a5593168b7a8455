// One informer per monitored resource feeding the graph builder (upstream's GraphBuilder monitors).
// Built-in resources use the term's shared informers (the pod, ReplicaSet... caches other
// controllers keep anyway). Custom resources get private informers the collector can stop: a CRD
// can be deleted, and a shared informer would then retry its list and watch for the rest of the
// term. A monitor's handlers only turn events into graph updates; they never do I/O.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { Informer, listWatchFor, realClock, type Clock, type RestClient, type SharedInformerFactory } from '../../client/index.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { ObjectIdentity } from './identity.ts';
import { groupResource, type DiscoveredResource, type RestMapper } from './rest-mapper.ts';

export interface Monitor {
  resource: DiscoveredResource;
  informer: Informer<KubeObject>;
  /** Aborts a private informer; undefined for shared ones, which live as long as the term. */
  stop: AbortController | undefined;
  /** Cleared when the monitor is dropped: its handlers ignore whatever still arrives. */
  active: boolean;
  /** Settles when the informer has stopped. */
  running: Promise<void>;
}

export interface MonitorsDeps {
  client: RestClient;
  informers: SharedInformerFactory;
  builder: GraphBuilder;
  /** True when a CRD serves group/resource (those get private informers). */
  isCustom(group: string, resource: string): boolean;
  clock?: Clock;
  logger?: Logger;
}

export class Monitors {
  readonly #deps: MonitorsDeps;
  /** group resource → monitor */
  readonly #monitors = new Map<string, Monitor>();
  /** Every informer run started, dropped monitors' included. */
  readonly #runs: Promise<void>[] = [];

  constructor(deps: MonitorsDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#monitors.size;
  }

  all(): Monitor[] {
    return [...this.#monitors.values()];
  }

  /**
   * Starts monitors for resources `mapper` lists that have none yet and drops the private ones
   * whose resource is no longer served (groups whose discovery failed keep theirs). Returns the
   * monitors it started.
   */
  sync(mapper: RestMapper, failedGroups: ReadonlySet<string>, signal: AbortSignal): Monitor[] {
    const wanted = new Map(mapper.monitorable.map((r) => [groupResource(r), r]));
    for (const [key, monitor] of this.#monitors) {
      if (wanted.has(key) || failedGroups.has(monitor.resource.group) || !monitor.stop) continue;
      this.#deps.logger?.info({ resource: key }, 'resource no longer served; stopping its monitor');
      monitor.active = false;
      monitor.stop.abort();
      this.#monitors.delete(key);
    }
    const added: Monitor[] = [];
    for (const [key, resource] of wanted) {
      if (this.#monitors.has(key)) continue;
      const monitor = this.#start(resource, signal);
      this.#monitors.set(key, monitor);
      added.push(monitor);
    }
    return added;
  }

  #start(resource: DiscoveredResource, signal: AbortSignal): Monitor {
    const { client, informers, builder } = this.#deps;
    const type = { group: resource.group, version: resource.version, resource: resource.resource };
    const custom = this.#deps.isCustom(resource.group, resource.resource);
    const stop = custom ? new AbortController() : undefined;
    const informer = custom
      ? new Informer<KubeObject>(listWatchFor(client, type), { ...(this.#deps.clock ? { clock: this.#deps.clock } : {}), ...(this.#deps.logger ? { logger: this.#deps.logger } : {}) })
      : informers.informerFor(type);
    const running = informer.run(stop ? AbortSignal.any([signal, stop.signal]) : signal);
    this.#runs.push(running);
    const monitor: Monitor = { resource, informer, stop, active: true, running };
    const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    const identity = (obj: KubeObject): ObjectIdentity => ({
      apiVersion,
      kind: resource.kind,
      name: obj.metadata.name ?? '',
      uid: obj.metadata.uid ?? '',
      namespace: obj.metadata.namespace ?? '',
    });
    informer.addEventHandler({
      onAdd: (obj) => monitor.active && builder.observe('add', identity(obj), obj),
      onUpdate: (old, obj) => monitor.active && builder.observe('update', identity(obj), obj, old),
      onDelete: (obj) => monitor.active && builder.observe('delete', identity(obj), obj),
    });
    return monitor;
  }

  /** Settles once every informer started has stopped (after the run signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#runs);
  }

  /** Monitors whose informer has not synced yet (for logs). */
  unsynced(): string[] {
    return this.all().filter((m) => !m.informer.synced).map((m) => groupResource(m.resource));
  }
}

/** Resolves true once every informer has synced, false on timeout (when given) or abort. */
export async function waitForSync(informers: readonly Informer<KubeObject>[], signal: AbortSignal, clock: Clock = realClock, timeoutMs?: number): Promise<boolean> {
  if (informers.every((i) => i.synced)) return true;
  let cancel = (): void => {};
  const stopped = new Promise<false>((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs !== undefined ? clock.setTimeout(() => resolve(false), timeoutMs) : undefined;
    cancel = () => {
      timer?.cancel();
      signal.removeEventListener('abort', onAbort);
    };
  });
  try {
    return await Promise.race([Promise.all(informers.map((i) => i.hasSynced)).then(() => true as const), stopped]);
  } finally {
    cancel();
  }
}
