// Container validation shared by pods and pod templates: names, images, ports, env, mounts and
// resources (upstream validateContainerCommon and friends). Probes and lifecycle hooks live in
// probes.ts, security contexts in security-context.ts.

import {
  isConfigMapKey,
  isDNS1123Label,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from '../../machinery/index.ts';
import {
  fieldErrors,
  has,
  index,
  list,
  notFound,
  obj,
  oneOf,
  rec,
  recList,
  str,
  validateLocalDescendingPath,
  type Errs,
  type Rec,
} from './fields.ts';
import { validateProbesAndLifecycle } from './probes.ts';
import { validateResourceRequirements } from './resources.ts';
import { validateSecurityContext } from './security-context.ts';

/** What a container can see of its pod: declared volumes and the grace period for sleep hooks. */
export interface ContainerContext {
  /** Volume name → volume source object. */
  volumes: ReadonlyMap<string, Rec>;
  gracePeriod: number | undefined;
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
] as const;
const RESOURCE_FIELD_PATHS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
] as const;

export function dnsLabelErrors(value: string, path: string): Errs {
  return isDNS1123Label(value).map((m) => fieldErrors.invalid(path, value, m));
}

export function qualifiedNameErrors(value: string, path: string): Errs {
  return isQualifiedName(value).map((m) => fieldErrors.invalid(path, value, m));
}

function validatePorts(ports: Rec[], path: string): Errs {
  const errs: Errs = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index(path, i);
    const name = str(port, 'name');
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => fieldErrors.invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = port['containerPort'];
    if (containerPort === undefined || containerPort === null || containerPort === 0) errs.push(fieldErrors.required(`${p}.containerPort`, ''));
    else errs.push(...isValidPortNum(Number(containerPort)).map((m) => fieldErrors.invalid(`${p}.containerPort`, containerPort, m)));
    const hostPort = port['hostPort'];
    if (typeof hostPort === 'number' && hostPort !== 0) errs.push(...isValidPortNum(hostPort).map((m) => fieldErrors.invalid(`${p}.hostPort`, hostPort, m)));
    errs.push(...oneOf(port['protocol'], PROTOCOLS, `${p}.protocol`));
  });
  return errs;
}

function validateKeySelector(sel: Rec, path: string): Errs {
  const name = str(sel, 'name');
  const errs = nameIsDNSSubdomain(name, false).map((m) => fieldErrors.invalid(`${path}.name`, name, m));
  const k = str(sel, 'key');
  if (!k) errs.push(fieldErrors.required(`${path}.key`, ''));
  else errs.push(...isConfigMapKey(k).map((m) => fieldErrors.invalid(`${path}.key`, k, m)));
  return errs;
}

export function validateObjectFieldSelector(fs: Rec, allowed: readonly string[], path: string): Errs {
  const apiVersion = str(fs, 'apiVersion');
  const fieldPath = str(fs, 'fieldPath');
  if (!apiVersion) return [fieldErrors.required(`${path}.apiVersion`, '')];
  if (!fieldPath) return [fieldErrors.required(`${path}.fieldPath`, '')];
  if (apiVersion !== 'v1') return [fieldErrors.invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: unsupported version: ${apiVersion}`)];
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (m) {
    const sub = m[1] === 'metadata.annotations' ? (m[2] ?? '').toLowerCase() : (m[2] ?? '');
    return qualifiedNameErrors(sub, path);
  }
  const subscript = /^([^[]+)\[/.exec(fieldPath);
  if (subscript) return [fieldErrors.invalid(path, subscript[1], 'does not support subscript')];
  return allowed.includes(fieldPath) ? [] : [fieldErrors.notSupported(`${path}.fieldPath`, fieldPath, allowed)];
}

export function validateResourceFieldSelector(fs: Rec, path: string, volume: boolean): Errs {
  const resource = str(fs, 'resource');
  if (volume && !str(fs, 'containerName')) return [fieldErrors.required(`${path}.containerName`, '')];
  if (!resource) return [fieldErrors.required(`${path}.resource`, '')];
  const hugepages = resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-');
  if (!(RESOURCE_FIELD_PATHS as readonly string[]).includes(resource) && !hugepages) {
    return [fieldErrors.notSupported(`${path}.resource`, resource, RESOURCE_FIELD_PATHS)];
  }
  return [];
}

function validateEnv(env: Rec[], path: string): Errs {
  const errs: Errs = [];
  env.forEach((ev, i) => {
    const p = index(path, i);
    const name = str(ev, 'name');
    if (!name) errs.push(fieldErrors.required(`${p}.name`, ''));
    else errs.push(...isRelaxedEnvVarName(name).map((m) => fieldErrors.invalid(`${p}.name`, name, m)));
    const from = rec(ev, 'valueFrom');
    if (!from) return;
    const fp = `${p}.valueFrom`;
    let sources = 0;
    const fieldRef = rec(from, 'fieldRef');
    if (fieldRef) {
      sources++;
      errs.push(...validateObjectFieldSelector(fieldRef, ENV_FIELD_PATHS, `${fp}.fieldRef`));
    }
    const resourceFieldRef = rec(from, 'resourceFieldRef');
    if (resourceFieldRef) {
      sources++;
      errs.push(...validateResourceFieldSelector(resourceFieldRef, `${fp}.resourceFieldRef`, false));
    }
    const configMapKeyRef = rec(from, 'configMapKeyRef');
    if (configMapKeyRef) {
      sources++;
      errs.push(...validateKeySelector(configMapKeyRef, `${fp}.configMapKeyRef`));
    }
    const secretKeyRef = rec(from, 'secretKeyRef');
    if (secretKeyRef) {
      sources++;
      errs.push(...validateKeySelector(secretKeyRef, `${fp}.secretKeyRef`));
    }
    if (sources === 0) errs.push(fieldErrors.invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev, 'value') !== '') errs.push(fieldErrors.invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(fieldErrors.invalid(fp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: Rec[], path: string): Errs {
  const errs: Errs = [];
  envFrom.forEach((ev, i) => {
    const p = index(path, i);
    const prefix = str(ev, 'prefix');
    if (prefix) errs.push(...isRelaxedEnvVarName(prefix).map((m) => fieldErrors.invalid(`${p}.prefix`, prefix, m)));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      const ref = rec(ev, k);
      if (!ref) continue;
      sources++;
      const name = str(ref, 'name');
      if (!name) errs.push(fieldErrors.required(`${p}.${k}.name`, ''));
      else errs.push(...nameIsDNSSubdomain(name, true).map((m) => fieldErrors.invalid(`${p}.${k}.name`, name, m)));
    }
    if (sources === 0) errs.push(fieldErrors.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(fieldErrors.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: Rec[], devices: Rec[], c: Rec, ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const mountPaths = new Set<string>();
  const deviceNames = new Set(devices.map((d) => str(d, 'name')));
  const devicePaths = new Set(devices.map((d) => str(d, 'devicePath')));
  mounts.forEach((m, i) => {
    const p = index(path, i);
    const name = str(m, 'name');
    const mountPath = str(m, 'mountPath');
    if (!name) errs.push(fieldErrors.required(`${p}.name`, ''));
    if (!ctx.volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    if (!mountPath) errs.push(fieldErrors.required(`${p}.mountPath`, ''));
    if (mountPaths.has(mountPath)) errs.push(fieldErrors.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    if (deviceNames.has(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(fieldErrors.invalid(`${p}.mountPath`, mountPath, 'must not already exist as a path in volumeDevices'));
    const subPath = str(m, 'subPath');
    const subPathExpr = str(m, 'subPathExpr');
    // Upstream reports these two against the list path, not the element.
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, `${path}.subPath`));
    if (subPathExpr) {
      if (subPath) errs.push(fieldErrors.invalid(`${p}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, `${path}.subPathExpr`));
    }
    const propagation = m['mountPropagation'];
    if (propagation !== undefined && propagation !== null) {
      const allowed = ['Bidirectional', 'HostToContainer', 'None'];
      if (typeof propagation !== 'string' || !allowed.includes(propagation)) {
        errs.push(fieldErrors.notSupported(`${path}.mountPropagation`, propagation, allowed));
      } else if (propagation === 'Bidirectional' && obj(c, 'securityContext')['privileged'] !== true) {
        errs.push(fieldErrors.forbidden(`${path}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateVolumeDevices(devices: Rec[], mounts: Rec[], ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const names = new Set<string>();
  const paths = new Set<string>();
  const mountNames = new Set(mounts.map((m) => str(m, 'name')));
  const mountPaths = new Set(mounts.map((m) => str(m, 'mountPath')));
  devices.forEach((d, i) => {
    const p = index(path, i);
    const name = str(d, 'name');
    const devicePath = str(d, 'devicePath');
    if (!name) errs.push(fieldErrors.required(`${p}.name`, ''));
    if (names.has(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, 'must be unique'));
    const source = ctx.volumes.get(name);
    if (!source) errs.push(notFound(`${p}.name`, name));
    else if (!has(source, 'persistentVolumeClaim') && !has(source, 'ephemeral')) {
      errs.push(fieldErrors.invalid(`${p}.name`, name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!devicePath) errs.push(fieldErrors.required(`${p}.devicePath`, ''));
    if (paths.has(devicePath)) errs.push(fieldErrors.invalid(`${p}.devicePath`, devicePath, 'must be unique'));
    if (devicePath.split('/').includes('..')) errs.push(fieldErrors.invalid(`${p}.devicePath`, devicePath, "can not contain backsteps ('..')"));
    else paths.add(devicePath);
    if (mountNames.has(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devicePath)) errs.push(fieldErrors.invalid(`${p}.devicePath`, devicePath, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

/** The checks every container kind gets (validateContainerCommon). */
export function validateContainerCommon(c: Rec, ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const name = str(c, 'name');
  if (!name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else errs.push(...dnsLabelErrors(name, `${path}.name`));
  if (!str(c, 'image')) errs.push(fieldErrors.required(`${path}.image`, ''));
  errs.push(...oneOf(c['terminationMessagePolicy'], TERMINATION_MESSAGE_POLICIES, `${path}.terminationMessagePolicy`));
  errs.push(...validatePorts(recList(c, 'ports'), `${path}.ports`));
  errs.push(...validateEnv(recList(c, 'env'), `${path}.env`));
  errs.push(...validateEnvFrom(recList(c, 'envFrom'), `${path}.envFrom`));
  const mounts = recList(c, 'volumeMounts');
  const devices = recList(c, 'volumeDevices');
  errs.push(...validateVolumeMounts(mounts, devices, c, ctx, `${path}.volumeMounts`));
  errs.push(...validateVolumeDevices(devices, mounts, ctx, `${path}.volumeDevices`));
  errs.push(...oneOf(c['imagePullPolicy'], PULL_POLICIES, `${path}.imagePullPolicy`));
  errs.push(...validateResourceRequirements(c['resources'], `${path}.resources`));
  errs.push(...validateSecurityContext(c['securityContext'], `${path}.securityContext`));
  return errs;
}

/** Colliding host ports across the given containers, keyed protocol/hostIP/port like upstream. */
export function hostPortConflicts(containers: Rec[], path: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    recList(c, 'ports').forEach((port, pi) => {
      const hostPort = port['hostPort'];
      if (typeof hostPort !== 'number' || hostPort === 0) return;
      const k = `${str(port, 'protocol')}/${str(port, 'hostIP')}/${hostPort}`;
      if (seen.has(k)) errs.push(fieldErrors.duplicate(`${index(path, ci)}.ports[${pi}].hostPort`, k));
      seen.add(k);
    });
  });
  return errs;
}

export function validateContainers(containers: Rec[], ctx: ContainerContext, path: string): Errs {
  if (containers.length === 0) return [fieldErrors.required(path, '')];
  const errs: Errs = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const name = str(c, 'name');
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    names.add(name);
    errs.push(...validateProbesAndLifecycle(c, ctx, p));
    if (has(c, 'restartPolicy')) errs.push(fieldErrors.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

export function validateInitContainers(initContainers: Rec[], containers: Rec[], ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const names = new Set(containers.map((c) => str(c, 'name')));
  initContainers.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const restartPolicy = c['restartPolicy'];
    if (restartPolicy !== undefined && restartPolicy !== null && restartPolicy !== 'Always') {
      errs.push(fieldErrors.notSupported(`${p}.restartPolicy`, restartPolicy, ['Always']));
    }
    const name = str(c, 'name');
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else if (name) names.add(name);
    // Init containers run one at a time, so host ports only collide within one of them.
    errs.push(...hostPortConflicts([c], path).map((e) => ({ ...e, field: e.field.replace(`${path}[0]`, p) })));
    if (restartPolicy === 'Always') {
      errs.push(...validateProbesAndLifecycle(c, ctx, p));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (has(c, k)) errs.push(fieldErrors.forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** Pod-only container checks (not applied to templates): no whitespace around the image. */
export function validateContainersOnlyForPod(containers: Rec[], path: string): Errs {
  const errs: Errs = [];
  containers.forEach((c, i) => {
    const image = str(c, 'image');
    if (image !== image.trim()) errs.push(fieldErrors.invalid(`${index(path, i)}.image`, image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

