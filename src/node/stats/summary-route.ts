// The agent's `/stats/summary` route (the kubelet Summary API, stats/v1alpha1). Only the summary
// is served; `/stats/` alone and cadvisor's older container stats answer 404 as on a kubelet
// without them.

import type { AgentRoute } from '../server/routes.ts';
import type { SummarySource } from './summary-types.ts';

export function statsRoute(source: SummarySource): AgentRoute {
  return {
    prefix: 'stats',
    async http(req, res, parts) {
      if (parts.length !== 1 || parts[0] !== 'summary') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('405: Method Not Allowed\n');
        return;
      }
      try {
        const body = JSON.stringify(await source.summary());
        res.writeHead(200, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`failed to get summary: ${(err as Error).message}\n`);
      }
    },
  };
}
