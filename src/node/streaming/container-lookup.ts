// Finds the runtime container behind {namespace, pod, container} by the labels the agent puts on
// every container (as the kubelet's dockershim/CRI labels do), the newest attempt first.

import { badRequest, failure, type StatusError } from '../../machinery/index.ts';
import type { ContainerStatus, RuntimeService } from '../runtime/cri.ts';

export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

export async function findRunningContainer(runtime: RuntimeService, namespace: string, pod: string, container: string): Promise<ContainerStatus | StatusError> {
  const all = (await runtime.listContainers()).filter(
    (c) => c.labels[POD_NAMESPACE_LABEL] === namespace && c.labels[POD_NAME_LABEL] === pod && c.labels[CONTAINER_NAME_LABEL] === container,
  );
  if (all.length === 0) {
    const podKnown = (await runtime.listContainers()).some((c) => c.labels[POD_NAMESPACE_LABEL] === namespace && c.labels[POD_NAME_LABEL] === pod);
    return podKnown
      ? failure(404, 'NotFound', `container not found (${JSON.stringify(container)})`, { name: container, kind: 'containers' })
      : failure(404, 'NotFound', `pod ${namespace}/${pod} does not exist on this node`, { name: pod, kind: 'pods' });
  }
  const running = all.filter((c) => c.state === 'CONTAINER_RUNNING').sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!running) return badRequest(`container ${JSON.stringify(container)} in pod ${namespace}/${pod} is not running`);
  return running;
}
