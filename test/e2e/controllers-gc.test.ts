// The garbage collector and the resource quota controller inside `strata server`, driven by real
// kubectl: `kubectl delete --cascade=background|foreground|orphan` on owners whose dependents were
// applied from manifests carrying ownerReferences (and on a ReplicaSet with the pods its
// controller made), and `kubectl get quota` / `kubectl describe quota` showing used against hard.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

describe('garbage collection and quota with kubectl', { timeout: 180_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  const present = (ns: string, kind: string, name: string): boolean => s.kubectl(['get', kind, name, '-n', ns, '-o', 'name']).code === 0;
  const uidOf = (ns: string, kind: string, name: string): string => s.k(['get', kind, name, '-n', ns, '-o', 'jsonpath={.metadata.uid}']).trim();
  const ownerRefs = (ns: string, kind: string, name: string): string => s.k(['get', kind, name, '-n', ns, '-o', 'jsonpath={.metadata.ownerReferences[*].name}']).trim();

  /** A ConfigMap owner with a ConfigMap and a Secret applied as its dependents. */
  function ownerWithDependents(ns: string, owner: string, block: boolean): void {
    s.k(['create', 'ns', ns]);
    s.k(['create', 'configmap', owner, '-n', ns, '--from-literal=role=owner']);
    const uid = uidOf(ns, 'configmap', owner);
    const ref = `  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: ${owner}, uid: ${uid}${block ? ', blockOwnerDeletion: true' : ''}}\n`;
    s.k(['apply', '-n', ns, '-f', '-'], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep-cm\n${ref}data: {a: b}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: dep-secret\n${ref}stringData: {a: b}\n`,
    });
  }

  test('kubectl delete --cascade=background removes the dependents after the owner', async () => {
    ownerWithDependents('gc-bg', 'owner', false);
    const out = s.k(['delete', 'configmap', 'owner', '-n', 'gc-bg', '--cascade=background']);
    assert.match(out, /configmap "owner" deleted/);
    await eventually('the dependents to be collected', () => !present('gc-bg', 'configmap', 'dep-cm') && !present('gc-bg', 'secret', 'dep-secret'));
  });

  test('kubectl delete --cascade=orphan keeps the dependents and strips their owner reference', async () => {
    ownerWithDependents('gc-orphan', 'owner', true);
    assert.equal(ownerRefs('gc-orphan', 'secret', 'dep-secret'), 'owner');
    s.k(['delete', 'configmap', 'owner', '-n', 'gc-orphan', '--cascade=orphan']);
    assert.equal(present('gc-orphan', 'configmap', 'owner'), false, 'kubectl waited for the owner to go');
    assert.equal(ownerRefs('gc-orphan', 'secret', 'dep-secret'), '');
    assert.equal(ownerRefs('gc-orphan', 'configmap', 'dep-cm'), '');
    // Still there a while later: orphans are not garbage.
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(present('gc-orphan', 'secret', 'dep-secret') && present('gc-orphan', 'configmap', 'dep-cm'));
  });

  test('kubectl delete --cascade=foreground returns once the blocking dependents are gone; a held dependent holds the owner', async () => {
    ownerWithDependents('gc-fg', 'owner', true);
    s.k(['delete', 'configmap', 'owner', '-n', 'gc-fg', '--cascade=foreground', '--timeout=30s']);
    assert.equal(present('gc-fg', 'configmap', 'dep-cm'), false);
    assert.equal(present('gc-fg', 'secret', 'dep-secret'), false);

    // A blocking dependent with a finalizer of its own keeps the owner (deleting) until it goes.
    s.k(['create', 'configmap', 'owner2', '-n', 'gc-fg']);
    const uid = uidOf('gc-fg', 'configmap', 'owner2');
    s.k(['apply', '-n', 'gc-fg', '-f', '-'], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: owner2, uid: ${uid}, blockOwnerDeletion: true}\n`,
    });
    s.k(['delete', 'configmap', 'owner2', '-n', 'gc-fg', '--cascade=foreground', '--wait=false']);
    await eventually('the held dependent to be deleting', () => s.k(['get', 'configmap', 'held', '-n', 'gc-fg', '-o', 'jsonpath={.metadata.deletionTimestamp}']).trim() !== '');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.k(['get', 'configmap', 'owner2', '-n', 'gc-fg', '-o', 'jsonpath={.metadata.finalizers}']).trim(), '["foregroundDeletion"]');
    s.k(['patch', 'configmap', 'held', '-n', 'gc-fg', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually('the owner to go after its blocking dependent', () => !present('gc-fg', 'configmap', 'owner2') && !present('gc-fg', 'configmap', 'held'));
  });

  test('a ReplicaSet and its pods: orphan keeps the pods, foreground and background remove them', async () => {
    s.k(['create', 'ns', 'gc-rs']);
    const rs = (name: string) => `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: ${name}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: busybox}]}\n`;
    const pods = (app: string): string[] => s.k(['get', 'pods', '-n', 'gc-rs', '-l', `app=${app}`, '-o', 'name']).trim().split('\n').filter(Boolean);
    for (const name of ['rs-orphan', 'rs-fg', 'rs-bg']) s.k(['apply', '-n', 'gc-rs', '-f', '-'], { input: rs(name) });
    for (const name of ['rs-orphan', 'rs-fg', 'rs-bg']) await eventually(`the pods of ${name}`, () => pods(name).length === 2);

    s.k(['delete', 'rs', 'rs-orphan', '-n', 'gc-rs', '--cascade=orphan']);
    const orphans = pods('rs-orphan');
    assert.equal(orphans.length, 2);
    for (const p of orphans) assert.equal(s.k(['get', p, '-n', 'gc-rs', '-o', 'jsonpath={.metadata.ownerReferences}']).trim(), '');

    s.k(['delete', 'rs', 'rs-fg', '-n', 'gc-rs', '--cascade=foreground', '--timeout=30s']);
    assert.deepEqual(pods('rs-fg'), [], 'the ReplicaSet went only after its pods');

    s.k(['delete', 'rs', 'rs-bg', '-n', 'gc-rs', '--cascade=background']);
    await eventually('the pods of rs-bg to be collected', () => pods('rs-bg').length === 0);
    assert.equal(pods('rs-orphan').length, 2, 'orphaned pods are left alone');
  });

  test('kubectl get quota and describe quota show used against hard', async () => {
    s.k(['create', 'ns', 'quota-e2e']);
    s.k(['create', 'quota', 'compute', '-n', 'quota-e2e', '--hard=pods=5,requests.cpu=2,requests.memory=1Gi,limits.memory=2Gi,configmaps=10,secrets=4']);
    s.k(['create', 'configmap', 'c1', '-n', 'quota-e2e']);
    s.k(['apply', '-n', 'quota-e2e', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {memory: 512Mi}}\n',
    });
    // kube-root-ca.crt is a ConfigMap of the namespace too.
    await eventually('quota usage', () => /pods: 1\/5/.test(s.k(['get', 'quota', 'compute', '-n', 'quota-e2e'])) && /configmaps: 2\/10/.test(s.k(['get', 'quota', 'compute', '-n', 'quota-e2e'])));
    const row = s.k(['get', 'quota', '-n', 'quota-e2e']);
    assert.match(row, /^NAME\s+REQUEST\s+LIMIT\s+AGE/m);
    assert.match(row, /compute\s+configmaps: 2\/10, pods: 1\/5, requests\.cpu: 500m\/2, requests\.memory: 256Mi\/1Gi, secrets: 0\/4\s+limits\.memory: 512Mi\/2Gi/);
    const described = s.k(['describe', 'quota', 'compute', '-n', 'quota-e2e']);
    assert.match(described, /Resource\s+Used\s+Hard/);
    for (const [name, used, hard] of [['configmaps', '2', '10'], ['limits.memory', '512Mi', '2Gi'], ['pods', '1', '5'], ['requests.cpu', '500m', '2'], ['requests.memory', '256Mi', '1Gi'], ['secrets', '0', '4']] as const) {
      assert.match(described, new RegExp(`^${name.replace('.', '\\.')}\\s+${used}\\s+${hard}$`, 'm'), `${name} row in:\n${described}`);
    }
    s.k(['delete', 'pod', 'p', '-n', 'quota-e2e', '--wait=false']);
    await eventually('the pod to be uncharged', () => /pods: 0\/5/.test(s.k(['get', 'quota', 'compute', '-n', 'quota-e2e'])));
  });
});
