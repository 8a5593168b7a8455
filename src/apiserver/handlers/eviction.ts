// POST pods/NAME/eviction (upstream's EvictionREST): deletes a pod only when its
// PodDisruptionBudget allows it. A pod that is not running yet, has finished or is already being
// deleted goes at once. Otherwise the one budget selecting the pod must allow a disruption: the
// budget's status is checked and decremented, and the pod recorded in status.disruptedPods, in
// one compare-and-swap write (re-run on conflict), then the pod is marked DisruptionTarget and
// deleted with the Eviction's deleteOptions. A refusal is 429 TooManyRequests with a
// DisruptionBudget cause, which `kubectl drain` retries until the budget allows.

import { typeCheck } from '../../api/schema/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { badRequest, conflict, failure, isConflict, notFound, type Status, type StatusError } from '../../machinery/status-error.ts';
import { sendJson, successStatus } from '../http/respond.ts';
import type { GenericStore } from '../registry/generic-store.ts';
import type { DeleteOptions, RequestContext } from '../registry/strategy.ts';
import { readObject, requestContext, type ResourceCall } from './resource-handler.ts';
import { parseWriteOptions } from './write-options.ts';

const EVICTION_KIND = { group: 'policy', version: 'v1', kind: 'Eviction' } as const;
/** Evictions the API approved but the disruption controller has not yet seen; beyond this, refuse. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** Conflicts retried while the pod keeps changing under a PDB-free eviction (upstream's EvictionsRetry steps). */
const EVICTION_RETRIES = 20;
const POD = { group: '', resource: 'Pod' };
const PDB = { group: 'policy', resource: 'poddisruptionbudget' };

interface Budget extends KubeObject {
  spec?: { selector?: Record<string, unknown> | null; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptedPods?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string }[];
  };
}

interface PodStatus {
  phase?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastProbeTime?: string | null }[];
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const podStatus = (pod: KubeObject): PodStatus => (pod['status'] ?? {}) as PodStatus;
const isReady = (pod: KubeObject): boolean => podStatus(pod).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const isTerminal = (pod: KubeObject): boolean => podStatus(pod).phase === 'Succeeded' || podStatus(pod).phase === 'Failed';

/** Pods not running yet, finished or already terminating cost no availability: no budget applies. */
const canIgnoreBudget = (pod: KubeObject): boolean => isTerminal(pod) || (podStatus(pod).phase ?? 'Pending') === 'Pending' || !!pod.metadata.deletionTimestamp;

/** A live pod is deleted only at the version that was judged, so it cannot turn Ready in between. */
const shouldPinVersion = (pod: KubeObject): boolean => !isTerminal(pod) && !pod.metadata.deletionTimestamp;

const withVersion = (options: DeleteOptions, resourceVersion: string | undefined): DeleteOptions =>
  resourceVersion ? { ...options, preconditions: { ...options.preconditions, resourceVersion } } : options;

function refusal(message: string, cause: string, retryAfterSeconds: number): StatusError {
  return failure(429, 'TooManyRequests', message, { causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) });
}

/** The budget's status is older than its spec: the disruption controller has not caught up yet. */
const stillProcessing = (name: string): StatusError =>
  refusal("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${name} is still being processed by the server.`, 10);

const forbiddenBudget = (name: string, why: string): StatusError =>
  failure(403, 'Forbidden', `${PDB.resource}.${PDB.group} "${name}" is forbidden: ${why}`, { name, group: PDB.group, kind: PDB.resource });

/** The Eviction's deleteOptions with the request's dryRun folded in (upstream propagateDryRun). */
function deleteOptionsOf(eviction: KubeObject, queryDryRun: boolean): DeleteOptions {
  const raw = eviction['deleteOptions'];
  if (raw === undefined || raw === null) return queryDryRun ? { dryRun: ['All'] } : {};
  const typeError = typeCheck('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', raw)[0];
  if (typeError) throw badRequest(`Eviction in version "v1" cannot be handled as a Eviction: ${typeError.message}`);
  const options = { ...(raw as DeleteOptions) };
  const bodyDryRun = options.dryRun ?? [];
  if (bodyDryRun.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(bodyDryRun)}: supported values: "All"`);
  // Either place may ask for a dry run; "All" being the only value, the two cannot disagree.
  if (bodyDryRun.length === 0 && queryDryRun) options.dryRun = ['All'];
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) throw badRequest('gracePeriodSeconds must be a non-negative integer');
  return options;
}

export async function evictPod(call: ResourceCall): Promise<void> {
  const { info, served, registry } = call;
  const name = info.name as string;
  const namespace = info.namespace ?? '';
  const eviction = await readObject(call, EVICTION_KIND);
  if ((eviction.metadata.name ?? '') !== name) throw badRequest('name in URL does not match name in Eviction object');
  if (eviction.metadata.namespace && eviction.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const options = deleteOptionsOf(eviction, parseWriteOptions(call.query).dryRun);
  const dryRun = options.dryRun?.includes('All') ?? false;
  const budgets = registry.lookup('policy', 'v1', 'poddisruptionbudgets')?.store;
  const evictor = new Evictor(served.store, budgets, namespace, name, requestContext(call, dryRun, undefined));
  const status = await evictor.evict(options);
  sendJson(call.req, call.res, status.code, status);
}

class Evictor {
  readonly #pods: GenericStore;
  readonly #budgets: GenericStore | undefined;
  readonly #namespace: string;
  readonly #name: string;
  readonly #ctx: RequestContext;

  constructor(pods: GenericStore, budgets: GenericStore | undefined, namespace: string, name: string, ctx: RequestContext) {
    this.#pods = pods;
    this.#budgets = budgets;
    this.#namespace = namespace;
    this.#name = name;
    this.#ctx = ctx;
  }

  async evict(options: DeleteOptions): Promise<Status> {
    const pinnedByCaller = !!options.preconditions?.resourceVersion;
    const done: Status = { ...successStatus(), code: 201 };
    let pod: KubeObject;
    // A pod no budget guards is deleted at the version read; if it changes meanwhile, look again.
    for (let attempt = 0; ; attempt++) {
      pod = await this.#pods.get(this.#namespace, this.#name);
      if (!canIgnoreBudget(pod)) break;
      const opts = shouldPinVersion(pod) && !pinnedByCaller ? withVersion(options, pod.metadata.resourceVersion) : options;
      try {
        await this.#markAndDelete(opts);
        return done;
      } catch (err) {
        if (pinnedByCaller || !isConflict(err) || attempt >= EVICTION_RETRIES) throw err;
      }
    }

    const matching = await this.#budgetsFor(pod);
    if (matching.length > 1) {
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 };
    }
    const budget = matching[0];
    let pinToJudgedVersion = false;
    if (budget) {
      const budgetName = budget.metadata.name ?? '';
      if (!isReady(pod) && this.#unhealthyMayGo(budget)) pinToJudgedVersion = true;
      else await this.#checkAndDecrement(budgetName);
      const opts = pinToJudgedVersion ? withVersion(options, pod.metadata.resourceVersion) : options;
      try {
        await this.#markAndDelete(opts);
      } catch (err) {
        // The unready pod changed since it was judged (it may be Ready now): let the client retry.
        if (isConflict(err) && pinToJudgedVersion && !pinnedByCaller) throw stillProcessing(budgetName);
        throw err;
      }
      return done;
    }
    await this.#markAndDelete(options);
    return done;
  }

  /**
   * An unready pod costs the application nothing it has not lost already: with AlwaysAllow it
   * may always go; by default (IfHealthyBudget) only while the budget is met.
   */
  #unhealthyMayGo(budget: Budget): boolean {
    if (budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
    const s = budget.status ?? {};
    const desired = s.desiredHealthy ?? 0;
    return (s.currentHealthy ?? 0) >= desired && desired > 0;
  }

  /** Budgets in the pod's namespace selecting it; a budget with an empty or invalid selector selects nothing here. */
  async #budgetsFor(pod: KubeObject): Promise<Budget[]> {
    if (!this.#budgets) return [];
    const { items } = await this.#budgets.list({ namespace: this.#namespace });
    return items
      .map((e) => e.object as Budget)
      .filter((b) => {
        try {
          const selector = selectorFromLabelSelector(b.spec?.selector);
          return !selector.isEverything() && !selector.isNothing() && selector.matches(pod.metadata.labels);
        } catch {
          return false;
        }
      });
  }

  /** Takes one disruption from the budget and records the pod, or refuses; the write is a CAS on the fresh budget. */
  async #checkAndDecrement(budgetName: string): Promise<void> {
    const store = this.#budgets;
    if (!store) return;
    const now = this.#ctx.now;
    await store.update(
      this.#namespace,
      budgetName,
      (current) => {
        if (!current) throw notFound({ group: 'policy', resource: 'poddisruptionbudgets' }, budgetName);
        const budget = current as Budget;
        const s = (budget.status ??= {});
        if ((s.observedGeneration ?? 0) < (budget.metadata.generation ?? 0)) throw stillProcessing(budgetName);
        const allowed = s.disruptionsAllowed ?? 0;
        if (allowed < 0) throw forbiddenBudget(budgetName, 'pdb disruptions allowed is negative');
        if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
          throw forbiddenBudget(budgetName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
        }
        if (allowed === 0) {
          throw refusal(
            "Cannot evict pod as it would violate the pod's disruption budget.",
            `The disruption budget ${budgetName} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`,
            0,
          );
        }
        s.disruptionsAllowed = allowed - 1;
        if (s.disruptionsAllowed === 0) s.conditions = insufficientPods(s.conditions ?? [], s.observedGeneration, now);
        // Tells the disruption controller this pod is on its way out before the delete lands.
        s.disruptedPods = { ...s.disruptedPods, [this.#name]: rfc3339(now) };
        return budget;
      },
      this.#ctx,
      { subresource: 'status' },
    );
  }

  /** Marks the pod DisruptionTarget (outside dry runs) and deletes it with `options`. */
  async #markAndDelete(options: DeleteOptions): Promise<void> {
    let opts = options;
    if (!this.#ctx.dryRun) {
      const { object } = await this.#pods.update(
        this.#namespace,
        this.#name,
        (current) => {
          if (!current) throw notFound({ group: '', resource: 'pods' }, this.#name);
          const pre = opts.preconditions;
          if (pre?.uid && pre.uid !== current.metadata.uid) {
            throw conflict(POD, this.#name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
          }
          if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
            throw conflict(POD, this.#name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion ?? ''}). The object might have been modified`);
          }
          setDisruptionTarget(current, this.#ctx.now);
          return current;
        },
        this.#ctx,
        { subresource: 'status' },
      );
      // Our own status write moved the version the caller's precondition pinned.
      if (opts.preconditions?.resourceVersion) opts = withVersion(opts, object.metadata.resourceVersion);
    }
    await this.#pods.delete(this.#namespace, this.#name, opts, this.#ctx);
  }
}

/** Upstream's UpdatePodCondition for DisruptionTarget=True: the transition time moves only with the status. */
function setDisruptionTarget(pod: KubeObject, now: Date): void {
  const status = ((pod['status'] ??= {}) as PodStatus);
  const conditions = (status.conditions ??= []);
  const next = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  const i = conditions.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const merged = { ...next, lastProbeTime: old?.lastProbeTime ?? null, lastTransitionTime: old && old.status === next.status ? (old.lastTransitionTime ?? rfc3339(now)) : rfc3339(now) };
  if (old) conditions[i] = merged;
  else conditions.push(merged);
}

/** The DisruptionAllowed condition once the last allowed disruption is taken (upstream UpdateDisruptionAllowedCondition). */
function insufficientPods<C extends { type: string; status: string; lastTransitionTime?: string }>(conditions: C[], observedGeneration: number | undefined, now: Date): C[] {
  const i = conditions.findIndex((c) => c.type === 'DisruptionAllowed');
  const old = i >= 0 ? conditions[i] : undefined;
  const next = {
    type: 'DisruptionAllowed',
    status: 'False',
    reason: 'InsufficientPods',
    message: '',
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    lastTransitionTime: old && old.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
  } as unknown as C;
  const list = [...conditions];
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}
