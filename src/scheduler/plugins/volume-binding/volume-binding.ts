// VolumeBinding (PreFilter, Filter, Reserve, PreBind), the part that needs no storage backend yet:
// PVCs must exist and not be terminating; an unbound claim of an Immediate class blocks the pod
// (the PV controller binds those); a bound claim's PV node affinity must match the node; an unbound
// WaitForFirstConsumer claim needs a matching Available PV (no-provisioner classes) or a class
// whose allowedTopologies admit the node, and in PreBind gets the
// volume.kubernetes.io/selected-node annotation a provisioner acts on. Waiting for the claims to
// become bound (upstream's bindTimeoutSeconds) comes with real storage.

import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api-types.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/interface.ts';
import { CompiledNodeSelector } from '../../framework/node-selector.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export interface VolumeBindingArgs {
  bindTimeoutSeconds?: number;
}

interface DelayedClaim {
  pvc: PersistentVolumeClaim;
  sc: StorageClass;
}

class State implements StateData {
  bound: PersistentVolume[] = [];
  delayed: DelayedClaim[] = [];
  clone(): StateData {
    return this;
  }
}

const STATE_KEY = 'PreFilter' + Names.VolumeBinding;

const matchesTopology = (sc: StorageClass, node: Node): boolean => {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => labels[e.key] !== undefined && e.values.includes(labels[e.key]!)));
};

const pvFitsNode = (pv: PersistentVolume, node: Node): boolean => {
  const required = pv.spec?.nodeAffinity?.required;
  return !required || new CompiledNodeSelector(required).matches(node);
};

export function newVolumeBinding(_args: unknown, handle: Handle): PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin {
  const conflict = Status.unresolvable(Names.VolumeBinding, ERR_REASON_NODE_CONFLICT);
  const noVolume = Status.unschedulable(Names.VolumeBinding, ERR_REASON_BIND_CONFLICT);
  const availablePVs = (sc: StorageClass): PersistentVolume[] =>
    handle.listers
      .pvs()
      .filter((pv) => pv.spec?.storageClassName === sc.metadata.name && (pv.status?.phase ?? 'Available') === 'Available' && !pv.spec?.claimRef);
  return {
    name: Names.VolumeBinding,
    preFilter(state, pod) {
      if (pod.pvcKeys.length === 0) return Status.skip(Names.VolumeBinding);
      const s = new State();
      for (const key of pod.pvcKeys) {
        const name = key.slice(key.indexOf('/') + 1);
        const pvc = handle.listers.pvc(pod.namespace, name);
        if (!pvc) return Status.unresolvable(Names.VolumeBinding, `persistentvolumeclaim "${name}" not found`);
        if (pvc.metadata.deletionTimestamp) return Status.unresolvable(Names.VolumeBinding, `persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = pvc.spec?.volumeName;
        if (volumeName) {
          const pv = handle.listers.pv(volumeName);
          if (pv) s.bound.push(pv);
          continue;
        }
        const className = pvc.spec?.storageClassName ?? '';
        const sc = className ? handle.listers.storageClass(className) : undefined;
        if (!sc) {
          if (className) return Status.unresolvable(Names.VolumeBinding, `storageclass.storage.k8s.io "${className}" not found`);
          return Status.unresolvable(Names.VolumeBinding, ERR_REASON_UNBOUND_IMMEDIATE);
        }
        if (sc.volumeBindingMode !== 'WaitForFirstConsumer') return Status.unresolvable(Names.VolumeBinding, ERR_REASON_UNBOUND_IMMEDIATE);
        s.delayed.push({ pvc, sc });
      }
      state.write(STATE_KEY, s);
      return undefined;
    },
    filter(state, _pod, nodeInfo) {
      const s = state.read<State>(STATE_KEY);
      const node = nodeInfo.node;
      if (!s || !node) return undefined;
      for (const pv of s.bound) if (!pvFitsNode(pv, node)) return conflict;
      for (const { sc } of s.delayed) {
        if (!matchesTopology(sc, node)) return noVolume;
        if ((sc.provisioner ?? NO_PROVISIONER) === NO_PROVISIONER && !availablePVs(sc).some((pv) => pvFitsNode(pv, node))) return noVolume;
      }
      return undefined;
    },
    reserve() {
      return undefined;
    },
    unreserve() {
      // Nothing is written before PreBind, so there is nothing to undo.
    },
    async preBind(state, pod, nodeName, signal) {
      const s = state.read<State>(STATE_KEY);
      if (!s || s.delayed.length === 0) return Status.skip(Names.VolumeBinding);
      if (!handle.client) return Status.error(Names.VolumeBinding, new Error('no API client'));
      for (const { pvc } of s.delayed) {
        if (pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === nodeName) continue;
        const ref = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: pod.namespace, name: pvc.metadata.name ?? '' };
        await handle.client.patch(ref, 'merge', { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: nodeName } } }, { signal });
      }
      return undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        { event: { resource: 'PersistentVolumeClaim', actionType: ActionType.Add | ActionType.Update } },
        { event: { resource: 'PersistentVolume', actionType: ActionType.Add | ActionType.Update } },
        { event: { resource: 'StorageClass', actionType: ActionType.Add | ActionType.Update } },
        { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint } },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin;
}
