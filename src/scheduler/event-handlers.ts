// Informer events into the scheduler (upstream eventhandlers.go): bound pods feed the cache,
// unbound pods of our profiles feed the queue, node and storage changes feed the cache and wake
// the unschedulable pods whose rejecting plugins registered that kind of change. Terminal pods
// (Succeeded/Failed) leave the cache: they hold no resources.

import type { KubeObject } from '../api/types.ts';
import type { Informer } from '../client/index.ts';
import type { Node, Pod } from './api-types.ts';
import { ActionType, nodeUpdateActions, podUpdateActions, type EventResource } from './framework/events.ts';
import { informerListers, RESOURCES } from './framework/listers.ts';
import type { InformerSource } from './informer-factory.ts';
import type { Scheduler } from './scheduler.ts';

const assigned = (p: Pod): boolean => !!p.spec?.nodeName;
const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export interface SchedulerHandlers {
  onPodAdd(pod: Pod): void;
  onPodUpdate(oldPod: Pod, pod: Pod): void;
  onPodDelete(pod: Pod): void;
  onNodeAdd(node: Node): void;
  onNodeUpdate(oldNode: Node, node: Node): void;
  onNodeDelete(node: Node): void;
}

/** The handlers, separate from informers so benchmarks and tests can feed objects directly. */
export function schedulerHandlers(s: Scheduler): SchedulerHandlers {
  const responsible = (p: Pod): boolean => !!s.frameworkFor(p);
  const inCache = (p: Pod): boolean => !!s.cache.getPod(p.metadata.uid ?? '');
  const addAssigned = (pod: Pod): void => {
    const pi = s.podInfo(pod);
    s.cache.addPod(pi);
    s.queue.delete(pi);
    s.queue.moveOnEvent({ resource: 'AssignedPod', actionType: ActionType.Add, label: 'AssignedPodAdd' }, undefined, pod);
  };
  const removeAssigned = (pod: Pod): void => {
    s.cache.removePod(s.podInfo(pod));
    s.queue.moveOnEvent({ resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, pod, undefined);
  };
  return {
    onPodAdd(pod) {
      if (assigned(pod)) {
        if (!terminal(pod)) addAssigned(pod);
      } else if (responsible(pod) && !terminal(pod)) {
        s.queue.add(s.podInfo(pod));
      }
    },
    onPodUpdate(oldPod, pod) {
      if (assigned(pod)) {
        if (terminal(pod)) {
          if (inCache(pod)) removeAssigned(pod);
          return;
        }
        if (!assigned(oldPod) || !inCache(pod)) {
          addAssigned(pod);
          return;
        }
        const oldInfo = s.cache.getPod(pod.metadata.uid ?? '')!;
        const info = s.podInfo(pod);
        s.cache.updatePod(oldInfo, info);
        const actions = podUpdateActions(oldInfo, info);
        if (actions !== 0) s.queue.moveOnEvent({ resource: 'AssignedPod', actionType: actions, label: 'AssignedPodUpdate' }, oldPod, pod);
        return;
      }
      if (!responsible(pod)) return;
      if (terminal(pod)) {
        s.queue.delete(s.podInfo(pod));
        return;
      }
      s.queue.update(s.podInfo(oldPod), s.podInfo(pod));
    },
    onPodDelete(pod) {
      if (assigned(pod) || inCache(pod)) {
        removeAssigned(pod);
        return;
      }
      const pi = s.podInfo(pod);
      s.queue.delete(pi);
      for (const fw of s.frameworks.values()) fw.rejectWaitingPod(pi.uid, '', 'pod deleted');
    },
    onNodeAdd(node) {
      s.cache.addNode(node);
      s.queue.moveOnEvent({ resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' }, undefined, node);
    },
    onNodeUpdate(oldNode, node) {
      s.cache.updateNode(oldNode, node);
      const actions = nodeUpdateActions(oldNode, node);
      if (actions !== 0) s.queue.moveOnEvent({ resource: 'Node', actionType: actions, label: 'NodeUpdate' }, oldNode, node);
    },
    onNodeDelete(node) {
      s.cache.removeNode(node);
      s.queue.moveOnEvent({ resource: 'Node', actionType: ActionType.Delete, label: 'NodeDelete' }, node, undefined);
    },
  };
}

/** Informer-backed listers for a scheduler (pass as SchedulerOptions.listers). */
export const schedulerListers = informerListers;

/**
 * Registers the handlers on the factory's informers (pods, nodes, and the storage kinds that wake
 * VolumeBinding), runs every informer the scheduler uses, and resolves once all have synced.
 */
export async function runInformers(s: Scheduler, factory: InformerSource, signal: AbortSignal, extra: readonly Informer[] = []): Promise<void> {
  const h = schedulerHandlers(s);
  const pods = factory.informerFor<Pod>(RESOURCES.pods);
  const nodes = factory.informerFor<Node>(RESOURCES.nodes);
  const storage: [keyof typeof RESOURCES, EventResource][] = [
    ['pvcs', 'PersistentVolumeClaim'],
    ['pvs', 'PersistentVolume'],
    ['storageClasses', 'StorageClass'],
  ];
  const others = storage.map(([key, resource]) => {
    const inf = factory.informerFor<KubeObject>(RESOURCES[key]);
    inf.addEventHandler({
      onAdd: (o) => s.queue.moveOnEvent({ resource, actionType: ActionType.Add, label: `${resource}Add` }, undefined, o),
      onUpdate: (a, b) => s.queue.moveOnEvent({ resource, actionType: ActionType.UpdateOther, label: `${resource}Update` }, a, b),
      onDelete: (o) => s.queue.moveOnEvent({ resource, actionType: ActionType.Delete, label: `${resource}Delete` }, o, undefined),
    });
    return inf;
  });
  // Listers' informers (priority classes, PDBs, namespaces, owners) are created by touching them.
  const touched = [RESOURCES.priorityClasses, RESOURCES.pdbs, RESOURCES.namespaces, RESOURCES.services, RESOURCES.replicationControllers, RESOURCES.replicaSets, RESOURCES.statefulSets].map((r) =>
    factory.informerFor(r),
  );
  // Nodes first, so pods bound to them land in NodeInfos that already have their node.
  nodes.addEventHandler({ onAdd: h.onNodeAdd, onUpdate: h.onNodeUpdate, onDelete: h.onNodeDelete });
  const all = [nodes, pods, ...others, ...touched, ...extra];
  for (const inf of [...touched, ...others, nodes]) void inf.run(signal);
  await synced([...touched, ...others, nodes], signal);
  pods.addEventHandler({ onAdd: h.onPodAdd, onUpdate: h.onPodUpdate, onDelete: h.onPodDelete });
  void pods.run(signal);
  for (const inf of extra) void inf.run(signal);
  await synced(all, signal);
}

/** Resolves when every informer has synced, or as soon as `signal` aborts. */
function synced(informers: readonly Informer[], signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void Promise.all(informers.map((i) => i.hasSynced)).then(done);
  });
}
