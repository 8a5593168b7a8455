// PodSpec and PodTemplateSpec validation (upstream ValidatePodSpec / ValidatePodTemplateSpec),
// shared by Pod and by every controller that embeds a pod template.

import {
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  maxLenError,
  regexError,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
} from '../../machinery/index.ts';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './affinity.ts';
import {
  dnsLabelErrors,
  validateContainerCommon,
  validateContainers,
  validateInitContainers,
  type ContainerContext,
} from './container.ts';
import { fieldErrors, index, notFound, isRec, list, num, obj, oneOf, optionalOneOf, rec, recList, str, type Errs, type Rec } from './fields.ts';
import { validateResourceList, validateContainerResourceName } from './resources.ts';
import { validatePodSecurityContext } from './security-context.ts';
import { validateVolumes } from './volume.ts';

const SEARCH_FMT = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*';
const SEARCH_RE = new RegExp(`^${SEARCH_FMT}$`);
const SEARCH_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const MAX_INT32 = 2147483647;

export interface PodSpecOptions {
  /** True when validating a Pod itself rather than a template embedded in another object. */
  resourceIsPod: boolean;
}

/** Fields an ephemeral container may set; everything else is forbidden on it. */
const EPHEMERAL_ALLOWED = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices', 'terminationMessagePath',
  'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName',
]);

function validateEphemeralContainers(spec: Rec, ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const others = new Set([...recList(spec, 'containers'), ...recList(spec, 'initContainers')].map((c) => str(c, 'name')));
  const all = new Set(others);
  recList(spec, 'ephemeralContainers').forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const name = str(c, 'name');
    if (all.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else all.add(name);
    const target = str(c, 'targetContainerName');
    if (target && !others.has(target)) errs.push(notFound(`${p}.targetContainerName`, target));
    for (const [k, v] of Object.entries(c)) {
      const set = v !== undefined && v !== null && !(isRec(v) && Object.keys(v).length === 0) && !(Array.isArray(v) && v.length === 0);
      if (set && !EPHEMERAL_ALLOWED.has(k)) errs.push(fieldErrors.forbidden(`${p}.${k}`, 'cannot be set for an Ephemeral Container'));
    }
  });
  return errs;
}

function validateDNSConfig(spec: Rec, path: string): Errs {
  const errs: Errs = [];
  const config = rec(spec, 'dnsConfig');
  if (spec['dnsPolicy'] === 'None') {
    if (!config) return [fieldErrors.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (list(config, 'nameservers').length === 0) return [fieldErrors.required(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return errs;
  const nameservers = list(config, 'nameservers');
  if (nameservers.length > 3) errs.push(fieldErrors.invalid(`${path}.nameservers`, nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    const s = typeof ns === 'string' ? ns : '';
    errs.push(...isValidIP(s).map((m) => fieldErrors.invalid(`${path}.nameservers[${i}]`, s, m)));
  });
  const searches = list(config, 'searches').map((s) => (typeof s === 'string' ? s : ''));
  if (searches.length > 32) errs.push(fieldErrors.invalid(`${path}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(fieldErrors.invalid(`${path}.searches`, searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    if (s === '.') return;
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    // Relaxed DNS search validation (on by default since 1.32) also accepts underscores.
    const p = `${path}.searches[${i}]`;
    if (trimmed.length > 253) errs.push(fieldErrors.invalid(p, trimmed, maxLenError(253)));
    if (!SEARCH_RE.test(trimmed)) errs.push(fieldErrors.invalid(p, trimmed, regexError(SEARCH_ERR, SEARCH_FMT, 'example.com')));
  });
  recList(config, 'options').forEach((o, i) => {
    if (!str(o, 'name')) errs.push(fieldErrors.required(`${path}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

function subdomainField(spec: Rec, k: string, path: string): Errs {
  const v = str(spec, k);
  return v ? nameIsDNSSubdomain(v, false).map((m) => fieldErrors.invalid(`${path}.${k}`, v, m)) : [];
}

export function validatePodSpec(spec: Rec, path: string, opts: PodSpecOptions): Errs {
  const errs: Errs = [];
  const grace = spec['terminationGracePeriodSeconds'];
  if (grace === undefined || grace === null) errs.push(fieldErrors.required(`${path}.terminationGracePeriodSeconds`, ''));
  const vols = validateVolumes(recList(spec, 'volumes'), `${path}.volumes`, opts.resourceIsPod);
  errs.push(...vols.errs);
  const ctx: ContainerContext = { volumes: vols.volumes, gracePeriod: typeof grace === 'number' ? grace : undefined };
  const containers = recList(spec, 'containers');
  errs.push(...validateContainers(containers, ctx, `${path}.containers`));
  errs.push(...validateInitContainers(recList(spec, 'initContainers'), containers, ctx, `${path}.initContainers`));
  errs.push(...validateEphemeralContainers(spec, ctx, `${path}.ephemeralContainers`));
  const podResources = rec(spec, 'resources');
  if (podResources) {
    validateResourceList(podResources['limits'], `${path}.resources.limits`, validateContainerResourceName, errs);
    validateResourceList(podResources['requests'], `${path}.resources.requests`, validateContainerResourceName, errs);
  }
  if (spec['hostNetwork'] === true) {
    containers.forEach((c, i) =>
      recList(c, 'ports').forEach((port, j) => {
        const hp = num(port, 'hostPort') ?? 0;
        const cp = num(port, 'containerPort') ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
          errs.push(fieldErrors.invalid(`${path}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  errs.push(...oneOf(spec['restartPolicy'], RESTART_POLICIES, `${path}.restartPolicy`));
  errs.push(...oneOf(spec['dnsPolicy'], DNS_POLICIES, `${path}.dnsPolicy`));
  errs.push(...validateLabels(spec['nodeSelector'], `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(spec['securityContext'], `${path}.securityContext`));
  if (spec['shareProcessNamespace'] === true && spec['hostPID'] === true) {
    errs.push(fieldErrors.invalid(`${path}.securityContext.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  recList(spec, 'imagePullSecrets').forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== 'name')) errs.push(fieldErrors.invalid(index(`${path}.imagePullSecrets`, i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec['affinity'], `${path}.affinity`));
  errs.push(...validateDNSConfig(spec, `${path}.dnsConfig`));
  recList(spec, 'readinessGates').forEach((g, i) => {
    const t = str(g, 'conditionType');
    errs.push(...isQualifiedName(t).map((m) => fieldErrors.invalid(`${path}.readinessGates[${i}].conditionType`, t, m)));
  });
  const gates = new Set<string>();
  recList(spec, 'schedulingGates').forEach((g, i) => {
    const p = `${path}.schedulingGates[${i}]`;
    const name = str(g, 'name');
    errs.push(...isQualifiedName(name).map((m) => fieldErrors.invalid(p, name, m)));
    if (gates.has(name)) errs.push(fieldErrors.duplicate(p, name));
    gates.add(name);
  });
  errs.push(...validateTopologySpreadConstraints(recList(spec, 'topologySpreadConstraints'), `${path}.topologySpreadConstraints`));
  errs.push(...subdomainField(spec, 'serviceAccountName', path));
  errs.push(...subdomainField(spec, 'nodeName', path));
  const ads = spec['activeDeadlineSeconds'];
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32)) errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  for (const k of ['hostname', 'subdomain']) {
    const v = str(spec, k);
    if (v) errs.push(...dnsLabelErrors(v, `${path}.${k}`));
  }
  errs.push(...validateTolerations(recList(spec, 'tolerations'), `${path}.tolerations`));
  recList(spec, 'hostAliases').forEach((a, i) => {
    const p = `${path}.hostAliases[${i}]`;
    const ip = str(a, 'ip');
    errs.push(...isValidIP(ip).map((m) => fieldErrors.invalid(`${p}.ip`, ip, m)));
    list(a, 'hostnames').forEach((h, j) => {
      const s = typeof h === 'string' ? h : '';
      errs.push(...isDNS1123Subdomain(s).map((m) => fieldErrors.invalid(`${p}.hostnames[${j}]`, s, m)));
    });
  });
  errs.push(...subdomainField(spec, 'priorityClassName', path));
  if (typeof spec['runtimeClassName'] === 'string') {
    const rc = spec['runtimeClassName'];
    errs.push(...nameIsDNSSubdomain(rc, false).map((m) => fieldErrors.invalid(`${path}.runtimeClassName`, rc, m)));
  }
  errs.push(...optionalOneOf(spec['preemptionPolicy'], ['PreemptLowerPriority', 'Never'], `${path}.preemptionPolicy`));
  if (isRec(spec['overhead'])) validateResourceList(spec['overhead'], `${path}.overhead`, validateContainerResourceName, errs);
  const os = rec(spec, 'os');
  if (os) {
    const name = str(os, 'name');
    if (!name) errs.push(fieldErrors.required(`${path}.os.name`, 'cannot be empty'));
    else if (name !== 'linux' && name !== 'windows') errs.push(fieldErrors.notSupported(`${path}.os`, name, ['linux', 'windows']));
  }
  return errs;
}

/** A pod template embedded in another object: labels, annotations and the spec. */
export function validatePodTemplateSpec(template: unknown, path: string): Errs {
  if (!isRec(template)) return [fieldErrors.required(path, '')];
  const meta = obj(template, 'metadata');
  const errs = [...validateLabels(meta['labels'], `${path}.labels`), ...validateAnnotations(meta['annotations'], `${path}.annotations`)];
  const spec = obj(template, 'spec');
  errs.push(...validatePodSpec(spec, `${path}.spec`, { resourceIsPod: false }));
  if (list(spec, 'ephemeralContainers').length > 0) errs.push(fieldErrors.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** The labels of a pod template (for selector matching). */
export function templateLabels(template: unknown): Record<string, unknown> {
  return obj(obj(template, 'metadata'), 'labels');
}
