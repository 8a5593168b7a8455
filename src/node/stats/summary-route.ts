// The agent's `/stats/summary` route (the kubelet Summary API, stats/v1alpha1). Only the summary
// is served; `/stats/` alone and cadvisor's older container stats answer 404 as on a kubelet
// without them.

import type { AgentRoute } from '../server/routes.ts';
import type { Summary, SummarySource } from './summary-types.ts';

export function statsRoute(source: SummarySource): AgentRoute {
  return {
    prefix: 'stats',
    async http(req, res, parts, url) {
      if (parts.length !== 1 || parts[0] !== 'summary') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('405: Method Not Allowed\n');
        return;
      }
      try {
        const summary = await source.summary();
        // metrics-server asks for only what it reads.
        const body = JSON.stringify(url.searchParams.get('only_cpu_and_memory') === 'true' ? cpuAndMemory(summary) : summary);
        res.writeHead(200, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`failed to get summary: ${(err as Error).message}\n`);
      }
    },
  };
}

/** The summary without filesystems and logs (the kubelet's only_cpu_and_memory=true). */
export function cpuAndMemory(s: Summary): Summary {
  const { fs: _fs, ...node } = s.node;
  return {
    node,
    pods: s.pods.map(({ 'ephemeral-storage': _e, ...pod }) => ({ ...pod, containers: pod.containers.map(({ logs: _l, ...c }) => c) })),
  };
}
