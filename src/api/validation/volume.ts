// Pod volumes: names, exactly one source each, and the rules of the commonly used sources
// (upstream ValidateVolumes / validateVolumeSource). Legacy in-tree sources get their required
// fields checked only.

import { isDNS1123Subdomain, validateAnnotations, validateLabels } from '../../machinery/index.ts';
import { dnsLabelErrors, validateObjectFieldSelector, validateResourceFieldSelector } from './container.ts';
import { fieldErrors, has, index, isRec, list, num, rec, recList, str, validateLocalDescendingPath, type Errs, type Rec } from './fields.ts';
import { parseQuantityField } from './resources.ts';
import { validatePersistentVolumeClaimSpec } from './storage.ts';

export const FILE_MODE_ERROR_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Every volume source key; a volume must name exactly one. */
export const VOLUME_SOURCE_KEYS = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
] as const;

/** Required fields of the legacy sources this server only checks superficially. */
const LEGACY_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  gcePersistentDisk: ['pdName'],
  awsElasticBlockStore: ['volumeID'],
  glusterfs: ['endpoints', 'path'],
  rbd: ['monitors', 'image'],
  cinder: ['volumeID'],
  cephfs: ['monitors'],
  quobyte: ['registry', 'volume'],
  flexVolume: ['driver'],
  azureFile: ['secretName', 'shareName'],
  vsphereVolume: ['volumePath'],
  photonPersistentDisk: ['pdID'],
  portworxVolume: ['volumeID'],
  azureDisk: ['diskName', 'diskURI'],
  storageos: ['volumeName'],
  scaleIO: ['gateway', 'system', 'volumeName'],
};

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'] as const;
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'] as const;

function validateMode(value: unknown, path: string): Errs {
  if (typeof value !== 'number') return [];
  return value < 0 || value > 0o777 ? [fieldErrors.invalid(path, value, FILE_MODE_ERROR_MSG)] : [];
}

/** A relative path that neither contains nor starts with '..'. */
export function validateLocalNonReservedPath(target: string, path: string): Errs {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(fieldErrors.invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateKeyToPath(item: Rec, path: string): Errs {
  const errs: Errs = [];
  if (!str(item, 'key')) errs.push(fieldErrors.required(`${path}.key`, ''));
  const p = str(item, 'path');
  if (!p) errs.push(fieldErrors.required(`${path}.path`, ''));
  errs.push(...validateLocalNonReservedPath(p, `${path}.path`));
  errs.push(...validateMode(item['mode'], `${path}.mode`));
  return errs;
}

function validateDownwardAPIFile(file: Rec, path: string): Errs {
  const errs: Errs = [];
  const p = str(file, 'path');
  if (!p) errs.push(fieldErrors.required(`${path}.path`, ''));
  errs.push(...validateLocalNonReservedPath(p, `${path}.path`));
  const fieldRef = rec(file, 'fieldRef');
  const resourceFieldRef = rec(file, 'resourceFieldRef');
  if (fieldRef) {
    errs.push(...validateObjectFieldSelector(fieldRef, VOLUME_FIELD_PATHS, `${path}.fieldRef`));
    if (resourceFieldRef) errs.push(fieldErrors.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(resourceFieldRef, `${path}.resourceFieldRef`, true));
  } else {
    errs.push(fieldErrors.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file['mode'], `${path}.mode`));
  return errs;
}

function validateProjected(src: Rec, path: string): Errs {
  const errs = validateMode(src['defaultMode'], `${path}.defaultMode`);
  const paths = new Set<string>();
  const claimPath = (p: string, name: unknown) => {
    if (!p) return;
    if (paths.has(p)) errs.push(fieldErrors.invalid(path, name, 'conflicting duplicate paths'));
    paths.add(p);
  };
  recList(src, 'sources').forEach((source, i) => {
    const sp = `${path}.sources[${i}]`;
    let kinds = 0;
    for (const k of ['secret', 'configMap'] as const) {
      const ref = rec(source, k);
      if (!ref) continue;
      kinds++;
      if (!str(ref, 'name')) errs.push(fieldErrors.required(`${sp}.${k}.name`, ''));
      recList(ref, 'items').forEach((item, j) => {
        errs.push(...validateKeyToPath(item, `${sp}.${k}.items[${j}]`));
        claimPath(str(item, 'path'), str(ref, 'name'));
      });
    }
    const downward = rec(source, 'downwardAPI');
    if (downward) {
      kinds++;
      for (const item of recList(downward, 'items')) {
        errs.push(...validateDownwardAPIFile(item, `${sp}.downwardAPI`));
        claimPath(str(item, 'path'), str(item, 'path'));
      }
    }
    const token = rec(source, 'serviceAccountToken');
    if (token) {
      kinds++;
      const tp = `${sp}.serviceAccountToken`;
      const expiration = num(token, 'expirationSeconds') ?? 3600;
      if (expiration < 600) errs.push(fieldErrors.invalid(`${tp}.expirationSeconds`, expiration, 'may not specify a duration less than 10 minutes'));
      if (expiration > 2 ** 32) errs.push(fieldErrors.invalid(`${tp}.expirationSeconds`, expiration, 'may not specify a duration larger than 2^32 seconds'));
      const tokenPath = str(token, 'path');
      if (!tokenPath) errs.push(fieldErrors.required(`${path}.path`, ''));
      else errs.push(...validateLocalNonReservedPath(tokenPath, `${path}.path`));
      claimPath(tokenPath, tokenPath);
    }
    if (rec(source, 'clusterTrustBundle')) kinds++;
    if (kinds > 1) errs.push(fieldErrors.forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateSource(kind: string, src: Rec, path: string, resourceIsPod: boolean): Errs {
  const errs: Errs = [];
  switch (kind) {
    case 'emptyDir': {
      const sizeLimit = src['sizeLimit'];
      if (sizeLimit !== undefined && sizeLimit !== null) {
        const q = parseQuantityField(sizeLimit, `${path}.sizeLimit`, errs);
        if (q && q.nano < 0n) errs.push(fieldErrors.forbidden(`${path}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    }
    case 'hostPath': {
      const p = str(src, 'path');
      if (!p) return [fieldErrors.required(`${path}.path`, '')];
      if (p.split('/').includes('..')) errs.push(fieldErrors.invalid(`${path}.path`, p, "must not contain '..'"));
      const type = src['type'];
      if (type !== undefined && type !== null && !(HOST_PATH_TYPES as readonly unknown[]).includes(type)) {
        errs.push(fieldErrors.notSupported(`${path}.type`, type, HOST_PATH_TYPES));
      }
      break;
    }
    case 'secret':
    case 'configMap': {
      const nameKey = kind === 'secret' ? 'secretName' : 'name';
      if (!str(src, nameKey)) errs.push(fieldErrors.required(`${path}.${nameKey}`, ''));
      errs.push(...validateMode(src['defaultMode'], `${path}.defaultMode`));
      recList(src, 'items').forEach((item, i) => errs.push(...validateKeyToPath(item, `${path}.items[${i}]`)));
      break;
    }
    case 'persistentVolumeClaim':
      if (!str(src, 'claimName')) errs.push(fieldErrors.required(`${path}.claimName`, ''));
      break;
    case 'nfs': {
      if (!str(src, 'server')) errs.push(fieldErrors.required(`${path}.server`, ''));
      const p = str(src, 'path');
      if (!p) errs.push(fieldErrors.required(`${path}.path`, ''));
      if (!p.startsWith('/')) errs.push(fieldErrors.invalid(`${path}.path`, p, 'must be an absolute path'));
      break;
    }
    case 'downwardAPI':
      errs.push(...validateMode(src['defaultMode'], `${path}.defaultMode`));
      for (const item of recList(src, 'items')) errs.push(...validateDownwardAPIFile(item, path));
      break;
    case 'projected':
      errs.push(...validateProjected(src, path));
      break;
    case 'gitRepo':
      if (!str(src, 'repository')) errs.push(fieldErrors.required(`${path}.repository`, ''));
      errs.push(...validateLocalDescendingPath(str(src, 'directory'), `${path}.directory`));
      break;
    case 'iscsi': {
      if (!str(src, 'targetPortal')) errs.push(fieldErrors.required(`${path}.targetPortal`, ''));
      if (!str(src, 'iqn')) errs.push(fieldErrors.required(`${path}.iqn`, ''));
      const lun = num(src, 'lun') ?? 0;
      if (lun < 0 || lun > 255) errs.push(fieldErrors.invalid(`${path}.lun`, lun, 'must be between 0 and 255, inclusive'));
      break;
    }
    case 'fc':
      if (list(src, 'targetWWNs').length === 0 && list(src, 'wwids').length === 0) {
        errs.push(fieldErrors.required(`${path}.targetWWNs`, 'must specify either targetWWNs or wwids, but not both'));
      }
      break;
    case 'csi': {
      const driver = str(src, 'driver');
      if (!driver) errs.push(fieldErrors.required(`${path}.driver`, ''));
      if (driver.length > 63) errs.push(fieldErrors.tooLong(`${path}.driver`, 63));
      errs.push(...isDNS1123Subdomain(driver.toLowerCase()).map((m) => fieldErrors.invalid(`${path}.driver`, driver, m)));
      break;
    }
    case 'ephemeral': {
      const template = rec(src, 'volumeClaimTemplate');
      if (!template) return [fieldErrors.required(`${path}.volumeClaimTemplate`, '')];
      const tp = `${path}.volumeClaimTemplate`;
      const meta = rec(template, 'metadata') ?? {};
      errs.push(...validateAnnotations(meta['annotations'], `${tp}.metadata.annotations`));
      errs.push(...validateLabels(meta['labels'], `${tp}.metadata.labels`));
      for (const k of Object.keys(meta)) {
        if (k !== 'labels' && k !== 'annotations' && meta[k] !== undefined && meta[k] !== null) errs.push(fieldErrors.forbidden(`${tp}.metadata.${k}`, 'cannot be set'));
      }
      errs.push(...validatePersistentVolumeClaimSpec(rec(template, 'spec') ?? {}, `${tp}.spec`));
      break;
    }
    case 'image': {
      if (resourceIsPod && !str(src, 'reference')) errs.push(fieldErrors.required(`${path}.reference`, ''));
      const policy = src['pullPolicy'];
      if (policy !== undefined && policy !== null && policy !== '' && policy !== 'Always' && policy !== 'IfNotPresent' && policy !== 'Never') {
        errs.push(fieldErrors.notSupported(`${path}.pullPolicy`, policy, ['Always', 'IfNotPresent', 'Never']));
      }
      break;
    }
    default:
      for (const field of LEGACY_REQUIRED[kind] ?? []) {
        const v = src[field];
        if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) errs.push(fieldErrors.required(`${path}.${field}`, ''));
      }
  }
  return errs;
}

/** Validates the volume list; returns the valid volumes by name for mount checks. */
export function validateVolumes(volumes: Rec[], path: string, resourceIsPod: boolean): { volumes: Map<string, Rec>; errs: Errs } {
  const errs: Errs = [];
  const valid = new Map<string, Rec>();
  const names = new Set<string>();
  volumes.forEach((vol, i) => {
    const p = index(path, i);
    const el: Errs = [];
    let sources = 0;
    for (const kind of VOLUME_SOURCE_KEYS) {
      if (!has(vol, kind)) continue;
      if (sources > 0) {
        el.push(fieldErrors.forbidden(`${p}.${kind}`, 'may not specify more than 1 volume type'));
        continue;
      }
      sources++;
      const src = vol[kind];
      el.push(...validateSource(kind, isRec(src) ? src : {}, `${p}.${kind}`, resourceIsPod));
    }
    if (sources === 0) el.push(fieldErrors.required(p, 'must specify a volume type'));
    const name = str(vol, 'name');
    if (!name) el.push(fieldErrors.required(`${p}.name`, ''));
    else el.push(...dnsLabelErrors(name, `${p}.name`));
    if (names.has(name)) el.push(fieldErrors.duplicate(`${p}.name`, name));
    if (el.length === 0) {
      names.add(name);
      valid.set(name, vol);
    } else {
      errs.push(...el);
    }
  });
  return { volumes: valid, errs };
}
