// Plugin args of KubeSchedulerConfiguration pluginConfig: defaults (upstream v1 SetDefaults_*Args)
// and validation (upstream validation_pluginargs.go) with field paths, e.g.
//   profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: "Fewest": supported values: ...

import { Names } from '../plugins/names.ts';

export class FieldErrors {
  readonly list: string[] = [];
  invalid(path: string, value: unknown, detail: string): void {
    this.list.push(`${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
  }
  unsupported(path: string, value: unknown, supported: readonly string[]): void {
    this.list.push(`${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`);
  }
  required(path: string, detail = ''): void {
    this.list.push(`${path}: Required value${detail ? `: ${detail}` : ''}`);
  }
  duplicate(path: string, value: unknown): void {
    this.list.push(`${path}: Duplicate value: ${JSON.stringify(value)}`);
  }
  forbidden(path: string, detail: string): void {
    this.list.push(`${path}: Forbidden: ${detail}`);
  }
  unknownFields(path: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.list.push(`${path ? `${path}.` : ''}${k}: unknown field "${k}"`);
  }
}

type Args = Record<string, unknown>;

const isObj = (v: unknown): v is Args => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const STRATEGIES = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'] as const;

function resources(errs: FieldErrors, path: string, list: unknown, weightMustBeOne: boolean): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return errs.invalid(path, list, 'must be a list');
  const seen = new Set<string>();
  list.forEach((r: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(r) || typeof r['name'] !== 'string' || r['name'] === '') return errs.required(`${p}.name`);
    if (seen.has(r['name'])) errs.duplicate(`${p}.name`, r['name']);
    seen.add(r['name']);
    const w = r['weight'];
    if (weightMustBeOne) {
      if (w !== undefined && w !== 1) errs.invalid(`${p}.weight`, w, 'must be 1');
    } else if (!isInt(w) || w < 1 || w > 100) errs.invalid(`${p}.weight`, w, `resource weight of ${r['name']} not in valid range [1, 100]`);
  });
}

function fitArgs(errs: FieldErrors, path: string, a: Args): void {
  errs.unknownFields(path, a, ['apiVersion', 'kind', 'ignoredResources', 'ignoredResourceGroups', 'scoringStrategy']);
  for (const k of ['ignoredResources', 'ignoredResourceGroups']) {
    const v = a[k];
    if (v !== undefined && (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))) errs.invalid(`${path}.${k}`, v, 'must be a list of resource names');
  }
  const s = a['scoringStrategy'];
  if (s === undefined) return;
  const sp = `${path}.scoringStrategy`;
  if (!isObj(s)) return errs.invalid(sp, s, 'must be an object');
  errs.unknownFields(sp, s, ['type', 'resources', 'requestedToCapacityRatio']);
  const type = s['type'];
  if (!STRATEGIES.includes(type as (typeof STRATEGIES)[number])) errs.unsupported(`${sp}.type`, type, STRATEGIES);
  resources(errs, `${sp}.resources`, s['resources'], false);
  const rtc = s['requestedToCapacityRatio'];
  if (type === 'RequestedToCapacityRatio') {
    const shape = isObj(rtc) ? rtc['shape'] : undefined;
    const shp = `${sp}.requestedToCapacityRatio.shape`;
    if (!Array.isArray(shape) || shape.length === 0) return errs.required(shp, 'at least one point must be specified');
    let prev = -1;
    shape.forEach((pt: unknown, i) => {
      const u = isObj(pt) ? pt['utilization'] : undefined;
      const sc = isObj(pt) ? pt['score'] : undefined;
      if (!isInt(u) || u < 0 || u > 100) errs.invalid(`${shp}[${i}].utilization`, u, 'not in valid range [0, 100]');
      else if (u <= prev) errs.invalid(`${shp}[${i}].utilization`, u, 'utilization values must be sorted in increasing order');
      if (isInt(u)) prev = u;
      if (!isInt(sc) || sc < 0 || sc > 10) errs.invalid(`${shp}[${i}].score`, sc, 'not in valid range [0, 10]');
    });
  } else if (rtc !== undefined) {
    errs.forbidden(`${sp}.requestedToCapacityRatio`, `only valid with type "RequestedToCapacityRatio"`);
  }
}

function spreadArgs(errs: FieldErrors, path: string, a: Args): void {
  errs.unknownFields(path, a, ['apiVersion', 'kind', 'defaultConstraints', 'defaultingType']);
  const type = a['defaultingType'] ?? 'System';
  if (type !== 'System' && type !== 'List') errs.unsupported(`${path}.defaultingType`, type, ['System', 'List']);
  const list = a['defaultConstraints'];
  if (list === undefined) return;
  if (!Array.isArray(list)) return errs.invalid(`${path}.defaultConstraints`, list, 'must be a list');
  if (type === 'System' && list.length > 0) errs.invalid(`${path}.defaultingType`, type, 'when .defaultConstraints are not empty, .defaultingType must be "List"');
  const seen = new Set<string>();
  list.forEach((c: unknown, i) => {
    const p = `${path}.defaultConstraints[${i}]`;
    if (!isObj(c)) return errs.invalid(p, c, 'must be an object');
    if (!isInt(c['maxSkew']) || c['maxSkew'] <= 0) errs.invalid(`${p}.maxSkew`, c['maxSkew'], 'must be greater than zero');
    if (typeof c['topologyKey'] !== 'string' || c['topologyKey'] === '') errs.required(`${p}.topologyKey`, 'can not be empty');
    if (c['whenUnsatisfiable'] !== 'DoNotSchedule' && c['whenUnsatisfiable'] !== 'ScheduleAnyway') {
      errs.unsupported(`${p}.whenUnsatisfiable`, c['whenUnsatisfiable'], ['DoNotSchedule', 'ScheduleAnyway']);
    }
    const pair = `${String(c['topologyKey'])}/${String(c['whenUnsatisfiable'])}`;
    if (seen.has(pair)) errs.duplicate(`${p}`, { topologyKey: c['topologyKey'], whenUnsatisfiable: c['whenUnsatisfiable'] });
    seen.add(pair);
    if (c['labelSelector'] !== undefined) errs.forbidden(`${p}.labelSelector`, 'constraint must not define a selector, as they deduced for each pod');
  });
}

function range(errs: FieldErrors, path: string, v: unknown, lo: number, hi: number): void {
  if (v !== undefined && (!isInt(v) || v < lo || v > hi)) errs.invalid(path, v, `not in valid range [${lo}, ${hi}]`);
}

const VALIDATORS: Record<string, (errs: FieldErrors, path: string, a: Args) => void> = {
  [Names.NodeResourcesFit]: fitArgs,
  [Names.PodTopologySpread]: spreadArgs,
  [Names.NodeResourcesBalancedAllocation]: (errs, path, a) => {
    errs.unknownFields(path, a, ['apiVersion', 'kind', 'resources']);
    resources(errs, `${path}.resources`, a['resources'], true);
  },
  [Names.InterPodAffinity]: (errs, path, a) => {
    errs.unknownFields(path, a, ['apiVersion', 'kind', 'hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
    range(errs, `${path}.hardPodAffinityWeight`, a['hardPodAffinityWeight'], 0, 100);
  },
  [Names.DefaultPreemption]: (errs, path, a) => {
    errs.unknownFields(path, a, ['apiVersion', 'kind', 'minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
    range(errs, `${path}.minCandidateNodesPercentage`, a['minCandidateNodesPercentage'], 0, 100);
    const abs = a['minCandidateNodesAbsolute'];
    if (abs !== undefined && (!isInt(abs) || abs < 0)) errs.invalid(`${path}.minCandidateNodesAbsolute`, abs, 'not in valid range [0, inf)');
    if (a['minCandidateNodesPercentage'] === 0 && abs === 0) errs.invalid(`${path}.minCandidateNodesPercentage`, 0, 'cannot be zero at the same time as minCandidateNodesAbsolute');
  },
  [Names.NodeAffinity]: (errs, path, a) => {
    errs.unknownFields(path, a, ['apiVersion', 'kind', 'addedAffinity']);
    if (a['addedAffinity'] !== undefined && !isObj(a['addedAffinity'])) errs.invalid(`${path}.addedAffinity`, a['addedAffinity'], 'must be a NodeAffinity object');
  },
  [Names.VolumeBinding]: (errs, path, a) => {
    errs.unknownFields(path, a, ['apiVersion', 'kind', 'bindTimeoutSeconds', 'shape']);
    const t = a['bindTimeoutSeconds'];
    if (t !== undefined && (!isInt(t) || t < 0)) errs.invalid(`${path}.bindTimeoutSeconds`, t, 'invalid BindTimeoutSeconds, should not be a negative value');
  },
};

/** Defaults for the plugins that take args (upstream v1 defaults). */
export function defaultArgs(name: string): Args | undefined {
  switch (name) {
    case Names.NodeResourcesFit:
      return { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } };
    case Names.NodeResourcesBalancedAllocation:
      return { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] };
    case Names.PodTopologySpread:
      return { defaultingType: 'System' };
    case Names.InterPodAffinity:
      return { hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false };
    case Names.DefaultPreemption:
      return { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 };
    case Names.VolumeBinding:
      return { bindTimeoutSeconds: 600 };
    case Names.NodeAffinity:
      return {};
    default:
      return undefined;
  }
}

/** Validates user args for `name` (after defaults are filled in) and returns the merged args. */
export function resolveArgs(errs: FieldErrors, path: string, name: string, user: unknown): Args | undefined {
  const defaults = defaultArgs(name);
  if (user === undefined || user === null) return defaults;
  if (!isObj(user)) {
    errs.invalid(path, user, 'must be an object');
    return defaults;
  }
  const kind = user['kind'];
  if (kind !== undefined && kind !== `${name}Args`) errs.invalid(`${path}.kind`, kind, `must be "${name}Args"`);
  const validate = VALIDATORS[name];
  if (!validate) {
    errs.unknownFields(path, user, ['apiVersion', 'kind']);
    return defaults;
  }
  const merged: Args = { ...defaults, ...user };
  // A scoring strategy without resources gets the default cpu/memory weights (upstream defaulting).
  if (name === Names.NodeResourcesFit && isObj(merged['scoringStrategy'])) {
    const s: Args = { ...merged['scoringStrategy'] };
    merged['scoringStrategy'] = s;
    if (s['type'] === undefined) s['type'] = 'LeastAllocated';
    if (s['resources'] === undefined) s['resources'] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
  }
  validate(errs, path, merged);
  return merged;
}
