// PersistentVolumeClaim (also as StatefulSet and ephemeral templates), PersistentVolume and
// StorageClass validation, with their update rules.

import {
  compareQuantities,
  isDNS1123Subdomain,
  isQualifiedName,
  nameIsDNSSubdomain,
  tryParseQuantity,
  validateLabelSelector,
} from '../../machinery/index.ts';
import { validateNodeSelector } from './affinity.ts';
import { deepEqual, fieldErrors, has, immutable, isRec, list, obj, rec, str, type Errs, type Rec } from './fields.ts';
import { validatePositiveQuantity, validateResourceQuantityValue } from './resources.ts';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
const VOLUME_MODES = ['Block', 'Filesystem'] as const;
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'] as const;

function validateAccessModes(modes: unknown[], path: string, requiredDetail: string): Errs {
  const errs: Errs = [];
  if (modes.length === 0) errs.push(fieldErrors.required(path, requiredDetail));
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (typeof mode !== 'string' || !(ACCESS_MODES as readonly string[]).includes(mode)) errs.push(fieldErrors.notSupported(path, mode, ACCESS_MODES));
    else if (mode === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(fieldErrors.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function classNameErrors(name: string, path: string): Errs {
  return nameIsDNSSubdomain(name, false).map((m) => fieldErrors.invalid(path, name, m));
}

function validateDataSource(ref: Rec, path: string): Errs {
  const errs: Errs = [];
  if (!str(ref, 'name')) errs.push(fieldErrors.required(`${path}.name`, ''));
  const kind = str(ref, 'kind');
  if (!kind) errs.push(fieldErrors.required(`${path}.kind`, ''));
  const apiGroup = str(ref, 'apiGroup');
  if (!apiGroup && kind !== 'PersistentVolumeClaim') errs.push(fieldErrors.invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (apiGroup) errs.push(...isDNS1123Subdomain(apiGroup).map((m) => fieldErrors.invalid(`${path}.apiGroup`, apiGroup, m)));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: Rec, path: string): Errs {
  const errs = validateAccessModes(list(spec, 'accessModes'), `${path}.accessModes`, 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(spec['selector'], `${path}.selector`));
  const storagePath = `${path}.resources[storage]`;
  const requests = rec(rec(spec, 'resources'), 'requests');
  if (!requests || requests['storage'] === undefined || requests['storage'] === null) {
    errs.push(fieldErrors.required(storagePath, ''));
  } else {
    const positive = validatePositiveQuantity(requests['storage'], storagePath);
    errs.push(...(positive.length > 0 ? positive : validateResourceQuantityValue('storage', requests['storage'], storagePath)));
  }
  const className = spec['storageClassName'];
  if (typeof className === 'string' && className !== '') errs.push(...classNameErrors(className, `${path}.storageClassName`));
  const volumeMode = spec['volumeMode'];
  if (volumeMode !== undefined && volumeMode !== null && !(VOLUME_MODES as readonly unknown[]).includes(volumeMode)) {
    errs.push(fieldErrors.notSupported(`${path}.volumeMode`, volumeMode, VOLUME_MODES));
  }
  const dataSource = rec(spec, 'dataSource');
  if (dataSource) errs.push(...validateDataSource(dataSource, `${path}.dataSource`));
  const dataSourceRef = rec(spec, 'dataSourceRef');
  if (dataSourceRef) errs.push(...validateDataSource(dataSourceRef, `${path}.dataSourceRef`));
  const vac = spec['volumeAttributesClassName'];
  if (typeof vac === 'string' && vac !== '') errs.push(...classNameErrors(vac, `${path}.volumeAttributesClassName`));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: Rec): Errs {
  return validatePersistentVolumeClaimSpec(obj(pvc, 'spec'), 'spec');
}

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function validatePersistentVolumeClaimUpdate(pvc: Rec, old: Rec): Errs {
  const errs: Errs = [];
  const spec = structuredClone(obj(pvc, 'spec'));
  const oldSpec = structuredClone(obj(old, 'spec'));
  // The volume name may be set once (binding); storageClassName may go from unset to set.
  if (!str(oldSpec, 'volumeName')) oldSpec['volumeName'] = spec['volumeName'];
  const oldAnnotations = obj(obj(old, 'metadata'), 'annotations');
  if (!has(oldSpec, 'storageClassName') && has(spec, 'storageClassName')) {
    const beta = oldAnnotations[BETA_STORAGE_CLASS_ANNOTATION];
    if (beta === undefined || beta === spec['storageClassName']) oldSpec['storageClassName'] = spec['storageClassName'];
  }
  const bound = str(obj(pvc, 'status'), 'phase') === 'Bound';
  const requests = rec(rec(spec, 'resources'), 'requests');
  if (bound && requests) requests['storage'] = rec(rec(oldSpec, 'resources'), 'requests')?.['storage'];
  if (bound) spec['volumeAttributesClassName'] = oldSpec['volumeAttributesClassName'];
  if (!deepEqual(spec, oldSpec)) {
    errs.push(fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const newSize = tryParseQuantity(rec(rec(obj(pvc, 'spec'), 'resources'), 'requests')?.['storage']);
  const oldSize = tryParseQuantity(rec(rec(oldSpec, 'resources'), 'requests')?.['storage']);
  if (newSize && oldSize && compareQuantities(newSize, oldSize) < 0) {
    const statusSize = tryParseQuantity(rec(obj(old, 'status'), 'capacity')?.['storage']) ?? { nano: 0n, format: 'DecimalSI' as const };
    if (compareQuantities(newSize, statusSize) <= 0) {
      errs.push(fieldErrors.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  return errs;
}

/** The PersistentVolume sources; exactly one must be set. */
const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi',
  'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO',
  'local', 'storageos', 'csi',
] as const;

const PV_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  hostPath: ['path'],
  nfs: ['server', 'path'],
  local: ['path'],
  csi: ['driver', 'volumeHandle'],
  iscsi: ['targetPortal', 'iqn'],
  gcePersistentDisk: ['pdName'],
  awsElasticBlockStore: ['volumeID'],
  glusterfs: ['endpoints', 'path'],
  rbd: ['monitors', 'image'],
  cephfs: ['monitors'],
  cinder: ['volumeID'],
  flexVolume: ['driver'],
  azureFile: ['secretName', 'shareName'],
  azureDisk: ['diskName', 'diskURI'],
  vsphereVolume: ['volumePath'],
  photonPersistentDisk: ['pdID'],
  portworxVolume: ['volumeID'],
  storageos: ['volumeName'],
  quobyte: ['registry', 'volume'],
};

export function validatePersistentVolume(pv: Rec): Errs {
  const spec = obj(pv, 'spec');
  const errs = validateAccessModes(list(spec, 'accessModes'), 'spec.accessModes', '');
  const capacity = rec(spec, 'capacity');
  if (!capacity || Object.keys(capacity).length === 0) errs.push(fieldErrors.required('spec.capacity', ''));
  if (!capacity || !('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(fieldErrors.notSupported('spec.capacity', capacity ?? {}, ['storage']));
  for (const [name, value] of Object.entries(capacity ?? {})) {
    const p = `spec.capacity[${name}]`;
    const positive = validatePositiveQuantity(value, p);
    errs.push(...(positive.length > 0 ? positive : validateResourceQuantityValue(name, value, p)));
  }
  const reclaim = spec['persistentVolumeReclaimPolicy'];
  if (typeof reclaim === 'string' && reclaim !== '' && !(RECLAIM_POLICIES as readonly string[]).includes(reclaim)) {
    errs.push(fieldErrors.notSupported('spec.persistentVolumeReclaimPolicy', reclaim, RECLAIM_POLICIES));
  }
  const nodeAffinity = rec(spec, 'nodeAffinity');
  if (nodeAffinity) {
    const required = rec(nodeAffinity, 'required');
    if (required) errs.push(...validateNodeSelector(required, 'spec.nodeAffinity.required'));
    else errs.push(fieldErrors.required('spec.nodeAffinity.required', 'must specify required node constraints'));
  }
  let sources = 0;
  for (const kind of PV_SOURCES) {
    if (!has(spec, kind)) continue;
    const p = `spec.${kind}`;
    if (sources > 0) {
      errs.push(fieldErrors.forbidden(p, 'may not specify more than 1 volume type'));
      continue;
    }
    sources++;
    const src = spec[kind];
    const source = isRec(src) ? src : {};
    for (const field of PV_REQUIRED[kind] ?? []) {
      const v = source[field];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) errs.push(fieldErrors.required(`${p}.${field}`, ''));
    }
    const srcPath = str(source, 'path');
    if ((kind === 'hostPath' || kind === 'local') && srcPath.split('/').includes('..')) errs.push(fieldErrors.invalid(`${p}.path`, srcPath, "must not contain '..'"));
    if (kind === 'nfs' && srcPath && !srcPath.startsWith('/')) errs.push(fieldErrors.invalid(`${p}.path`, srcPath, 'must be an absolute path'));
    if (kind === 'local' && !nodeAffinity) errs.push(fieldErrors.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (sources === 0) errs.push(fieldErrors.required('spec', 'must specify a volume type'));
  const className = str(spec, 'storageClassName');
  if (className) errs.push(...classNameErrors(className, 'spec.storageClassName'));
  const volumeMode = spec['volumeMode'];
  if (volumeMode !== undefined && volumeMode !== null && !(VOLUME_MODES as readonly unknown[]).includes(volumeMode)) {
    errs.push(fieldErrors.notSupported('spec.volumeMode', volumeMode, VOLUME_MODES));
  }
  return errs;
}

export function validatePersistentVolumeUpdate(pv: Rec, old: Rec): Errs {
  const errs: Errs = [];
  const spec = obj(pv, 'spec');
  const oldSpec = obj(old, 'spec');
  const source = (s: Rec) => Object.fromEntries(PV_SOURCES.filter((k) => has(s, k)).map((k) => [k, s[k]]));
  const newSource = source(spec);
  const oldSource = source(oldSpec);
  // A CSI volume may gain a controllerExpandSecretRef.
  const newCsi = rec(newSource, 'csi');
  if (newCsi && rec(oldSource, 'csi') && !has(rec(oldSource, 'csi'), 'controllerExpandSecretRef')) {
    newSource['csi'] = { ...newCsi, controllerExpandSecretRef: undefined };
  }
  if (!deepEqual(newSource, oldSource)) errs.push(fieldErrors.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  errs.push(...immutable(spec['volumeMode'], oldSpec['volumeMode'], 'volumeMode'));
  if (has(oldSpec, 'nodeAffinity') && !deepEqual(spec['nodeAffinity'], oldSpec['nodeAffinity'])) {
    errs.push(fieldErrors.invalid('nodeAffinity', spec['nodeAffinity'] ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(sc: Rec): Errs {
  const errs: Errs = [];
  const provisioner = str(sc, 'provisioner');
  if (!provisioner) errs.push(fieldErrors.required('provisioner', ''));
  else errs.push(...isQualifiedName(provisioner.toLowerCase()).map((m) => fieldErrors.invalid('provisioner', provisioner, m)));
  const params = rec(sc, 'parameters') ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (k === '') errs.push(fieldErrors.invalid('parameters', params, 'field can not have empty parameter key'));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldErrors.tooLong('parameters', MAX_PARAMETERS_SIZE));
  const reclaim = sc['reclaimPolicy'];
  if (typeof reclaim === 'string' && reclaim !== '' && reclaim !== 'Delete' && reclaim !== 'Retain') {
    errs.push(fieldErrors.notSupported('reclaimPolicy', reclaim, ['Delete', 'Retain']));
  }
  const binding = sc['volumeBindingMode'];
  if (binding === undefined || binding === null || binding === '') errs.push(fieldErrors.required('volumeBindingMode', 'must specify a volumeBindingMode'));
  else if (binding !== 'Immediate' && binding !== 'WaitForFirstConsumer') errs.push(fieldErrors.notSupported('volumeBindingMode', binding, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(sc: Rec, old: Rec): Errs {
  const errs: Errs = [];
  if (!deepEqual(sc['parameters'], old['parameters'])) errs.push(fieldErrors.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(sc, 'provisioner') !== str(old, 'provisioner')) errs.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(sc, 'reclaimPolicy') !== str(old, 'reclaimPolicy')) errs.push(fieldErrors.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc['volumeBindingMode'], old['volumeBindingMode'], 'volumeBindingMode'));
  return errs;
}
