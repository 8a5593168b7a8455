// Informer events for controllers whose keys depend on more than the changed object: the pod
// handlers need the old and new pod to tell which services to resync, the slice handlers consult
// the write tracker. Controller.watch passes only the new object, so these controllers register
// the informer with it (to run it and wait for its cache) and add their own handlers.

import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/index.ts';
import type { Controller } from '../runtime/controller.ts';

export interface KeyHandlers<T> {
  onAdd?(obj: T): Iterable<string>;
  onUpdate?(old: T, cur: T): Iterable<string>;
  onDelete?(obj: T): Iterable<string>;
}

/** Runs `informer` with `controller` and enqueues the keys the handlers return. */
export function watchWith<T extends KubeObject>(controller: Controller, informer: Informer<T>, handlers: KeyHandlers<T> = {}): void {
  controller.watch(informer, () => undefined);
  const enqueue = (keys: Iterable<string>): void => {
    for (const key of keys) controller.queue.add(key);
  };
  informer.addEventHandler({
    ...(handlers.onAdd ? { onAdd: (obj: T) => enqueue(handlers.onAdd!(obj)) } : {}),
    ...(handlers.onUpdate ? { onUpdate: (old: T, cur: T) => enqueue(handlers.onUpdate!(old, cur)) } : {}),
    ...(handlers.onDelete ? { onDelete: (obj: T) => enqueue(handlers.onDelete!(obj)) } : {}),
  });
}
