// The agent's HTTPS endpoint (port 10250) is shared by several parts of the node layer: logs,
// streaming (exec, attach, port-forward) and stats each contribute routes here, and the server
// (src/node/server/agent-server.ts) dispatches to them after authenticating the caller.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Who is calling, as the agent server authenticated them (a client certificate from the cluster CA). */
export interface AgentCaller {
  user: string;
  groups: readonly string[];
}

/** An ordinary request: `parts` are the path segments after the route's prefix, decoded. */
export type AgentHttpHandler = (req: IncomingMessage, res: ServerResponse, parts: string[], url: URL, caller: AgentCaller) => void | Promise<void>;

/** A request that asks to switch protocols (WebSocket or SPDY/3.1); the handler owns the socket. */
export type AgentUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, parts: string[], url: URL, caller: AgentCaller) => void | Promise<void>;

/** One contribution: a first path segment (`containerLogs`, `exec`, `stats`…) and its handlers. */
export interface AgentRoute {
  prefix: string;
  http?: AgentHttpHandler;
  upgrade?: AgentUpgradeHandler;
}
