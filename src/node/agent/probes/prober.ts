// Runs one probe or hook action against a container — exec through the runtime's exec function,
// httpGet, tcpSocket, grpc — and says whether it succeeded. Named ports resolve against the
// container's ports; the host defaults to the pod IP.

import type { ContainerPort, LifecycleHandler, ProbeHandler } from '../pod-types.ts';
import { grpcHealthCheck } from './grpc-health.ts';
import { httpGet, type ActionResult } from './http-get.ts';
import { tcpSocket } from './tcp-socket.ts';

export type { ActionResult } from './http-get.ts';

/** Runs cmd in the container (the runtime's ExecSync); rejects when it cannot run it at all. */
export type ExecFn = (containerId: string, cmd: readonly string[], timeoutMs: number) => Promise<{ exitCode: number; output: string }>;

export interface ActionTarget {
  podIP: string;
  containerId: string;
  ports?: readonly ContainerPort[];
  exec?: ExecFn;
}

export function resolvePort(port: number | string, ports: readonly ContainerPort[] = []): number | undefined {
  if (typeof port === 'number') return port > 0 && port < 65536 ? port : undefined;
  if (/^\d+$/.test(port)) return resolvePort(Number(port), ports);
  return ports.find((p) => p.name === port)?.containerPort;
}

export async function runAction(handler: ProbeHandler & LifecycleHandler, target: ActionTarget, timeoutMs: number): Promise<ActionResult> {
  try {
    if (handler.exec) {
      if (!target.exec) return { result: 'failure', output: 'exec is not supported by this runtime' };
      const r = await withTimeout(target.exec(target.containerId, handler.exec.command ?? [], timeoutMs), timeoutMs, `command ${JSON.stringify(handler.exec.command ?? [])} timed out`);
      return { result: r.exitCode === 0 ? 'success' : 'failure', output: r.output };
    }
    const action = handler.httpGet ?? handler.tcpSocket ?? handler.grpc;
    if (!action) return { result: 'failure', output: 'no probe handler' };
    const port = resolvePort(action.port, target.ports);
    if (port === undefined) return { result: 'failure', output: `invalid port ${String(action.port)}` };
    const host = ('host' in action && action.host) || target.podIP || '127.0.0.1';
    if (handler.httpGet) return await httpGet(handler.httpGet, { host, port }, timeoutMs);
    if (handler.tcpSocket) return await tcpSocket({ host, port }, timeoutMs);
    return await grpcHealthCheck({ host, port }, handler.grpc?.service ?? '', timeoutMs);
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => void (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
