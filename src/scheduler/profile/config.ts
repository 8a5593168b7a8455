// Reading a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): strict field checking,
// defaults (one "default-scheduler" profile with the default plugins, 1 s/10 s backoff, adaptive
// percentageOfNodesToScore), validation with field paths, and a trial build of every profile's
// framework so that plugin wiring mistakes surface before the scheduler starts.

import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { FakeClock } from '../../client/index.ts';
import { Snapshot } from '../cache/snapshot.ts';
import { Framework, type Registry } from '../framework/framework.ts';
import { staticListers } from '../framework/listers.ts';
import { inTreeRegistry, NOT_IMPLEMENTED } from '../plugins/registry.ts';
import { mergePlugins } from './defaults.ts';
import { FieldErrors, resolveArgs } from './plugin-args.ts';
import {
  CONFIG_API_VERSION,
  CONFIG_KIND,
  EXTENSION_POINTS,
  type KubeSchedulerConfiguration,
  type Plugins,
  type ResolvedProfile,
  type SchedulerConfig,
} from './types.ts';
import { DEFAULT_SCHEDULER_NAME } from '../api-types.ts';

export class ConfigError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[], source = 'scheduler configuration') {
    super(`invalid ${source}:\n  ${errors.join('\n  ')}`);
    this.name = 'ConfigError';
    this.errors = errors;
  }
}

const TOP_LEVEL = [
  'apiVersion',
  'kind',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'parallelism',
  'profiles',
  'leaderElection',
  'clientConnection',
  'healthzBindAddress',
  'metricsBindAddress',
  'enableProfiling',
  'enableContentionProfiling',
  'extenders',
  'delayCacheUntilActive',
  'debuggingConfiguration',
];
const PROFILE_FIELDS = ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig'];
const LEADER_FIELDS = ['leaderElect', 'leaseDuration', 'renewDeadline', 'retryPeriod', 'resourceLock', 'resourceName', 'resourceNamespace'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkPercentage(errs: FieldErrors, path: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) errs.invalid(path, v, 'not in valid range [0-100]');
}

/** Validates and defaults a parsed configuration; throws ConfigError listing every problem. */
export function resolveConfig(raw: unknown, registry: Registry = inTreeRegistry()): SchedulerConfig {
  const errs = new FieldErrors();
  const cfg = (isObj(raw) ? raw : {}) as KubeSchedulerConfiguration;
  if (!isObj(raw)) errs.invalid('', raw, 'the configuration must be a YAML or JSON object');
  if (cfg.apiVersion !== CONFIG_API_VERSION) errs.unsupported('apiVersion', cfg.apiVersion ?? '', [CONFIG_API_VERSION]);
  if (cfg.kind !== CONFIG_KIND) errs.unsupported('kind', cfg.kind ?? '', [CONFIG_KIND]);
  errs.unknownFields('', cfg, TOP_LEVEL);
  if (cfg.extenders !== undefined) errs.forbidden('extenders', 'scheduler extenders are not supported');
  checkPercentage(errs, 'percentageOfNodesToScore', cfg.percentageOfNodesToScore);
  const initial = cfg.podInitialBackoffSeconds ?? 1;
  const max = cfg.podMaxBackoffSeconds ?? 10;
  if (typeof initial !== 'number' || initial <= 0) errs.invalid('podInitialBackoffSeconds', initial, 'must be greater than 0');
  if (typeof max !== 'number' || max < initial) errs.invalid('podMaxBackoffSeconds', max, 'must be greater than or equal to PodInitialBackoffSeconds');
  const le = cfg.leaderElection ?? {};
  if (!isObj(le)) errs.invalid('leaderElection', le, 'must be an object');
  else errs.unknownFields('leaderElection', le, LEADER_FIELDS);

  const rawProfiles = cfg.profiles === undefined || cfg.profiles === null ? [{}] : cfg.profiles;
  const profiles: ResolvedProfile[] = [];
  if (!Array.isArray(rawProfiles) || rawProfiles.length === 0) errs.required('profiles', 'at least one profile is required');
  const names = new Set<string>();
  (Array.isArray(rawProfiles) ? rawProfiles : []).forEach((p: unknown, i) => {
    const path = `profiles[${i}]`;
    if (!isObj(p)) return errs.invalid(path, p, 'must be an object');
    errs.unknownFields(path, p, PROFILE_FIELDS);
    const name = p['schedulerName'] === undefined ? DEFAULT_SCHEDULER_NAME : p['schedulerName'];
    if (typeof name !== 'string' || name === '') errs.required(`${path}.schedulerName`);
    else if (names.has(name)) errs.duplicate(`${path}.schedulerName`, name);
    names.add(String(name));
    checkPercentage(errs, `${path}.percentageOfNodesToScore`, p['percentageOfNodesToScore']);
    const plugins = p['plugins'] ?? {};
    if (!isObj(plugins)) return errs.invalid(`${path}.plugins`, plugins, 'must be an object');
    errs.unknownFields(`${path}.plugins`, plugins, ['multiPoint', ...EXTENSION_POINTS]);
    for (const [point, set] of Object.entries(plugins)) {
      const sp = `${path}.plugins.${point}`;
      if (!isObj(set)) {
        errs.invalid(sp, set, 'must be an object with enabled and disabled lists');
        continue;
      }
      errs.unknownFields(sp, set, ['enabled', 'disabled']);
      for (const which of ['enabled', 'disabled'] as const) {
        const list = set[which];
        if (list === undefined || list === null) continue;
        if (!Array.isArray(list)) {
          errs.invalid(`${sp}.${which}`, list, 'must be a list');
          continue;
        }
        list.forEach((ref: unknown, j) => {
          const rp = `${sp}.${which}[${j}]`;
          if (!isObj(ref) || typeof ref['name'] !== 'string' || !ref['name']) return errs.required(`${rp}.name`);
          errs.unknownFields(rp, ref, ['name', 'weight']);
          const pn = ref['name'];
          if (which === 'disabled' && (pn === '*' || NOT_IMPLEMENTED.has(pn))) return;
          if (NOT_IMPLEMENTED.has(pn)) errs.invalid(`${rp}.name`, pn, 'this upstream plugin is not implemented in Strata');
          else if (!registry.has(pn)) errs.invalid(`${rp}.name`, pn, 'no such plugin in the registry');
          const w = ref['weight'];
          if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 0)) errs.invalid(`${rp}.weight`, w, 'must be a non-negative integer');
        });
      }
    }
    const pluginArgs = new Map<string, unknown>();
    const configured = new Set<string>();
    const pluginConfig = p['pluginConfig'] ?? [];
    if (!Array.isArray(pluginConfig)) errs.invalid(`${path}.pluginConfig`, pluginConfig, 'must be a list');
    else
      pluginConfig.forEach((pc: unknown, j) => {
        const pp = `${path}.pluginConfig[${j}]`;
        if (!isObj(pc) || typeof pc['name'] !== 'string') return errs.required(`${pp}.name`);
        errs.unknownFields(pp, pc, ['name', 'args']);
        if (configured.has(pc['name'])) errs.duplicate(pp, pc['name']);
        configured.add(pc['name']);
        if (!registry.has(pc['name'])) return errs.invalid(`${pp}.name`, pc['name'], 'no such plugin in the registry');
        pluginArgs.set(pc['name'], resolveArgs(errs, `${pp}.args`, pc['name'], pc['args']));
      });
    for (const n of registry.keys()) if (!pluginArgs.has(n)) pluginArgs.set(n, resolveArgs(errs, '', n, undefined));
    const pct = p['percentageOfNodesToScore'];
    profiles.push({
      schedulerName: String(name),
      percentageOfNodesToScore: typeof pct === 'number' ? pct : undefined,
      plugins: mergePlugins(plugins as Plugins),
      pluginArgs,
    });
  });
  if (errs.list.length === 0) trialBuild(errs, profiles, registry);
  if (errs.list.length > 0) throw new ConfigError(errs.list);
  const leader = isObj(le) ? le : {};
  return Object.freeze({
    percentageOfNodesToScore: typeof cfg.percentageOfNodesToScore === 'number' ? cfg.percentageOfNodesToScore : 0,
    podInitialBackoffMs: initial * 1000,
    podMaxBackoffMs: max * 1000,
    profiles,
    leaderElection: {
      leaderElect: leader['leaderElect'] !== false,
      leaseDuration: String(leader['leaseDuration'] ?? '15s'),
      renewDeadline: String(leader['renewDeadline'] ?? '10s'),
      retryPeriod: String(leader['retryPeriod'] ?? '2s'),
      resourceNamespace: String(leader['resourceNamespace'] ?? 'kube-system'),
      resourceName: String(leader['resourceName'] ?? 'kube-scheduler'),
    },
  });
}

/** Builds each framework once against empty state: catches bad plugin wiring and differing queue sorts. */
function trialBuild(errs: FieldErrors, profiles: ResolvedProfile[], registry: Registry): void {
  const snapshot = new Snapshot();
  let queueSort: string | undefined;
  profiles.forEach((p, i) => {
    try {
      const fw = new Framework(p, { registry, snapshot: () => snapshot, listers: staticListers(), nominator: { nominatedPodsForNode: () => [] }, clock: new FakeClock() });
      const qs = fw.queueSort.name;
      if (queueSort === undefined) queueSort = qs;
      else if (qs !== queueSort) errs.invalid(`profiles[${i}].plugins.queueSort`, qs, 'queueSort must be the same for all profiles');
    } catch (err) {
      errs.invalid(`profiles[${i}].plugins`, p.schedulerName, err instanceof Error ? err.message : String(err));
    }
  });
}

/** The default configuration (no file given). */
export function defaultConfig(): SchedulerConfig {
  return resolveConfig({ apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND });
}

/** Reads a YAML or JSON KubeSchedulerConfiguration file. */
export async function loadConfigFile(path: string): Promise<SchedulerConfig> {
  const text = await readFile(path, 'utf8');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError([`cannot parse: ${err instanceof Error ? err.message : String(err)}`], path);
  }
  try {
    return resolveConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.errors, path);
    throw err;
  }
}
