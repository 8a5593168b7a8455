// Where a pod's container runs, as upstream's LogLocation/streamLocation work it out: the
// container named (or the only one), checked against the pod's spec; the node the pod is bound
// to; and that Node object, whose status says how to reach its agent. Also how an agent's
// non-success answer becomes a Status error for the caller.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import { badRequest, failure, isNotFound } from '../../machinery/status-error.ts';
import type { KubeletClient } from '../kubelet/index.ts';
import type { ResourceCall } from './resource-handler.ts';

/** What reaching an agent needs from a request: the registry (pods, nodes) and the kubelet client. */
export type AgentCallContext = Pick<ResourceCall, 'registry' | 'kubelet'>;

interface ContainerLike {
  name?: string;
}

interface PodSpecView {
  nodeName?: string;
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

/** Every container name of the pod, init containers first (upstream VisitContainers order). */
export function podContainerNames(pod: KubeObject): string[] {
  const spec = (pod['spec'] ?? {}) as PodSpecView;
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name ?? '');
}

/** The container a request is about: the one named, or the only one; 400 otherwise. */
export function resolveContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata.name ?? '';
  const spec = (pod['spec'] ?? {}) as PodSpecView;
  if (!requested) {
    const containers = spec.containers ?? [];
    if (containers.length === 1) return containers[0]?.name ?? '';
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${podContainerNames(pod).join(' ')}]`);
  }
  if (!podContainerNames(pod).includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The Node the pod is bound to (400 when it is not bound yet). */
export async function podNode(call: AgentCallContext, pod: KubeObject): Promise<KubeObject> {
  const nodeName = ((pod['spec'] ?? {}) as PodSpecView).nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name ?? ''} does not have a host assigned`);
  return nodeNamed(call, nodeName);
}

export async function nodeNamed(call: AgentCallContext, nodeName: string): Promise<KubeObject> {
  const nodes = call.registry.lookup('', 'v1', 'nodes');
  if (!nodes) throw failure(500, 'InternalError', 'nodes are not served', {});
  try {
    return await nodes.store.get(undefined, nodeName);
  } catch (err) {
    if (isNotFound(err)) throw failure(404, 'NotFound', `nodes "${nodeName}" not found`, { name: nodeName, kind: 'nodes' });
    throw err;
  }
}

export function kubeletOf(call: AgentCallContext): KubeletClient {
  if (!call.kubelet) throw failure(503, 'ServiceUnavailable', 'this server has no client for node agents', {});
  return call.kubelet;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Upstream's generic response checker: the agent's body (first KiB) is the message, its code the code. */
export async function agentFailure(res: IncomingMessage, resource: string, name: string): Promise<Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < 1024) chunks.push(chunk);
    size += chunk.length;
  }
  const code = res.statusCode ?? 500;
  const message = Buffer.concat(chunks).subarray(0, 1024).toString('utf8').trim();
  return failure(code, REASONS[code] ?? 'InternalError', message || `the node agent answered ${code}`, { name, kind: resource });
}

/**
 * Copies an agent's response body to the caller as it arrives, with backpressure (a slow reader
 * pauses the agent's stream instead of buffering here), until either side ends; then aborts the
 * agent request. Resolves when the caller's response is finished.
 */
export function relayAgentBody(res: ResourceCall['res'], upstream: IncomingMessage, ac: AbortController): Promise<void> {
  const out = res as unknown as ServerResponse;
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      ac.abort();
      upstream.destroy();
      out.end();
      resolve();
    };
    // Not the request's 'close': it fires as soon as a POST body has been read.
    out.on('close', finish);
    out.on('error', finish);
    upstream.on('error', finish);
    upstream.on('end', finish);
    upstream.on('data', (chunk: Buffer) => {
      if (!out.write(chunk)) {
        upstream.pause();
        out.once('drain', () => upstream.resume());
      }
    });
  });
}
