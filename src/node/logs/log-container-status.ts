// Which container instance a log request means, read from the pod's status the way the kubelet's
// validateContainerLogStatus reads it: `previous` is the last terminated instance
// (lastState.terminated); otherwise the running one, else the one that terminated (or, while it
// waits to restart, the last one that did); a container that never ran has no log and says why.

import type { KubeObject } from '../../api/types.ts';

interface StateView {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { containerID?: string };
}

interface StatusView {
  name?: string;
  containerID?: string;
  state?: StateView;
  lastState?: StateView;
}

/** The runtime's container id (without the `<runtime>://` prefix), or the message of why there is none; undefined when the status does not list the container. */
export function logContainerFromStatus(pod: KubeObject, container: string, previous: boolean): { id: string } | { message: string } | undefined {
  const status = (pod['status'] ?? {}) as Record<string, StatusView[] | undefined>;
  const all = [...(status['containerStatuses'] ?? []), ...(status['initContainerStatuses'] ?? []), ...(status['ephemeralContainerStatuses'] ?? [])];
  const cs = all.find((s) => s.name === container);
  if (!cs) return undefined;
  const podName = pod.metadata.name ?? '';
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  const terminatedMessage = { message: `container "${container}" in pod "${podName}" is terminated` };
  let ref: string | undefined;
  if (previous) {
    if (!last?.containerID) return { message: `previous terminated container "${container}" in pod "${podName}" not found` };
    ref = last.containerID;
  } else if (running) {
    ref = cs.containerID;
  } else if (terminated) {
    // When the next instance has not started, the terminated state may carry no id: use the last one's.
    ref = terminated.containerID || last?.containerID;
    if (!ref) return terminatedMessage;
  } else if (last) {
    if (!last.containerID) return terminatedMessage;
    ref = last.containerID;
  } else if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') return { message: `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled` };
    if (reason === 'ImagePullBackOff') return { message: `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image` };
    return { message: `container "${container}" in pod "${podName}" is waiting to start: ${reason}` };
  }
  if (!ref) return undefined;
  const at = ref.indexOf('://');
  return { id: at < 0 ? ref : ref.slice(at + 3) };
}
