// DefaultBinder (Bind): POST pods/<name>/binding with the chosen node; the API server sets
// spec.nodeName and the PodScheduled condition.

import type { BindPlugin, Handle } from '../../framework/interface.ts';
import { Status } from '../../framework/status.ts';
import { resourcePath } from '../../../client/index.ts';
import { Names } from '../names.ts';

export function newDefaultBinder(handle: Pick<Handle, 'client'>): BindPlugin {
  return {
    name: Names.DefaultBinder,
    async bind(_state, pod, nodeName, signal) {
      const client = handle.client;
      if (!client) return Status.error(Names.DefaultBinder, new Error('no API client to bind with'));
      const meta = pod.pod.metadata;
      const path = resourcePath({ group: '', version: 'v1', resource: 'pods', namespace: meta.namespace ?? '', name: meta.name ?? '' }, 'binding');
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
      try {
        await client.request('POST', path, binding, { signal });
      } catch (err) {
        return Status.error(Names.DefaultBinder, err);
      }
      return undefined;
    },
  } satisfies BindPlugin;
}
