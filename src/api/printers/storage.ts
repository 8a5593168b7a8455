// PersistentVolume, PersistentVolumeClaim and StorageClass tables.

import { isRec, quantity, rec, str, strings, stringMap, type Rec } from './access.ts';
import { age } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';
import type { KubeObject } from '../types.ts';

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

const MODE_ABBREVIATIONS: readonly [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: "RWO,RWX" in a fixed order, duplicates dropped. */
export function accessModes(v: unknown): string {
  const modes = new Set(strings(v));
  return MODE_ABBREVIATIONS.filter(([mode]) => modes.has(mode)).map(([, short]) => short).join(',');
}

/** The beta storage-class annotation wins over spec.storageClassName, as upstream helpers read it. */
function storageClassOf(obj: KubeObject, spec: Rec): string {
  const annotations = stringMap(rec(obj.metadata)['annotations']);
  const beta = annotations[BETA_STORAGE_CLASS_ANNOTATION];
  return beta !== undefined ? beta : str(spec['storageClassName']);
}

function phaseOf(obj: KubeObject): string {
  const deleting = rec(obj.metadata)['deletionTimestamp'];
  return deleting !== undefined && deleting !== null && deleting !== '' ? 'Terminating' : str(rec(obj['status'])['phase']);
}

function setOrUnset(v: unknown): string {
  return typeof v === 'string' ? v : '<unset>';
}

export const persistentVolumePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Capacity', 'string', 'Storage capacity of the volume.'),
    column('Access Modes', 'string', 'Ways the volume can be mounted.'),
    column('Reclaim Policy', 'string', 'What happens to the volume when released from its claim.'),
    column('Status', 'string', 'Phase of the volume.'),
    column('Claim', 'string', 'The claim bound to this volume.'),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', 'Why the volume is in its phase.'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'Filesystem or Block.', { wide: true }),
  ],
  (pv, nowMs) => {
    const spec = rec(pv['spec']);
    const claimRef = spec['claimRef'];
    const claim = isRec(claimRef) ? `${str(claimRef['namespace'])}/${str(claimRef['name'])}` : '';
    return [
      nameOf(pv),
      quantity(rec(spec['capacity'])['storage'], '0'),
      accessModes(spec['accessModes']),
      str(spec['persistentVolumeReclaimPolicy']),
      phaseOf(pv),
      claim,
      storageClassOf(pv, spec),
      setOrUnset(spec['volumeAttributesClassName']),
      str(rec(pv['status'])['reason']),
      age(pv, nowMs),
      setOrUnset(spec['volumeMode']),
    ];
  },
);

export const persistentVolumeClaimPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Status', 'string', 'Phase of the claim.'),
    column('Volume', 'string', 'The volume bound to this claim.'),
    column('Capacity', 'string', 'Capacity of the bound volume.'),
    column('Access Modes', 'string', 'Access modes of the bound volume.'),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'Filesystem or Block.', { wide: true }),
  ],
  (pvc, nowMs) => {
    const spec = rec(pvc['spec']);
    const status = rec(pvc['status']);
    const volumeName = str(spec['volumeName']);
    // Capacity and access modes describe the bound volume, so they stay empty until binding.
    const bound = volumeName !== '';
    return [
      nameOf(pvc),
      phaseOf(pvc),
      volumeName,
      bound ? quantity(rec(status['capacity'])['storage'], '0') : '',
      bound ? accessModes(status['accessModes']) : '',
      storageClassOf(pvc, spec),
      setOrUnset(spec['volumeAttributesClassName']),
      age(pvc, nowMs),
      setOrUnset(spec['volumeMode']),
    ];
  },
);

export const storageClassPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Provisioner', 'string', 'Volume plugin that provisions volumes of this class.'),
    column('ReclaimPolicy', 'string', 'Reclaim policy of volumes provisioned from this class.'),
    column('VolumeBindingMode', 'string', 'When volumes are provisioned and bound.'),
    column('AllowVolumeExpansion', 'string', 'Whether volumes of this class can be expanded.'),
    AGE_COLUMN,
  ],
  (sc, nowMs) => {
    const annotations = stringMap(rec(sc.metadata)['annotations']);
    const isDefault = annotations[DEFAULT_CLASS_ANNOTATION] === 'true' || annotations[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
    return [
      isDefault ? `${nameOf(sc)} (default)` : nameOf(sc),
      str(sc['provisioner']),
      typeof sc['reclaimPolicy'] === 'string' ? sc['reclaimPolicy'] : 'Delete',
      typeof sc['volumeBindingMode'] === 'string' ? sc['volumeBindingMode'] : 'Immediate',
      sc['allowVolumeExpansion'] === true,
      age(sc, nowMs),
    ];
  },
);
