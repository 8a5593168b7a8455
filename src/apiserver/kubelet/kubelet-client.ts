// How the API server reaches a node agent's HTTPS endpoint (pods/log, exec, attach, portforward,
// nodes/proxy, and the metrics API's stats). The implementation lives beside this contract.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.ts';

export interface KubeletRequest {
  method?: string;
  /** Path and query on the agent, e.g. `/containerLogs/ns/pod/c?follow=true`. */
  path: string;
  /** Headers as an object, or as a flat [name, value, …] list like rawHeaders (repeated headers kept apart). */
  headers?: Record<string, string> | string[];
  /** A request body (nodes/proxy POSTs). */
  body?: Buffer;
  signal?: AbortSignal;
}

/** The agent's answer to a request to switch protocols: the socket when it said 101, else its response. */
export type KubeletUpgrade = { switched: true; response: IncomingMessage; socket: Duplex; head: Buffer } | { switched: false; response: IncomingMessage };

export interface KubeletClient {
  /** Sends a request to the node's agent (address and port from node.status) and resolves with its response. */
  request(node: KubeObject, req: KubeletRequest): Promise<IncomingMessage>;
  /** Sends a request that asks to switch protocols (Upgrade/Connection headers in req.headers). */
  upgrade(node: KubeObject, req: KubeletRequest): Promise<KubeletUpgrade>;
}
