// Serves metrics.k8s.io/v1beta1 get and list for NodeMetrics and PodMetrics. Objects are listed
// from the Node and Pod watch caches (labels and selectors apply to them, as metrics-server does
// with its informers), then joined with the points the source collected; an object without a
// point is left out of lists and is NotFound on get.

import type { KubeObject } from '../../api/types.ts';
import { fieldLabelNotSupported, parseFieldSelector } from '../../machinery/fields.ts';
import { parseLabelSelector, type LabelSelector } from '../../machinery/labels.ts';
import { parseQuantity } from '../../machinery/quantity.ts';
import { badRequest, failure, methodNotAllowed, notFound } from '../../machinery/status-error.ts';
import type { ApiRegistry } from '../api-registry.ts';
import type { AnyRequest } from '../http/body.ts';
import type { ResourceRequestInfo } from '../http/request-info.ts';
import { negotiate } from '../http/negotiate.ts';
import { send, type AnyResponse } from '../http/respond.ts';
import { METRICS_DEFINITIONS, METRICS_GROUP, METRICS_VERSION } from './definitions.ts';
import type { MetricsSource } from './kubelet-scraper.ts';
import { cpuQuantity, memoryQuantity, type MetricsPoint, type PodPoint, type Usage } from './metrics-points.ts';

const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** The fields metrics objects can be selected by, as metrics-server's. */
const FIELDS: ReadonlySet<string> = new Set(['metadata.name', 'metadata.namespace']);

export class MetricsApi {
  readonly definitions = METRICS_DEFINITIONS;
  readonly #registry: ApiRegistry;
  readonly #source: MetricsSource;

  constructor(registry: ApiRegistry, source: MetricsSource) {
    this.#registry = registry;
    this.#source = source;
  }

  serves(group: string, version: string): boolean {
    return group === METRICS_GROUP && version === METRICS_VERSION;
  }

  /** Answers a request for this group; returns the status code sent. */
  async handle(req: AnyRequest, res: AnyResponse, info: ResourceRequestInfo, query: URLSearchParams): Promise<number> {
    if (info.resource !== 'nodes' && info.resource !== 'pods') throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
    if (info.subresource !== undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
    if (info.verb !== 'get' && info.verb !== 'list') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    if (info.resource === 'nodes' && info.namespace !== undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource', {});
    let selector: LabelSelector;
    try {
      selector = parseLabelSelector(query.get('labelSelector') ?? '');
    } catch (err) {
      throw badRequest(`unable to parse requirement: ${(err as Error).message}`);
    }
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    const unsupported = fields.unsupportedFields(FIELDS);
    if (unsupported[0] !== undefined) throw fieldLabelNotSupported(unsupported[0]);
    const matches = (o: KubeObject): boolean => selector.matches(o.metadata.labels) && fields.matches({ 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '' });
    const body = info.resource === 'nodes' ? await this.#nodes(info.name, matches) : await this.#pods(info.namespace, info.name, matches);
    const shape = tableShape(req.headers.accept);
    send(req, res, 200, JSON.stringify(shape ? metricsTable(body as Record<string, unknown>, shape, query.get('includeObject')) : body));
    return 200;
  }

  async #nodes(name: string | undefined, matches: (o: KubeObject) => boolean): Promise<unknown> {
    const nodes = this.#objects('Node').filter((n) => (name === undefined ? matches(n) : n.metadata.name === name));
    const snapshot = await this.#source.collect(nodes);
    const items = nodes.flatMap((n) => {
      const p = snapshot.nodes.get(n.metadata.name ?? '');
      return p ? [nodeMetrics(n, p)] : [];
    });
    if (name !== undefined) {
      if (!items[0]) throw notFound({ group: METRICS_GROUP, resource: 'nodemetrics' }, name);
      return items[0];
    }
    return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items };
  }

  async #pods(namespace: string | undefined, name: string | undefined, matches: (o: KubeObject) => boolean): Promise<unknown> {
    const pods = this.#objects('Pod').filter(
      (p) => (namespace === undefined || p.metadata.namespace === namespace) && (name === undefined ? matches(p) : p.metadata.name === name),
    );
    // Only the nodes the selected pods run on are asked (a namespace's pods rarely span them all).
    const hosting = new Set(pods.map((p) => (p['spec'] as { nodeName?: string } | undefined)?.nodeName).filter((n): n is string => !!n));
    const snapshot = await this.#source.collect(this.#objects('Node').filter((n) => hosting.has(n.metadata.name ?? '')));
    const items = pods.flatMap((p) => {
      const point = snapshot.pods.get(`${p.metadata.namespace}/${p.metadata.name}`);
      return point ? [podMetrics(p, point)] : [];
    });
    if (name !== undefined) {
      if (!items[0]) throw notFound({ group: METRICS_GROUP, resource: 'podmetrics' }, `${namespace}/${name}`);
      return items[0];
    }
    return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items };
  }

  #objects(kind: 'Node' | 'Pod'): KubeObject[] {
    const served = this.#registry.forKind('', kind);
    if (!served) return [];
    return [...served.store.cache.entries()].map((e) => e.object);
  }
}

function meta(obj: KubeObject): Record<string, unknown> {
  const m: Record<string, unknown> = { name: obj.metadata.name, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (obj.metadata.namespace) m['namespace'] = obj.metadata.namespace;
  if (obj.metadata.labels) m['labels'] = { ...obj.metadata.labels };
  return m;
}

const usage = (u: Usage): Record<string, string> => ({ cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) });

function nodeMetrics(node: KubeObject, p: MetricsPoint): Record<string, unknown> {
  return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: meta(node), timestamp: p.timestamp, window: p.window, usage: usage(p.usage) };
}

function podMetrics(pod: KubeObject, p: PodPoint): Record<string, unknown> {
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: meta(pod),
    timestamp: p.timestamp,
    window: p.window,
    containers: p.containers.map((c) => ({ name: c.name, usage: usage(c.usage) })),
  };
}

/** The Table version when the client asks for server-side printing (kubectl get podmetrics). */
function tableShape(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  try {
    const shape = negotiate(accept, true);
    return shape.kind === 'table' ? shape.version : undefined;
  } catch {
    return undefined;
  }
}

/** metrics-server's table: Name, one column per resource (summed over containers), Window. */
function metricsTable(body: Record<string, unknown>, version: 'v1' | 'v1beta1', includeObject: string | null): Record<string, unknown> {
  const items = (Array.isArray(body['items']) ? body['items'] : [body]) as Record<string, unknown>[];
  const column = (name: string, format: string, description: string): Record<string, unknown> => ({ name, type: 'string', format, description, priority: 0 });
  const rows = items.map((item) => {
    const usage = item['usage'] as Record<string, string> | undefined;
    let cpu = 0;
    let memory = 0;
    for (const c of (item['containers'] as { usage: Record<string, string> }[] | undefined) ?? [{ usage: usage ?? {} }]) {
      // Quantities keep nano precision: cpu in nanocores, memory in bytes.
      cpu += Number(parseQuantity(c.usage['cpu'] ?? '0').nano);
      memory += Number(parseQuantity(c.usage['memory'] ?? '0').nano / 1_000_000_000n);
    }
    const meta = item['metadata'] as KubeObject['metadata'];
    const row: Record<string, unknown> = { cells: [meta.name, cpuQuantity(cpu), memoryQuantity(memory), item['window']] };
    if (includeObject === 'Object') row['object'] = item;
    else if (includeObject !== 'None') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: meta };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: {},
    columnDefinitions: [
      column('Name', 'name', 'Name of the resource'),
      column('cpu', 'quantity', ''),
      column('memory', 'quantity', ''),
      column('Window', 'duration', ''),
    ],
    rows,
  };
}
