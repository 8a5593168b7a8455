// An httpGet probe or hook: GET scheme://host:port/path with the spec's headers, as upstream's
// prober does (User-Agent kube-probe/<version>, Accept */*); a status from 200 to 399 succeeds.
// HTTPS does not verify the certificate, as upstream does not.

import * as http from 'node:http';
import * as https from 'node:https';
import type { HTTPGetAction } from '../pod-types.ts';

export interface ActionResult {
  result: 'success' | 'failure';
  output: string;
}

export interface HttpTarget {
  host: string;
  port: number;
}

export function httpGet(action: HTTPGetAction, target: HttpTarget, timeoutMs: number): Promise<ActionResult> {
  const scheme = (action.scheme ?? 'HTTP').toUpperCase();
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.33', accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  const mod = scheme === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: ActionResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = mod.request(
      { host: target.host, port: target.port, path, method: 'GET', headers, rejectUnauthorized: false, agent: false },
      (res) => {
        const code = res.statusCode ?? 0;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => void (body.length < 10_240 && (body += d)));
        res.on('end', () => finish(code >= 200 && code < 400
          ? { result: 'success', output: body }
          : { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` }));
        res.on('error', (err) => finish({ result: 'failure', output: err.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ result: 'failure', output: `Get "${scheme.toLowerCase()}://${target.host}:${target.port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (err) => finish({ result: 'failure', output: `Get "${scheme.toLowerCase()}://${target.host}:${target.port}${path}": ${err.message}` }));
    req.end();
  });
}
