// Long-running kubectl commands against `strata server`: `get -w` (Table watch events),
// `wait --for=condition|jsonpath|delete` (informer list+watch with a field selector) and
// `delete` waiting for finalizers and graceful pod deletion.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { startStrata, stopChild, waitForExit, waitForOutput } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const readyPatch = (status: 'True' | 'False') =>
  JSON.stringify({ status: { conditions: [{ type: 'Ready', status, reason: 'Test', message: 'set by the test', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });

describe('kubectl watch and wait', { timeout: 150_000 }, () => {
  let s: Strata;
  const children: ChildProcess[] = [];
  const spawn = (args: string[]): ChildProcess => {
    const child = s.spawnKubectl(args);
    children.push(child);
    return child;
  };
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API and printing semantics on objects as written: no controller or scheduler may change them
    s.k(['create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.25}]}
`,
    });
  });
  afterEach(() => {
    for (const c of children.splice(0)) stopChild(c);
  });
  after(async () => {
    await s?.cleanup();
  });

  test('get -w prints the current row, then a row for each change', async () => {
    const watch = spawn(['get', 'deploy', 'web', '-w']);
    const first = await waitForOutput(watch, /^web\s+0\/1\s+0\s+0\s+\S+\n/m);
    assert.match(first, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    const next = waitForOutput(watch, /^web\s+0\/4\s+0\s+0\s+\S+\n/m);
    s.k(['scale', 'deploy', 'web', '--replicas=4']);
    const out = await next;
    // The header is printed once; the watched rows follow without it.
    assert.doesNotMatch(out, /NAME/);
  });

  test('get -w --output-watch-events across a namespace shows ADDED, MODIFIED and DELETED', async () => {
    const watch = spawn(['get', 'cm', '-w', '--output-watch-events', '-l', 'watched=yes']);
    // No objects yet: kubectl prints nothing until the first event.
    const added = waitForOutput(watch, /^ADDED\s+w1\s+1\s+\S+$/m);
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w1, labels: {watched: "yes"}}\ndata: {a: "1"}\n' });
    await added;
    const modified = waitForOutput(watch, /^MODIFIED\s+w1\s+2\s+\S+$/m);
    s.k(['patch', 'cm', 'w1', '--type=merge', '-p', '{"data":{"b":"2"}}']);
    await modified;
    // A change that makes the object stop matching the selector reaches the watcher as DELETED.
    const deleted = waitForOutput(watch, /^DELETED\s+w1\s+2\s+\S+$/m);
    s.k(['label', 'cm', 'w1', 'watched=no', '--overwrite']);
    await deleted;
    // Coming back into the selector is an ADDED; a real delete is a DELETED.
    const readded = waitForOutput(watch, /^ADDED\s+w1\s+2\s+\S+$/m);
    s.k(['label', 'cm', 'w1', 'watched=yes', '--overwrite']);
    await readded;
    const gone = waitForOutput(watch, /^DELETED\s+w1\s+2\s+\S+$/m);
    s.k(['delete', 'cm', 'w1']);
    await gone;
  });

  test('wait --for=create returns once the object appears', async () => {
    const wait = spawn(['wait', '--for=create', 'cm/later', '--timeout=40s']);
    const done = waitForExit(wait, 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(wait.exitCode, null, 'wait --for=create returned before the object existed');
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\n' });
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/later condition met/);
  });

  test('get -w -o json streams full objects', async () => {
    const watch = spawn(['get', 'deploy', 'web', '-w', '-o', 'jsonpath={.spec.replicas}{"\\n"}']);
    await waitForOutput(watch, /^4$/m);
    const next = waitForOutput(watch, /^2$/m);
    s.k(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    await next;
  });

  test('wait --for=condition=Ready waits until the node status patch arrives', async () => {
    s.k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }) });
    const wait = spawn(['wait', '--for=condition=Ready', 'node/n1', '--timeout=40s']);
    const done = waitForExit(wait, 45_000);
    // Give the watch a moment to be established; the command must still be waiting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(wait.exitCode, null, 'wait returned before the condition was set');
    s.k(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', readyPatch('False')]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(wait.exitCode, null, 'Ready=False must not satisfy --for=condition=Ready');
    s.k(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', readyPatch('True')]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/n1 condition met/);
    // An already-true condition returns at once; a false one times out with the upstream message.
    assert.match(s.k(['wait', '--for=condition=Ready', 'node/n1', '--timeout=10s']), /node\/n1 condition met/);
    const timeout = s.kubectl(['wait', '--for=condition=Ready=false', 'node/n1', '--timeout=2s']);
    assert.equal(timeout.code, 1);
    assert.match(timeout.stderr, /timed out waiting for the condition on nodes\/n1/);
  });

  test('wait --for=condition on a pod whose status is patched; a spec-only patch is refused on status', async () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec: {containers: [{name: c, image: nginx}]}\n' });
    const wait = spawn(['wait', '--for=condition=Ready', 'pod/p1', '--timeout=40s']);
    const done = waitForExit(wait, 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    // Status written through the main resource is ignored (status subresource semantics).
    s.k(['patch', 'pod', 'p1', '--type=merge', '-p', readyPatch('True')]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(wait.exitCode, null, 'a status change sent to the main resource must be dropped');
    assert.equal(s.k(['get', 'pod', 'p1', '-o', 'jsonpath={.status.conditions}']), '');
    s.k(['patch', 'pod', 'p1', '--subresource=status', '--type=merge', '-p', readyPatch('True')]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/p1 condition met/);
  });

  test('wait --for=jsonpath waits for a field value', async () => {
    const wait = spawn(['wait', '--for=jsonpath={.spec.replicas}=6', 'deploy/web', '--timeout=40s']);
    const done = waitForExit(wait, 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(wait.exitCode, null);
    s.k(['scale', 'deploy', 'web', '--replicas=6']);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/web condition met/);
  });

  test('rollout status waits until the status (patched here, no controller yet) says rolled out', async () => {
    const gen = Number(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.generation}']));
    const replicas = Number(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']));
    const rollout = spawn(['rollout', 'status', 'deploy/web', '--timeout=40s']);
    const done = waitForExit(rollout, 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(rollout.exitCode, null, 'rollout status returned before the rollout finished');
    const status = { observedGeneration: gen, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
    s.k(['patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { ...status, availableReplicas: 0 } })]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rollout.exitCode, null, 'no replica is available yet');
    s.k(['patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Waiting for deployment "web" rollout to finish/);
    assert.match(r.stdout, /deployment "web" successfully rolled out/);
  });

  test('delete waits for finalizers; wait --for=delete returns when the object is gone', async () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fin, finalizers: [example.com/hold]}\n' });
    // --wait=false returns at once, leaving the object with a deletionTimestamp.
    assert.match(s.k(['delete', 'cm', 'fin', '--wait=false']), /configmap "fin" deleted/);
    assert.match(s.k(['get', 'cm', 'fin', '-o', 'jsonpath={.metadata.deletionTimestamp}']), /^\d{4}-\d\d-\d\dT/);
    const wait = spawn(['wait', '--for=delete', 'cm/fin', '--timeout=40s']);
    const waited = waitForExit(wait, 45_000);
    // A plain delete (--wait defaults to true) blocks until the finalizer is removed too.
    const del = spawn(['delete', 'cm', 'fin']);
    const deleted = waitForExit(del, 45_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(wait.exitCode, null, 'wait --for=delete returned while the object still exists');
    assert.equal(del.exitCode, null, 'delete returned while the object still exists');
    s.k(['patch', 'cm', 'fin', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const [w, d] = await Promise.all([waited, deleted]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /configmap\/fin condition met/);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /configmap "fin" deleted/);
    assert.equal(s.kubectl(['get', 'cm', 'fin']).code, 1);
    // wait --for=delete on something already gone succeeds at once.
    const gone = s.kubectl(['wait', '--for=delete', 'cm/fin', '--timeout=5s']);
    assert.equal(gone.code, 0, gone.stderr);
  });

  test('a pod bound to a node lingers for its grace period; --grace-period=0 --force removes it', async () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: bound}\nspec: {nodeName: n1, containers: [{name: c, image: nginx}]}\n' });
    assert.match(s.k(['delete', 'pod', 'bound', '--wait=false']), /pod "bound" deleted/);
    const pod = JSON.parse(s.k(['get', 'pod', 'bound', '-o', 'json'])) as Record<string, any>;
    assert.equal(pod['metadata']['deletionGracePeriodSeconds'], 30);
    assert.ok(pod['metadata']['deletionTimestamp']);
    const row = s.k(['get', 'pod', 'bound']);
    assert.match(row, /^bound\s+0\/1\s+Terminating\s+/m);
    const forced = s.kubectl(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /Immediate deletion does not wait for confirmation that the running resource has been terminated/);
    assert.match(forced.stdout, /pod "bound" force deleted/);
    assert.equal(s.kubectl(['get', 'pod', 'bound']).code, 1);
  });
});
