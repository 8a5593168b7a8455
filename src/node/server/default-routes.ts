// The routes every agent serves. Each part of the node layer contributes its own here with one
// line: logs (src/node/logs), streaming (exec, attach, portForward) and stats add theirs.

import type { Logger } from 'pino';
import type { RestClient } from '../../client/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { containerLogsRoute, type PodLookup } from '../logs/index.ts';
import type { RuntimeService } from '../runtime/cri.ts';
import { streamingRoutes } from '../streaming/index.ts';
import { hostReader, StatsProvider, statsRoute } from '../stats/index.ts';
import type { AgentRoute } from './routes.ts';

/** What routes may use: the node's runtime, its name and its API client. */
export interface AgentRouteDeps {
  runtime: RuntimeService;
  nodeName: string;
  client: RestClient;
  logger: Logger;
}

/** `/healthz` behind authentication, as on the kubelet's secure port. */
export const healthzRoute: AgentRoute = {
  prefix: 'healthz',
  http(_req, res) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('ok');
  },
};

/** `/pods`: the kubelet's list of the pods bound to this node, as a v1 PodList. */
export function podsRoute(client: RestClient, nodeName: string): AgentRoute {
  return {
    prefix: 'pods',
    async http(req, res, parts) {
      if (parts.length > 0 || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 page not found');
        return;
      }
      const list = await client.list({ group: '', version: 'v1', resource: 'pods' }, { fieldSelector: `spec.nodeName=${nodeName}` });
      const items = list.items.map((p) => ({ ...p, apiVersion: 'v1', kind: 'Pod' }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
    },
  };
}

/** Reads a pod through the node's client (its status says which container instance is which). */
export function podFromApi(client: RestClient): PodLookup {
  return async (namespace, name) => {
    try {
      return await client.get<KubeObject>({ group: '', version: 'v1', resource: 'pods', namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
}

export function defaultAgentRoutes(deps: AgentRouteDeps): AgentRoute[] {
  return [
    healthzRoute,
    podsRoute(deps.client, deps.nodeName),
    containerLogsRoute(deps.runtime, podFromApi(deps.client)),
    ...streamingRoutes({ runtime: deps.runtime, logger: deps.logger }),
    // On-demand stats; startAgent replaces it with the provider its eviction manager shares.
    statsRoute(new StatsProvider({ nodeName: deps.nodeName, runtime: deps.runtime, host: hostReader('/') })),
  ];
}
