// The agent's streaming routes, as the API server's proxy forwards kubectl's requests to them:
//   /exec/{ns}/{pod}[/{uid}]/{container}?command=…&stdin=…&stdout=…&stderr=…&tty=…
//   /attach/{ns}/{pod}[/{uid}]/{container}?stdin=…&stdout=…&stderr=…&tty=…
//   /portForward/{ns}/{pod}[/{uid}]
// each as a WebSocket (GET, Upgrade: websocket) or SPDY/3.1 (POST, Upgrade: SPDY/3.1) upgrade.

import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { badRequest, failure, invalid, isStatusError, type StatusError } from '../../machinery/index.ts';
import type { RuntimeService, StreamingOptions, StreamingProcess } from '../runtime/cri.ts';
import type { AgentRoute } from '../server/routes.ts';
import { findRunningContainer, POD_NAME_LABEL, POD_NAMESPACE_LABEL } from './container-lookup.ts';
import { PortForwardHandler } from './portforward-spdy.ts';
import { negotiate, PORTFORWARD_PROTOCOL, PORTFORWARD_TUNNEL_PROTOCOL, PORTFORWARD_WS_PROTOCOLS, REMOTECOMMAND_PROTOCOLS, REMOTECOMMAND_WS_PROTOCOLS, type RemoteCommandProtocol } from './protocols.ts';
import { parsePorts, serveWebSocketPortForward } from './portforward-ws.ts';
import { runRemoteCommand, type RemoteCommandChannels, type TerminalSize } from './remotecommand.ts';
import { spdyRemoteCommandChannels } from './remotecommand-spdy.ts';
import { wsRemoteCommandChannels, type WantedStreams } from './remotecommand-ws.ts';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy-session.ts';
import {
  acceptSpdy,
  acceptWebSocket,
  isSpdyRequest,
  isWebSocketRequest,
  negotiateSpdy,
  offeredWebSocketProtocols,
  rejectUpgrade,
  webSocketTransport,
} from './upgrade.ts';

export interface StreamingDeps {
  runtime: RuntimeService;
  /** Connects to a port of a pod. Default: the runtime's portForward, else 127.0.0.1 on this host. */
  dialPod?(namespace: string, pod: string, port: number): Promise<Duplex>;
  logger?: Logger;
}

export function streamingRoutes(deps: StreamingDeps): AgentRoute[] {
  return [
    { prefix: 'exec', upgrade: (req, socket, head, parts, url) => remoteCommand(deps, 'exec', req, socket, head, parts, url) },
    { prefix: 'attach', upgrade: (req, socket, head, parts, url) => remoteCommand(deps, 'attach', req, socket, head, parts, url) },
    { prefix: 'portForward', upgrade: (req, socket, head, parts, url) => portForward(deps, req, socket, head, parts, url) },
  ];
}

/** kubectl sends `true`; the API server's own kubelet URLs use `1` (both are upstream). */
function flag(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  return v === '1' || v === 'true';
}

async function remoteCommand(deps: StreamingDeps, kind: 'exec' | 'attach', req: IncomingMessage, socket: Duplex, head: Buffer, parts: string[], url: URL): Promise<void> {
  const [namespace, pod] = parts;
  const container = parts.length === 4 ? parts[3] : parts[2];
  if (!namespace || !pod || !container || parts.length > 4) {
    rejectUpgrade(socket, badRequest(`expected /${kind}/{namespace}/{pod}/{container}, got /${kind}/${parts.join('/')}`));
    return;
  }
  const want: WantedStreams = { stdin: flag(url, 'stdin'), stdout: flag(url, 'stdout'), stderr: flag(url, 'stderr'), tty: flag(url, 'tty') };
  const command = url.searchParams.getAll('command');
  const problem = requestProblem(kind, pod, command, want);
  if (problem) {
    rejectUpgrade(socket, problem);
    return;
  }
  const starter = starterFor(deps.runtime, kind, command, { stdin: want.stdin, tty: want.tty });
  if (!starter) {
    rejectUpgrade(socket, failure(501, 'NotImplemented', `the container runtime does not support ${kind}`));
    return;
  }
  const found = await findRunningContainer(deps.runtime, namespace, pod, container).catch((err: Error) => failure(500, 'InternalError', err.message));
  if (isStatusError(found)) {
    rejectUpgrade(socket, found);
    return;
  }
  const start = (size?: TerminalSize): Promise<StreamingProcess> => starter(found.id, size);
  const log = deps.logger?.child({ pod: `${namespace}/${pod}`, container, kind });

  let channels: RemoteCommandChannels;
  if (isWebSocketRequest(req)) {
    const offered = offeredWebSocketProtocols(req);
    // A client that names no protocol gets the binary v1 one, as upstream.
    const protocol = offered.length === 0 ? '' : negotiate(offered, REMOTECOMMAND_WS_PROTOCOLS);
    if (protocol === undefined) {
      rejectUpgrade(socket, badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${REMOTECOMMAND_WS_PROTOCOLS.join(' ')}]`));
      return;
    }
    const ws = await acceptWebSocket(req, socket, head, protocol);
    if (!ws) return;
    channels = wsRemoteCommandChannels(ws, protocol, want);
  } else if (isSpdyRequest(req)) {
    const chosen = negotiateSpdy<RemoteCommandProtocol>(req, REMOTECOMMAND_PROTOCOLS);
    if ('error' in chosen) {
      rejectUpgrade(socket, failure(403, 'Forbidden', chosen.error), { 'X-Accepted-Stream-Protocol-Versions': REMOTECOMMAND_PROTOCOLS.join(', ') });
      return;
    }
    const { session, onStream } = spdySession(acceptSpdy(socket, head, chosen.protocol), log);
    try {
      channels = await spdyRemoteCommandChannels(session, chosen.protocol, want, onStream);
    } catch (err) {
      log?.info({ err }, 'streaming session ended before it started');
      return;
    }
  } else {
    rejectUpgrade(socket, badRequest(`${kind} needs an upgrade to WebSocket or SPDY/3.1`));
    return;
  }
  log?.debug({ protocol: channels.protocol, command, ...want }, 'streaming session started');
  await runRemoteCommand(channels, start, want.tty);
}

/** How this runtime starts the session for a container, if it can. */
function starterFor(runtime: RuntimeService, kind: 'exec' | 'attach', command: string[], opts: StreamingOptions): ((containerId: string, size?: TerminalSize) => Promise<StreamingProcess>) | undefined {
  const exec = runtime.exec?.bind(runtime);
  const attach = runtime.attach?.bind(runtime);
  const withSize = (size?: TerminalSize): StreamingOptions => (size ? { ...opts, size } : opts);
  if (kind === 'exec') return exec && ((id, size) => exec(id, command, withSize(size)));
  return attach && ((id, size) => attach(id, withSize(size)));
}

function requestProblem(kind: 'exec' | 'attach', pod: string, command: string[], want: WantedStreams): StatusError | undefined {
  if (kind === 'exec' && command.length === 0) {
    return invalid('PodExecOptions', '', pod, [{ type: 'FieldValueRequired', field: 'command', message: 'Required value' }]);
  }
  if (!want.stdin && !want.stdout && !want.stderr) return badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return undefined;
}

async function portForward(deps: StreamingDeps, req: IncomingMessage, socket: Duplex, head: Buffer, parts: string[], url: URL): Promise<void> {
  const [namespace, pod] = parts;
  if (!namespace || !pod || parts.length > 3) {
    rejectUpgrade(socket, badRequest(`expected /portForward/{namespace}/{pod}, got /portForward/${parts.join('/')}`));
    return;
  }
  const containers = await deps.runtime.listContainers().catch(() => []);
  const running = containers.find((c) => c.labels[POD_NAMESPACE_LABEL] === namespace && c.labels[POD_NAME_LABEL] === pod && c.state === 'CONTAINER_RUNNING');
  if (!running) {
    rejectUpgrade(socket, failure(404, 'NotFound', `pod ${namespace}/${pod} has no running container on this node`, { name: pod, kind: 'pods' }));
    return;
  }
  // The runtime knows the pod's network (CRI PortForward); without it, the node's own loopback.
  const runtimeDial = deps.runtime.portForward?.bind(deps.runtime);
  const dial = deps.dialPod ?? (runtimeDial ? (_ns: string, _pod: string, port: number) => runtimeDial(running.podSandboxId, port) : dialLocalhost);
  const handler = new PortForwardHandler(`${namespace}/${pod}`, (port) => dial(namespace, pod, port));
  const log = deps.logger?.child({ pod: `${namespace}/${pod}`, kind: 'portforward' });
  let transport: SpdyTransport;
  if (isWebSocketRequest(req)) {
    const offered = offeredWebSocketProtocols(req);
    const channelProtocol = negotiate(offered, PORTFORWARD_WS_PROTOCOLS);
    if (!offered.includes(PORTFORWARD_TUNNEL_PROTOCOL) && channelProtocol) {
      const ports = parsePorts(url);
      if (typeof ports === 'string') {
        rejectUpgrade(socket, badRequest(ports));
        return;
      }
      const ws = await acceptWebSocket(req, socket, head, channelProtocol);
      if (!ws) return;
      serveWebSocketPortForward(ws, ports, `${namespace}/${pod}`, (port) => dial(namespace, pod, port));
      return;
    }
    if (!offered.includes(PORTFORWARD_TUNNEL_PROTOCOL)) {
      rejectUpgrade(socket, badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${[PORTFORWARD_TUNNEL_PROTOCOL, ...PORTFORWARD_WS_PROTOCOLS].join(' ')}]`));
      return;
    }
    const ws = await acceptWebSocket(req, socket, head, PORTFORWARD_TUNNEL_PROTOCOL);
    if (!ws) return;
    transport = webSocketTransport(ws);
  } else if (isSpdyRequest(req)) {
    const chosen = negotiateSpdy(req, [PORTFORWARD_PROTOCOL]);
    if ('error' in chosen) {
      rejectUpgrade(socket, failure(403, 'Forbidden', chosen.error), { 'X-Accepted-Stream-Protocol-Versions': PORTFORWARD_PROTOCOL });
      return;
    }
    transport = acceptSpdy(socket, head, chosen.protocol);
  } else {
    rejectUpgrade(socket, badRequest('portforward needs an upgrade to WebSocket or SPDY/3.1'));
    return;
  }
  const { session, onStream } = spdySession(transport, log);
  onStream((s) => handler.onStream(s));
  await session.whenClosed();
}

function spdySession(transport: SpdyTransport, log: Logger | undefined): { session: SpdySession; onStream: (cb: (s: SpdyStream) => void) => void } {
  let handler: (s: SpdyStream) => void = (s) => s.destroy();
  const session = new SpdySession(transport, { onStream: (s) => handler(s), onError: (err) => log?.info({ err }, 'SPDY connection failed') });
  return { session, onStream: (cb) => (handler = cb) };
}

function dialLocalhost(_namespace: string, _pod: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}
