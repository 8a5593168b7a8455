// Upstream defaults for pods and every embedded pod template (core/v1 SetDefaults_PodSpec,
// SetDefaults_Container, SetDefaults_Probe, volume sources, and the Pod-only SetDefaults_Pod).

import {
  canonicalizeQuantityField,
  canonicalizeResourceList,
  defaultNonZero,
  defaultString,
  defaultValue,
  ensureRec,
  rec,
  recs,
  type Rec,
} from './fields.ts';

/** 0644, the mode files projected from secrets, config maps and the downward API get. */
export const DEFAULT_VOLUME_FILE_MODE = 420;

/**
 * The tag upstream's image-name parser reports: the explicit tag, "" for digest-only or malformed
 * references, "latest" otherwise. It decides the default imagePullPolicy.
 */
export function imageTag(image: unknown): string {
  if (typeof image !== 'string' || image === '' || /\s/.test(image)) return '';
  let ref = image;
  const at = ref.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) ref = ref.slice(0, at);
  let tag: string | undefined;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  // Repository paths must be lowercase (a registry host may not be).
  const first = ref.indexOf('/');
  const head = first < 0 ? '' : ref.slice(0, first);
  const isDomain = head.includes('.') || head.includes(':') || head === 'localhost';
  const path = isDomain ? ref.slice(first + 1) : ref;
  if (path === '' || path !== path.toLowerCase()) return '';
  if (tag !== undefined) return tag;
  return hasDigest ? '' : 'latest';
}

function defaultFieldRef(holder: Rec | undefined): void {
  const fieldRef = rec(holder, 'fieldRef');
  if (fieldRef) defaultString(fieldRef, 'apiVersion', 'v1');
  const resourceFieldRef = rec(holder, 'resourceFieldRef');
  // divisor is a non-pointer Quantity upstream, so it always serializes ("0" when unset).
  if (resourceFieldRef) {
    defaultValue(resourceFieldRef, 'divisor', '0');
    canonicalizeQuantityField(resourceFieldRef, 'divisor');
  }
}

function defaultHandler(handler: Rec | undefined): void {
  if (!handler) return;
  const httpGet = rec(handler, 'httpGet');
  if (httpGet) {
    defaultString(httpGet, 'path', '/');
    defaultString(httpGet, 'scheme', 'HTTP');
  }
  const grpc = rec(handler, 'grpc');
  if (grpc) defaultValue(grpc, 'service', '');
}

export function defaultProbe(probe: Rec | undefined): void {
  if (!probe) return;
  defaultHandler(probe);
  defaultNonZero(probe, 'timeoutSeconds', 1);
  defaultNonZero(probe, 'periodSeconds', 10);
  defaultNonZero(probe, 'successThreshold', 1);
  defaultNonZero(probe, 'failureThreshold', 3);
}

export function defaultContainer(c: Rec): void {
  if (c['imagePullPolicy'] === undefined || c['imagePullPolicy'] === null || c['imagePullPolicy'] === '') {
    c['imagePullPolicy'] = imageTag(c['image']) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  defaultString(c, 'terminationMessagePath', '/dev/termination-log');
  defaultString(c, 'terminationMessagePolicy', 'File');
  const resources = ensureRec(c, 'resources');
  if (resources) {
    canonicalizeResourceList(resources['limits']);
    canonicalizeResourceList(resources['requests']);
  }
  for (const port of recs(c, 'ports')) defaultString(port, 'protocol', 'TCP');
  for (const env of recs(c, 'env')) defaultFieldRef(rec(env, 'valueFrom'));
  defaultProbe(rec(c, 'livenessProbe'));
  defaultProbe(rec(c, 'readinessProbe'));
  defaultProbe(rec(c, 'startupProbe'));
  const lifecycle = rec(c, 'lifecycle');
  defaultHandler(rec(lifecycle, 'postStart'));
  defaultHandler(rec(lifecycle, 'preStop'));
}

/** Volume source keys; a volume naming none of them becomes an emptyDir. */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

function defaultDownwardAPIItems(holder: Rec | undefined): void {
  for (const item of recs(holder, 'items')) defaultFieldRef(item);
}

export function defaultPersistentVolumeClaimSpec(spec: Rec | undefined): void {
  if (!spec) return;
  defaultString(spec, 'volumeMode', 'Filesystem');
  const resources = rec(spec, 'resources');
  canonicalizeResourceList(resources?.['requests']);
  canonicalizeResourceList(resources?.['limits']);
}

export function defaultVolume(v: Rec): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v['emptyDir'] = {};
  canonicalizeQuantityField(rec(v, 'emptyDir'), 'sizeLimit');
  const hostPath = rec(v, 'hostPath');
  if (hostPath) defaultValue(hostPath, 'type', '');
  for (const key of ['secret', 'configMap'] as const) {
    const src = rec(v, key);
    if (src) defaultValue(src, 'defaultMode', DEFAULT_VOLUME_FILE_MODE);
  }
  const downwardAPI = rec(v, 'downwardAPI');
  if (downwardAPI) {
    defaultValue(downwardAPI, 'defaultMode', DEFAULT_VOLUME_FILE_MODE);
    defaultDownwardAPIItems(downwardAPI);
  }
  const projected = rec(v, 'projected');
  if (projected) {
    defaultValue(projected, 'defaultMode', DEFAULT_VOLUME_FILE_MODE);
    for (const source of recs(projected, 'sources')) {
      const token = rec(source, 'serviceAccountToken');
      if (token) defaultValue(token, 'expirationSeconds', 3600);
      defaultDownwardAPIItems(rec(source, 'downwardAPI'));
    }
  }
  const iscsi = rec(v, 'iscsi');
  if (iscsi) defaultString(iscsi, 'iscsiInterface', 'default');
  const rbd = rec(v, 'rbd');
  if (rbd) {
    defaultString(rbd, 'pool', 'rbd');
    defaultString(rbd, 'user', 'admin');
    defaultString(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const claimTemplate = rec(rec(v, 'ephemeral'), 'volumeClaimTemplate');
  defaultPersistentVolumeClaimSpec(rec(claimTemplate, 'spec'));
}

/** SetDefaults_PodSpec and everything nested in it; applies to pods and pod templates alike. */
export function defaultPodSpec(spec: Rec | undefined): void {
  if (!spec) return;
  defaultString(spec, 'dnsPolicy', 'ClusterFirst');
  defaultString(spec, 'restartPolicy', 'Always');
  defaultValue(spec, 'securityContext', {});
  defaultValue(spec, 'terminationGracePeriodSeconds', 30);
  defaultString(spec, 'schedulerName', 'default-scheduler');
  for (const c of recs(spec, 'containers')) defaultContainer(c);
  for (const c of recs(spec, 'initContainers')) defaultContainer(c);
  for (const c of recs(spec, 'ephemeralContainers')) defaultContainer(c);
  for (const v of recs(spec, 'volumes')) defaultVolume(v);
  canonicalizeResourceList(spec['overhead']);
  const podResources = rec(spec, 'resources');
  canonicalizeResourceList(podResources?.['limits']);
  canonicalizeResourceList(podResources?.['requests']);
}

/** Defaults a PodTemplateSpec ({metadata, spec}) found at holder[key]. */
export function defaultPodTemplate(holder: Rec | undefined, key = 'template'): void {
  const template = rec(holder, key);
  if (!template) return;
  defaultPodSpec(rec(template, 'spec'));
}

function defaultRequestsFromLimits(container: Rec): void {
  const resources = rec(container, 'resources');
  const limits = rec(resources, 'limits');
  if (!resources || !limits) return;
  const requests = ensureRec(resources, 'requests');
  if (!requests) return;
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

function defaultHostNetworkPorts(containers: Rec[]): void {
  for (const c of containers) {
    for (const port of recs(c, 'ports')) {
      if (port['hostPort'] === undefined || port['hostPort'] === null || port['hostPort'] === 0) port['hostPort'] = port['containerPort'];
    }
  }
}

/** Pod-only defaults (never applied to templates, as upstream keeps them out of PodSpec). */
export function defaultPod(pod: Rec): void {
  const spec = rec(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  const containers = recs(spec, 'containers');
  const initContainers = recs(spec, 'initContainers');
  for (const c of [...containers, ...initContainers]) defaultRequestsFromLimits(c);
  defaultValue(spec, 'enableServiceLinks', true);
  if (spec['hostNetwork'] === true) defaultHostNetworkPorts([...containers, ...initContainers]);
}
