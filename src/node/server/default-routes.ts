// The routes every agent serves. Each part of the node layer contributes its own here with one
// line: logs (src/node/logs), streaming (exec, attach, portForward) and stats add theirs.

import type { Logger } from 'pino';
import type { RestClient } from '../../client/index.ts';
import { containerLogsRoute } from '../logs/index.ts';
import type { RuntimeService } from '../runtime/cri.ts';
import { streamingRoutes } from '../streaming/index.ts';
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

export function defaultAgentRoutes(deps: AgentRouteDeps): AgentRoute[] {
  return [
    healthzRoute,
    containerLogsRoute(deps.runtime),
    ...streamingRoutes({ runtime: deps.runtime, logger: deps.logger }),
  ];
}
