// Finding or creating the new ReplicaSet (upstream's getAllReplicaSetsAndSyncRevision and
// getNewReplicaSet). An existing one — including an old ReplicaSet whose template a rollback
// brought back — gets the next revision, the Deployment's annotations and minReadySeconds. A new
// one is named <deployment>-<pod-template-hash>, selects and labels its pods with the hash, and
// starts at the size the strategy allows. A name taken by a different template is a hash
// collision: collisionCount goes up and the next sync hashes differently.

import { isAlreadyExists } from '../../machinery/index.ts';
import { namespaceTerminating, type ReplicaSet } from '../replicaset/index.ts';
import { controllerOf, newControllerRef, REPLICA_SETS } from '../util/index.ts';
import { maxRevision, setNewReplicaSetAnnotations } from './annotations.ts';
import { getCondition, newCondition, setCondition } from './conditions.ts';
import { maxSurge } from './fenceposts.ts';
import { computeHash, equalIgnoreHash } from './hash.ts';
import { findNewReplicaSet, findOldReplicaSets, newRSNewReplicas } from './replica-set-util.ts';
import { typedReplicaSet, type SyncContext } from './sync-context.ts';
import { hasProgressDeadline, POD_TEMPLATE_HASH, PROGRESSING, Reason, REVISION } from './types.ts';

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** The new ReplicaSet (created when `create` and there is none) and every other one. */
export async function replicaSetsAndSyncRevision(sc: SyncContext, rsList: readonly ReplicaSet[], create: boolean): Promise<ReplicaSets> {
  const existing = findNewReplicaSet(sc.d, rsList);
  const oldRSs = findOldReplicaSets(rsList, existing);
  const newRS = await newReplicaSet(sc, existing, oldRSs, create);
  return { newRS, oldRSs };
}

async function newReplicaSet(sc: SyncContext, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const d = sc.d;
  const log = sc.deps.logger;
  const newRevision = maxRevision(oldRSs, log) + 1;
  if (existing) {
    const copy = typedReplicaSet(structuredClone(existing));
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true, maxSurge(d), log);
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      copy.spec = { ...(copy.spec ?? {}), minReadySeconds: minReady };
      // The Deployment's revision follows on the sync this update triggers.
      return typedReplicaSet(await sc.deps.client.update<ReplicaSet>({ ...REPLICA_SETS, namespace: sc.namespace }, copy, { signal: sc.signal }));
    }
    await sc.setRevision(copy.metadata.annotations?.[REVISION] ?? '');
    // Deployments that never tracked progress start counting from the moment their new ReplicaSet is seen.
    if (hasProgressDeadline(sc.d) && !getCondition(sc.d.status, PROGRESSING)) {
      const status = sc.statusCopy();
      setCondition(status, newCondition(PROGRESSING, 'True', Reason.FoundNewReplicaSet, `Found new replica set "${copy.metadata.name ?? ''}"`, sc.now()));
      await sc.writeStatus(status);
    }
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const name = `${d.metadata.name ?? ''}-${hash}`;
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: sc.namespace, ownerReferences: [newControllerRef(d)], labels },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs, (x) => sc.livePods(x));
  rs.spec = { ...rs.spec, replicas };
  setNewReplicaSetAnnotations(d, rs, newRevision, false, maxSurge(d), log);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = typedReplicaSet(await sc.deps.client.create<ReplicaSet>({ ...REPLICA_SETS, namespace: sc.namespace }, rs, { signal: sc.signal }));
  } catch (err) {
    if (isAlreadyExists(err)) {
      const found = sc.deps.replicaSets.get(sc.namespace, name);
      if (!found) throw err; // the cache has not seen it yet: retry
      if (controllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        created = typedReplicaSet(found);
        alreadyExists = true;
      } else {
        const status = sc.statusCopy();
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await sc.writeStatus(status);
        log?.info({ deployment: d.metadata.name, collisionCount: status.collisionCount }, 'hash collision; bumped collisionCount');
        throw err;
      }
    } else if (namespaceTerminating(err)) {
      throw err;
    } else {
      const msg = `Failed to create new replica set "${name}": ${err instanceof Error ? err.message : String(err)}`;
      if (hasProgressDeadline(d)) {
        const status = sc.statusCopy();
        setCondition(status, newCondition(PROGRESSING, 'False', Reason.FailedReplicaSetCreate, msg, sc.now()));
        await sc.writeStatus(status).catch(() => undefined);
      }
      sc.event('Warning', Reason.FailedReplicaSetCreate, msg);
      throw err;
    }
  }
  if (!alreadyExists && replicas > 0) sc.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
  await sc.setRevision(String(newRevision));
  if (!alreadyExists && hasProgressDeadline(sc.d)) {
    const status = sc.statusCopy();
    setCondition(status, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetCreated, `Created new replica set "${name}"`, sc.now()));
    await sc.writeStatus(status);
  }
  return created;
}
