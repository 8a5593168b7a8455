// How the API server reaches a node agent's HTTPS endpoint (pods/log, exec, attach, portforward,
// nodes/proxy, and the metrics API's stats). The implementation lives beside this contract.

import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../api/types.ts';

export interface KubeletRequest {
  method?: string;
  /** Path and query on the agent, e.g. `/containerLogs/ns/pod/c?follow=true`. */
  path: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface KubeletClient {
  /** Sends a request to the node's agent (address and port from node.status) and resolves with its response. */
  request(node: KubeObject, req: KubeletRequest): Promise<IncomingMessage>;
}
