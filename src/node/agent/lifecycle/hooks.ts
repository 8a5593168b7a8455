// Container lifecycle hooks as upstream's handlerRunner runs them: postStart right after the
// container starts (the pod worker waits for it; a failure kills the container), preStop before
// the stop signal, bounded by the grace period. Handlers: exec, httpGet, tcpSocket (deprecated
// upstream, accepted) and sleep (on the injected clock).

import { sleep, type Clock } from '../../../client/clock.ts';
import type { LifecycleHandler } from '../pod-types.ts';
import { runAction, type ActionResult, type ActionTarget } from '../probes/prober.ts';

export type HookRunner = (handler: LifecycleHandler, target: ActionTarget, timeoutMs: number) => Promise<ActionResult>;

export interface HookDeps {
  clock: Clock;
  /** Replaces the network/exec path (tests). */
  run?: HookRunner;
}

/** Runs a hook; resolves with failure when it fails or does not finish within timeoutMs. */
export async function runHook(handler: LifecycleHandler, target: ActionTarget, timeoutMs: number, deps: HookDeps): Promise<ActionResult> {
  const ac = new AbortController();
  const deadline = sleep(deps.clock, timeoutMs, ac.signal).then(
    (): ActionResult => ({ result: 'failure', output: `hook did not finish within ${Math.round(timeoutMs / 1000)}s` }),
    (): ActionResult => ({ result: 'failure', output: 'aborted' }),
  );
  const work = (async (): Promise<ActionResult> => {
    if (handler.sleep) {
      await sleep(deps.clock, Math.max(0, handler.sleep.seconds) * 1000, ac.signal).catch(() => undefined);
      return { result: 'success', output: '' };
    }
    return (deps.run ?? runAction)(handler, target, timeoutMs);
  })().catch((err: unknown): ActionResult => ({ result: 'failure', output: err instanceof Error ? err.message : String(err) }));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    ac.abort();
  }
}

/** The event message of a failed hook, as upstream words it. */
export function hookFailureMessage(kind: 'PostStartHook' | 'PreStopHook', handler: LifecycleHandler, output: string): string {
  if (handler.exec) return `Exec lifecycle hook (${JSON.stringify(handler.exec.command ?? [])}) for Container in Pod failed - error: ${output}`;
  if (handler.httpGet) return `HTTP lifecycle hook (${handler.httpGet.path ?? '/'}) for Container in Pod failed - error: ${output}`;
  return `${kind} failed: ${output}`;
}
