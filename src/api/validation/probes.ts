// Probes and lifecycle hooks (upstream validateProbe / validateHandler / validateLifecycle).

import { isHTTPHeaderName, isValidPortNum } from '../../machinery/index.ts';
import type { ContainerContext } from './container.ts';
import { fieldErrors, has, list, nonNegative, num, rec, recList, str, validatePortNumOrName, type Errs, type Rec } from './fields.ts';

function validateHandler(handler: Rec, ctx: ContainerContext, path: string, allowSleep: boolean): Errs {
  const errs: Errs = [];
  let handlers = 0;
  const kinds = allowSleep ? ['exec', 'httpGet', 'tcpSocket', 'sleep'] : ['exec', 'httpGet', 'tcpSocket', 'grpc'];
  for (const kind of kinds) {
    const h = rec(handler, kind);
    if (!h) continue;
    const p = `${path}.${kind}`;
    if (handlers > 0) {
      errs.push(fieldErrors.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    handlers++;
    switch (kind) {
      case 'exec':
        if (list(h, 'command').length === 0) errs.push(fieldErrors.required(`${p}.command`, ''));
        break;
      case 'httpGet': {
        if (!str(h, 'path')) errs.push(fieldErrors.required(`${p}.path`, ''));
        errs.push(...validatePortNumOrName(h['port'], `${p}.port`));
        const scheme = h['scheme'];
        if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(fieldErrors.notSupported(`${p}.scheme`, scheme ?? '', ['HTTP', 'HTTPS']));
        for (const header of recList(h, 'httpHeaders')) {
          const hn = str(header, 'name');
          errs.push(...isHTTPHeaderName(hn).map((m) => fieldErrors.invalid(`${p}.httpHeaders`, hn, m)));
        }
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(h['port'], `${p}.port`));
        break;
      case 'grpc': {
        const port = num(h, 'port') ?? 0;
        errs.push(...isValidPortNum(port).map((m) => fieldErrors.invalid(`${p}.port`, port, m)));
        break;
      }
      case 'sleep': {
        const seconds = num(h, 'seconds') ?? 0;
        if (ctx.gracePeriod !== undefined && (seconds < 0 || seconds > ctx.gracePeriod)) {
          errs.push(fieldErrors.invalid(p, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${ctx.gracePeriod})`));
        }
        break;
      }
    }
  }
  if (handlers === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Rec, ctx: ContainerContext, path: string, kind: 'liveness' | 'readiness' | 'startup'): Errs {
  const errs = validateHandler(probe, ctx, path, false);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[k], `${path}.${k}`));
  }
  const grace = probe['terminationGracePeriodSeconds'];
  if (typeof grace === 'number' && grace <= 0) errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  if (kind !== 'readiness' && probe['successThreshold'] !== 1) {
    errs.push(fieldErrors.invalid(`${path}.successThreshold`, probe['successThreshold'] ?? 0, 'must be 1'));
  }
  if (kind === 'readiness' && has(probe, 'terminationGracePeriodSeconds')) {
    errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes'));
  }
  return errs;
}

/** Probes and lifecycle hooks, allowed on regular containers and restartable init containers. */
export function validateProbesAndLifecycle(c: Rec, ctx: ContainerContext, path: string): Errs {
  const errs: Errs = [];
  const lifecycle = rec(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) {
    const h = rec(lifecycle, hook);
    if (h) errs.push(...validateHandler(h, ctx, `${path}.lifecycle.${hook}`, true));
  }
  const probes = [['livenessProbe', 'liveness'], ['readinessProbe', 'readiness'], ['startupProbe', 'startup']] as const;
  for (const [field, kind] of probes) {
    const probe = rec(c, field);
    if (probe) errs.push(...validateProbe(probe, ctx, `${path}.${field}`, kind));
  }
  return errs;
}

