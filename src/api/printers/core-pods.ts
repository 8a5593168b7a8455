// Pod and PodTemplate tables: READY, STATUS (the kubectl status reason), RESTARTS with the time
// since the last restart, and the wide IP/node columns — upstream printPod as of Kubernetes 1.33.

import { bool, int, list, optRec, rec, recs, str, type Rec } from './access.ts';
import { age, formatLabels, layoutContainers, parseTime, since } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';
import type { KubeObject } from '../types.ts';

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

export const podPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the last one happened.'),
    AGE_COLUMN,
    column('IP', 'string', 'IP address allocated to the pod.', { wide: true }),
    column('Node', 'string', 'Node the pod is scheduled onto.', { wide: true }),
    column('Nominated Node', 'string', 'Node the scheduler nominated for preemption.', { wide: true }),
    column('Readiness Gates', 'string', 'Readiness gates that are true, out of those declared.', { wide: true }),
  ],
  podCells,
);

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** Finish time of the most recent termination that counted as a restart. */
  lastRestart: number | undefined;
}

function podCells(pod: KubeObject, nowMs: number): unknown[] {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const s = summarizePod(pod);
  const restarts = s.restarts !== 0 && s.lastRestart !== undefined
    ? `${s.restarts} (${since(s.lastRestart, nowMs)} ago)`
    : String(s.restarts);

  const podIPs = recs(status['podIPs']);
  const podIP = str(podIPs[0]?.['ip']) || (podIPs.length === 0 ? str(status['podIP']) : '');
  return [
    nameOf(pod),
    `${s.ready}/${s.total}`,
    s.reason,
    restarts,
    age(pod, nowMs),
    podIP || '<none>',
    str(spec['nodeName']) || '<none>',
    str(status['nominatedNodeName']) || '<none>',
    readinessGates(spec, status),
  ];
}

/** The READY counts, STATUS reason and restart count, following upstream printPod. */
export function summarizePod(pod: KubeObject): PodSummary {
  const meta = rec(pod.metadata);
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const conditions = recs(status['conditions']);
  const initSpecs = recs(spec['initContainers']);

  const phase = str(status['phase']);
  let reason = str(status['reason']) || phase;
  if (conditions.some((c) => str(c['type']) === 'PodScheduled' && str(c['reason']) === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  let total = list(spec['containers']).length;
  const initByName = new Map<string, Rec>();
  for (const c of initSpecs) {
    initByName.set(str(c['name']), c);
    if (isRestartable(c)) total++;
  }

  let ready = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableRestart: number | undefined;
  let initializing = false;

  const initStatuses = recs(status['initContainerStatuses']);
  for (const [i, cs] of initStatuses.entries()) {
    const count = int(cs['restartCount']);
    const finished = lastTerminationFinish(cs);
    restarts += count;
    lastRestart = later(lastRestart, finished);
    const restartable = isRestartable(initByName.get(str(cs['name'])));
    if (restartable) {
      restartableRestarts += count;
      lastRestartableRestart = later(lastRestartableRestart, finished);
    }
    const state = rec(cs['state']);
    const terminated = optRec(state['terminated']);
    const waiting = optRec(state['waiting']);
    if (terminated !== undefined && int(terminated['exitCode']) === 0) continue;
    if (restartable && bool(cs['started'])) {
      if (bool(cs['ready'])) ready++;
      continue;
    }
    if (terminated !== undefined) {
      reason = terminatedReason(terminated, 'Init:');
    } else if (waiting !== undefined && str(waiting['reason']) !== '' && str(waiting['reason']) !== 'PodInitializing') {
      reason = `Init:${str(waiting['reason'])}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitialized(conditions)) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = recs(status['containerStatuses']);
    // Walk backwards so the first container's state wins, as upstream does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += int(cs['restartCount']);
      lastRestart = later(lastRestart, lastTerminationFinish(cs));
      const state = rec(cs['state']);
      const terminated = optRec(state['terminated']);
      const waiting = optRec(state['waiting']);
      if (waiting !== undefined && str(waiting['reason']) !== '') {
        reason = str(waiting['reason']);
      } else if (terminated !== undefined) {
        reason = terminatedReason(terminated, '');
      } else if (bool(cs['ready']) && optRec(state['running']) !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // One container completed while another still runs: the pod is not done.
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => str(c['type']) === 'Ready' && str(c['status']) === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (isSet(meta['deletionTimestamp'])) {
    if (str(status['reason']) === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
    else if (phase !== 'Failed' && phase !== 'Succeeded') reason = 'Terminating';
  }

  return { ready, total, reason, restarts, lastRestart };
}

function terminatedReason(terminated: Rec, prefix: string): string {
  const r = str(terminated['reason']);
  if (r !== '') return prefix + r;
  const signal = int(terminated['signal']);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${int(terminated['exitCode'])}`;
}

function isRestartable(container: Rec | undefined): boolean {
  return container !== undefined && str(container['restartPolicy']) === 'Always';
}

function isInitialized(conditions: Rec[]): boolean {
  const c = conditions.find((cond) => str(cond['type']) === 'Initialized');
  return c !== undefined && str(c['status']) === 'True';
}

function lastTerminationFinish(cs: Rec): number | undefined {
  const terminated = optRec(rec(cs['lastState'])['terminated']);
  return terminated === undefined ? undefined : parseTime(terminated['finishedAt']);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  return a === undefined || a < b ? b : a;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function readinessGates(spec: Rec, status: Rec): string {
  const gates = recs(spec['readinessGates']);
  if (gates.length === 0) return '<none>';
  const conditions = recs(status['conditions']);
  let trueCount = 0;
  for (const gate of gates) {
    const cond = conditions.find((c) => str(c['type']) === str(gate['conditionType']));
    if (cond !== undefined && str(cond['status']) === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podTemplatePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  (obj) => {
    const template = rec(obj['template']);
    const [names, images] = layoutContainers(rec(template['spec'])['containers']);
    return [nameOf(obj), names, images, formatLabels(rec(template['metadata'])['labels'])];
  },
);
