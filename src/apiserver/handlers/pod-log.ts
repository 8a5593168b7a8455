// pods/log: validates the PodLogOptions like upstream (422 Invalid for out-of-range values), finds
// the container and its node, and streams the node agent's containerLogs answer through as
// text/plain, writing bytes as they arrive and stopping when the caller goes away.

import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import { badRequest, fieldErrors, invalid, methodNotAllowed, type FieldError } from '../../machinery/status-error.ts';
import { agentFailure, kubeletOf, podNode, relayAgentBody, resolveContainer } from './pod-location.ts';
import type { ResourceCall } from './resource-handler.ts';

const BOOLS = ['follow', 'previous', 'timestamps', 'insecureSkipTLSVerifyBackend'] as const;
const INTS = ['tailLines', 'limitBytes', 'sinceSeconds'] as const;
/** What the agent is told: the options it acts on, as given. */
const FORWARDED = ['follow', 'previous', 'timestamps', 'tailLines', 'limitBytes', 'sinceSeconds', 'sinceTime'] as const;

/** 400 for values that do not even parse (upstream's query conversion), 422 for values out of range. */
export function validateLogQuery(query: URLSearchParams, podName: string): void {
  for (const name of BOOLS) {
    const v = query.get(name);
    if (v !== null && v !== '' && !/^(1|t|T|true|TRUE|True|0|f|F|false|FALSE|False)$/.test(v)) throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  const ints: Partial<Record<(typeof INTS)[number], number>> = {};
  for (const name of INTS) {
    const v = query.get(name);
    if (v === null || v === '') continue;
    if (!/^-?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    ints[name] = Number(v);
  }
  const sinceTime = query.get('sinceTime');
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const errs: FieldError[] = [];
  if (ints.tailLines !== undefined && ints.tailLines < 0) errs.push(fieldErrors.invalid('tailLines', ints.tailLines, 'must be greater than or equal to 0'));
  if (ints.limitBytes !== undefined && ints.limitBytes < 1) errs.push(fieldErrors.invalid('limitBytes', ints.limitBytes, 'must be greater than 0'));
  if (sinceTime && ints.sinceSeconds !== undefined) errs.push(fieldErrors.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (ints.sinceSeconds !== undefined && ints.sinceSeconds < 1) errs.push(fieldErrors.invalid('sinceSeconds', ints.sinceSeconds, 'must be greater than 0'));
  if (errs.length > 0) throw invalid('PodLogOptions', '', podName, errs);
}

interface ContainerStatusView {
  name?: string;
  state?: { waiting?: { reason?: string }; running?: object; terminated?: object };
  lastState?: { terminated?: object };
}

/** Like the kubelet's validateContainerLogStatus: a container that never ran has no log yet. */
function checkStarted(pod: KubeObject, container: string, previous: boolean): void {
  const status = (pod['status'] ?? {}) as Record<string, ContainerStatusView[] | undefined>;
  const all = [...(status['initContainerStatuses'] ?? []), ...(status['containerStatuses'] ?? []), ...(status['ephemeralContainerStatuses'] ?? [])];
  const cs = all.find((s) => s.name === container);
  if (!cs || previous) return;
  const waiting = cs.state?.waiting;
  if (waiting && !cs.state?.running && !cs.state?.terminated && !cs.lastState?.terminated) {
    throw badRequest(`container "${container}" in pod "${pod.metadata.name ?? ''}" is waiting to start: ${waiting.reason || 'ContainerCreating'}`);
  }
}

export async function podLog(call: ResourceCall): Promise<void> {
  const { info, served, req, res, query } = call;
  if (info.verb !== 'get') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const name = info.name as string;
  validateLogQuery(query, name);
  const pod = await served.store.get(info.namespace, name);
  const container = resolveContainer(pod, query.get('container'));
  const previous = /^(1|t|T|true|TRUE|True)$/.test(query.get('previous') ?? '');
  checkStarted(pod, container, previous);
  const node = await podNode(call, pod);
  const forwarded = new URLSearchParams();
  for (const k of FORWARDED) {
    const v = query.get(k);
    if (v !== null && v !== '') forwarded.set(k, v);
  }
  const ac = new AbortController();
  const path = `/containerLogs/${encodeURIComponent(info.namespace ?? '')}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${forwarded.size ? `?${forwarded}` : ''}`;
  const upstream = await kubeletOf(call).request(node, { path, signal: ac.signal });
  if (upstream.statusCode !== 200) throw await agentFailure(upstream, 'pods/log', name);

  // No content-length: HTTP/1.1 answers chunked, HTTP/2 streams DATA frames as bytes arrive.
  const out = res as ServerResponse;
  out.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  out.flushHeaders?.();
  await relayAgentBody(res, upstream, ac);
}
