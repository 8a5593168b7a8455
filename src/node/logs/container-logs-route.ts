// The agent's `containerLogs/{namespace}/{pod}/{container}` route (the kubelet's): finds the
// container through the runtime by the io.kubernetes.* labels the pod worker puts on it, the
// current instance or with `previous` the last terminated one (by the pod's status when there is
// one, see log-container-status.ts), and streams its log file as text/plain.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE } from '../agent/pod-types.ts';
import type { ContainerStatus, RuntimeService } from '../runtime/cri.ts';
import type { AgentRoute } from '../server/routes.ts';
import type { KubeObject } from '../../api/types.ts';
import { logContainerFromStatus } from './log-container-status.ts';
import { parseContainerLogQuery } from './log-query.ts';
import { readContainerLogs } from './log-reader.ts';

export type ContainerPick = { container: ContainerStatus } | { code: number; message: string };

/**
 * The instance of a container whose log is asked for: the newest one, or with `previous` the one
 * before it (the pod worker keeps exactly one exited instance for this).
 */
export function pickContainer(all: readonly ContainerStatus[], namespace: string, pod: string, name: string, previous: boolean): ContainerPick {
  const ofPod = all.filter((c) => c.labels[LABEL_POD_NAMESPACE] === namespace && c.labels[LABEL_POD_NAME] === pod);
  if (ofPod.length === 0) return { code: 404, message: `pod "${pod}" does not exist` };
  const named = ofPod.filter((c) => c.labels[LABEL_CONTAINER_NAME] === name).sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  if (previous) {
    const last = named[1];
    if (!last) return { code: 400, message: `previous terminated container "${name}" in pod "${pod}" not found` };
    return { container: last };
  }
  const current = named[0];
  if (!current) return { code: 400, message: `container "${name}" in pod "${pod}" is waiting to start: ContainerCreating` };
  return { container: current };
}

function fail(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}

/** The pod as the API has it (its status names container instances), or undefined when unknown. */
export type PodLookup = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * The instance to read: by the pod's status when it lists the container (the kubelet's rules),
 * else by the runtime's containers alone (a status not written yet).
 */
async function chooseContainer(runtime: RuntimeService, lookup: PodLookup | undefined, namespace: string, pod: string, name: string, previous: boolean): Promise<ContainerPick> {
  const all = await runtime.listContainers();
  const podObject = lookup ? await lookup(namespace, pod).catch(() => undefined) : undefined;
  const fromStatus = podObject ? logContainerFromStatus(podObject, name, previous) : undefined;
  if (fromStatus && 'message' in fromStatus) return { code: 400, message: fromStatus.message };
  const byId = fromStatus ? all.find((c) => c.id === fromStatus.id) : undefined;
  return byId ? { container: byId } : pickContainer(all, namespace, pod, name, previous);
}

export function containerLogsRoute(runtime: RuntimeService, lookup?: PodLookup, now: () => number = Date.now): AgentRoute {
  return {
    prefix: 'containerLogs',
    async http(req: IncomingMessage, res: ServerResponse, parts: string[], url: URL) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method not allowed');
      const [namespace, pod, container] = parts;
      if (parts.length !== 3 || !namespace || !pod || !container) return fail(res, 400, 'want containerLogs/{namespace}/{pod}/{container}');
      const query = parseContainerLogQuery(url.searchParams, now());
      if ('error' in query) return fail(res, 400, query.error);
      const picked = await chooseContainer(runtime, lookup, namespace, pod, container, query.previous);
      if ('code' in picked) return fail(res, picked.code, picked.message);
      const { id, logPath } = picked.container;
      if (!logPath) return fail(res, 400, `container "${container}" in pod "${pod}" has no log file`);

      const ac = new AbortController();
      // The request ends when the caller goes away (kubectl logs -f interrupted).
      res.on('close', () => ac.abort());
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      const running = async (): Promise<boolean> => {
        const s = await runtime.containerStatus(id).catch(() => undefined);
        return s?.state === 'CONTAINER_RUNNING' || s?.state === 'CONTAINER_CREATED';
      };
      const sink = (chunk: Buffer): Promise<void> =>
        new Promise((resolve) => {
          if (ac.signal.aborted || res.write(chunk)) return resolve();
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      try {
        await readContainerLogs({ path: logPath, running }, query, sink, ac.signal);
      } finally {
        res.end();
      }
    },
  };
}
