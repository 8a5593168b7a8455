// The API server as a proxy to node agents. Requests that switch protocols — pods/exec,
// pods/attach and pods/portforward (WebSocket GETs and SPDY/3.1 POSTs), and nodes/proxy upgrades —
// arrive on the server's 'upgrade' event already authenticated and authorized; they are forwarded
// with their query and upgrade headers to the agent's /exec, /attach, /portForward (or the proxied
// path) and, once the agent answers 101, bytes are piped both ways until either side closes. An
// agent that does not switch gets its answer relayed, so clients fall back as they would upstream.
// Plain nodes/proxy requests (`kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`) are relayed
// as ordinary HTTP.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequest, methodNotAllowed } from '../../machinery/status-error.ts';
import type { ServedResource } from '../api-registry.ts';
import type { ResourceRequestInfo } from '../http/request-info.ts';
import { readBody } from '../http/body.ts';
import { kubeletOf, nodeNamed, podNode, relayAgentBody, resolveContainer, type AgentCallContext } from './pod-location.ts';
import type { ResourceCall } from './resource-handler.ts';

/** Headers that belong to this hop (or name the caller to this server) and are not forwarded. */
const NOT_FORWARDED = new Set(['host', 'authorization', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection']);

export interface UpgradeCall extends AgentCallContext {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  info: ResourceRequestInfo;
  served: ServedResource;
}

/** Whether this subresource is one the agent serves (and so may be asked to switch protocols). */
export function isAgentSubresource(group: string, resource: string, subresource: string | undefined): boolean {
  if (group !== '') return false;
  if (resource === 'pods') return subresource === 'exec' || subresource === 'attach' || subresource === 'portforward';
  return resource === 'nodes' && subresource === 'proxy';
}

/** The path after `/proxy` in a nodes/N/proxy/… URL, with its query. */
export function proxiedPath(url: URL): string {
  const at = url.pathname.indexOf('/proxy');
  const rest = at < 0 ? '/' : url.pathname.slice(at + '/proxy'.length) || '/';
  return `${rest}${url.search}`;
}

/** The agent path a pod stream goes to: /exec|/attach/{ns}/{pod}/{container} or /portForward/{ns}/{pod}. */
async function podStreamTarget(call: AgentCallContext & { info: ResourceRequestInfo; served: ServedResource; url: URL }): Promise<{ node: Awaited<ReturnType<typeof podNode>>; path: string }> {
  const { info, served, url } = call;
  const pod = await served.store.get(info.namespace, info.name as string);
  const ns = encodeURIComponent(info.namespace ?? '');
  const name = encodeURIComponent(info.name ?? '');
  if (info.subresource === 'portforward') return { node: await podNode(call, pod), path: `/portForward/${ns}/${name}${url.search}` };
  const container = resolveContainer(pod, url.searchParams.get('container'));
  const node = await podNode(call, pod);
  const prefix = info.subresource === 'exec' ? 'exec' : 'attach';
  return { node, path: `/${prefix}/${ns}/${name}/${encodeURIComponent(container)}${url.search}` };
}

function forwardedHeaders(raw: readonly string[]): string[] {
  // No body follows a request to switch protocols: without this, a POST would go out chunked
  // and its terminating chunk would reach the agent as the first bytes of the new protocol.
  const out: string[] = ['Content-Length', '0'];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (NOT_FORWARDED.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

function rawHead(statusCode: number, statusMessage: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/** Serves an upgrade request (already authenticated and authorized) by tunnelling it to the agent. */
export async function proxyUpgrade(call: UpgradeCall): Promise<number> {
  const { info, req, socket, head } = call;
  if (info.subresource === undefined || info.name === undefined || !isAgentSubresource(info.group, info.resource, info.subresource)) {
    throw badRequest(`${info.resource}${info.subresource ? `/${info.subresource}` : ''} does not support switching protocols`);
  }
  let target: { node: Awaited<ReturnType<typeof podNode>>; path: string };
  if (info.resource === 'nodes') target = { node: await nodeNamed(call, info.name), path: proxiedPath(call.url) };
  else target = await podStreamTarget(call);

  const answer = await kubeletOf(call).upgrade(target.node, { method: req.method ?? 'GET', path: target.path, headers: forwardedHeaders(req.rawHeaders) });
  if (!answer.switched) {
    const body = await collect(answer.response);
    const headers = ['Content-Type', String(answer.response.headers['content-type'] ?? 'text/plain; charset=utf-8'), 'Content-Length', String(body.length), 'Connection', 'close'];
    socket.end(Buffer.concat([Buffer.from(rawHead(answer.response.statusCode ?? 502, answer.response.statusMessage ?? '', headers)), body]));
    return answer.response.statusCode ?? 502;
  }
  const backend = answer.socket;
  socket.write(rawHead(101, answer.response.statusMessage || 'Switching Protocols', answer.response.rawHeaders));
  if (answer.head.length > 0) socket.write(answer.head);
  if (head.length > 0) backend.write(head);
  socket.pipe(backend);
  backend.pipe(socket);
  const close = (): void => {
    socket.destroy();
    backend.destroy();
  };
  socket.on('error', close);
  backend.on('error', close);
  socket.on('close', close);
  backend.on('close', close);
  return 101;
}

async function collect(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** pods/exec|attach|portforward without an Upgrade header: upstream answers 400. */
export function requireUpgrade(): never {
  throw badRequest('Upgrade request required');
}

/** nodes/proxy as plain HTTP: the request goes to the agent's path and its answer comes back as is. */
export async function nodeProxy(call: ResourceCall): Promise<void> {
  const { info, req, res } = call;
  if (!['get', 'list', 'create', 'update', 'patch', 'delete'].includes(info.verb)) throw methodNotAllowed('the server does not allow this method on the requested resource');
  const node = await nodeNamed(call, info.name as string);
  const url = new URL(req.url ?? '/', 'https://localhost');
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const headers: Record<string, string> = {};
  for (const h of ['accept', 'content-type']) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const ac = new AbortController();
  const upstream = await kubeletOf(call).request(node, { method, path: proxiedPath(url), headers, signal: ac.signal, ...(body ? { body } : {}) });
  const out: Record<string, string> = {};
  for (const h of ['content-type', 'content-encoding', 'cache-control']) {
    const v = upstream.headers[h];
    if (typeof v === 'string') out[h] = v;
  }
  (res as import('node:http').ServerResponse).writeHead(upstream.statusCode ?? 502, out);
  await relayAgentBody(res, upstream, ac);
}


