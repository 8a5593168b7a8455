// Simulator options: what `strata sim` flags and SimCluster callers may set, their defaults
// (upstream's where upstream has one: Lease of 40 s renewed every 10 s, node status reported
// every 5 min, 110 pods), validation with messages naming the option, and the frozen config the
// rest of the simulator reads. Also the naming scheme of nodes and zones.

import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, quantityToMilli, tryParseQuantity } from '../../../machinery/index.ts';
import { DEFAULT_NODE_CIDR, nodeAddressCount, nodeRangeCount, parseCidr, prefixSlotOffset } from './ip-pool.ts';

export interface SimOptions {
  /** Nodes start() registers. */
  nodes?: number;
  /** Node names are prefix + index. */
  prefix?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  /** Extra node labels (they win over the generated ones). */
  labels?: Readonly<Record<string, string>>;
  /** Zones nodes are spread over, round-robin by index. */
  zones?: number;
  region?: string;
  instanceType?: string;
  /** Pod ranges are carved from here, one /nodeCidrMaskSize per node. */
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
  /** Node InternalIPs come from here. */
  nodeCidr?: string;
  /**
   * The first address slot (pod range and InternalIP) of this simulator's nodes; by default
   * derived from the prefix, so simulators with different prefixes get disjoint addresses.
   */
  addressOffset?: number;
  leaseDurationSeconds?: number;
  /** Upstream renews at a quarter of the lease duration. */
  leaseRenewIntervalMs?: number;
  /** How often a node posts its status when nothing changed (upstream's nodeStatusReportFrequency). */
  nodeStatusUpdateFrequencyMs?: number;
  /** Readiness delay of containers without a readinessProbe. */
  readyDelayMs?: number;
  /** Longest wait before a gracefully deleted pod's containers stop (the grace period, if shorter, wins). */
  terminationDelayMs?: number;
  /** Run time of pods with restartPolicy other than Always that carry no sim annotations (unset: they run forever). */
  podRunDurationMs?: number;
  /** Run time of pods with an exit-code annotation and no run-ms one. */
  exitAfterMs?: number;
  /** Writes per second across all nodes, the burst after a quiet spell, and requests in flight. */
  qps?: number;
  burst?: number;
  maxInFlight?: number;
  /** Pods synced at once. */
  podWorkers?: number;
}

export interface SimConfig {
  readonly nodes: number;
  readonly prefix: string;
  readonly capacity: Readonly<{ cpu: string; memory: string; pods: string; 'ephemeral-storage': string }>;
  readonly labels: Readonly<Record<string, string>>;
  readonly zones: number;
  readonly region: string;
  readonly instanceType: string;
  readonly clusterCidr: string;
  readonly nodeCidrMaskSize: number;
  readonly nodeCidr: string;
  /** Address slots there are (pod ranges and InternalIPs alike), and the first this simulator uses. */
  readonly addressSlots: number;
  readonly addressOffset: number;
  readonly leaseDurationSeconds: number;
  readonly leaseRenewIntervalMs: number;
  readonly nodeStatusUpdateFrequencyMs: number;
  readonly readyDelayMs: number;
  readonly terminationDelayMs: number;
  readonly podRunDurationMs: number | undefined;
  readonly exitAfterMs: number;
  readonly qps: number;
  readonly burst: number;
  readonly maxInFlight: number;
  readonly podWorkers: number;
}

function quantityOption(name: string, raw: string): string {
  const q = tryParseQuantity(raw);
  if (!q || quantityToMilli(q) <= 0n) throw new Error(`invalid ${name} "${raw}" (want a positive quantity such as 32 or 256Gi)`);
  return raw;
}

function intOption(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`invalid ${name} ${value} (want an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''})`);
  return value;
}

function msOption(name: string, value: number, min = 0): number {
  if (!Number.isFinite(value) || value < min) throw new Error(`invalid ${name} ${value} ms`);
  return value;
}

/** Validates options and fills in defaults; the result is frozen. */
export function resolveSimConfig(o: SimOptions = {}): SimConfig {
  const prefix = o.prefix ?? 'sim-';
  const prefixErrors = isDNS1123Subdomain(`${prefix}0`);
  if (prefixErrors.length > 0) throw new Error(`invalid prefix "${prefix}": node names ${prefixErrors.join('; ')}`);
  const labels = { ...o.labels };
  for (const [k, v] of Object.entries(labels)) {
    const errs = [...isQualifiedName(k), ...isValidLabelValue(v)];
    if (errs.length > 0) throw new Error(`invalid label ${k}=${v}: ${errs.join('; ')}`);
  }
  const cluster = parseCidr(o.clusterCidr ?? '10.128.0.0/9');
  const maskSize = intOption('node CIDR mask size', o.nodeCidrMaskSize ?? 24, cluster.prefix, 30);
  const nodeNetwork = parseCidr(o.nodeCidr ?? DEFAULT_NODE_CIDR);
  if (nodeNetwork.prefix > 30) throw new Error(`invalid node CIDR "${o.nodeCidr}" (want /30 or larger)`);
  const addressSlots = Math.min(nodeRangeCount(cluster, maskSize), nodeAddressCount(nodeNetwork));
  const leaseDurationSeconds = intOption('lease duration', o.leaseDurationSeconds ?? 40, 1);
  const config: SimConfig = {
    nodes: intOption('node count', o.nodes ?? 1, 0, addressSlots),
    prefix,
    capacity: Object.freeze({
      cpu: quantityOption('cpu', o.cpu ?? '32'),
      memory: quantityOption('memory', o.memory ?? '256Gi'),
      pods: String(intOption('pods', o.pods ?? 110, 1)),
      'ephemeral-storage': quantityOption('ephemeral storage', o.ephemeralStorage ?? '100Gi'),
    }),
    labels: Object.freeze(labels),
    zones: intOption('zone count', o.zones ?? 1, 1, 1000),
    region: o.region ?? 'sim-region',
    instanceType: o.instanceType ?? 'sim.standard',
    clusterCidr: o.clusterCidr ?? '10.128.0.0/9',
    nodeCidrMaskSize: maskSize,
    nodeCidr: o.nodeCidr ?? DEFAULT_NODE_CIDR,
    addressSlots,
    addressOffset: o.addressOffset === undefined ? prefixSlotOffset(prefix, addressSlots) : intOption('address offset', o.addressOffset, 0, addressSlots - 1),
    leaseDurationSeconds,
    leaseRenewIntervalMs: msOption('lease renew interval', o.leaseRenewIntervalMs ?? (leaseDurationSeconds * 1000) / 4, 1),
    nodeStatusUpdateFrequencyMs: msOption('node status update frequency', o.nodeStatusUpdateFrequencyMs ?? 300_000, 1),
    readyDelayMs: msOption('ready delay', o.readyDelayMs ?? 0),
    terminationDelayMs: msOption('termination delay', o.terminationDelayMs ?? 200),
    podRunDurationMs: o.podRunDurationMs === undefined ? undefined : msOption('pod run duration', o.podRunDurationMs),
    exitAfterMs: msOption('exit-after', o.exitAfterMs ?? 300),
    qps: msOption('qps', o.qps ?? 1000, 0.001),
    burst: intOption('burst', o.burst ?? 200, 1),
    // Throughput is slots ÷ latency: 128 keeps 5,000 nodes' renewals (500/s) and pod status
    // flowing at 250 ms of server latency, and stays under upstream's 200 mutating requests in flight.
    maxInFlight: intOption('max in flight', o.maxInFlight ?? 128, 1),
    // Enough to fill the pod lane's share of the in-flight slots (half of 128) with status writes.
    podWorkers: intOption('pod workers', o.podWorkers ?? 64, 1),
  };
  for (const [k, v] of Object.entries(labels)) if (k === 'kubernetes.io/hostname') throw new Error(`label ${k}=${v} is set per node by the simulator`);
  return Object.freeze(config);
}

/** `k=v,k2=v2` (as --labels takes them). */
export function parseLabels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${item}" (want key=value)`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export const nodeName = (config: Pick<SimConfig, 'prefix'>, index: number): string => `${config.prefix}${index}`;

/** Zones are the region plus a letter, like a cloud's (sim-region-a, -b, …), then -z26 onwards. */
export function zoneName(config: Pick<SimConfig, 'region' | 'zones'>, index: number): string {
  const z = index % config.zones;
  return `${config.region}-${z < 26 ? String.fromCharCode(97 + z) : `z${z}`}`;
}
