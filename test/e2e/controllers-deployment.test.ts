// The Deployment and ReplicaSet controllers inside `strata server`, driven by real kubectl the way
// the Kubernetes docs walk through Deployments: apply the docs' nginx Deployment, rollout status,
// set image, change-cause and rollout history (table and --revision), undo --to-revision, pause
// and resume, restart, scale up and down; a ReplicaSet manifest scaled by kubectl; and the
// columns of kubectl get deploy/rs. A PodDriver (test/support) binds pods and reports them
// Running and Ready in place of nodes. kubectl rollout status runs as a child process awaited
// asynchronously: a blocking spawn would stall the driver the rollout is waiting for.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { eventually, KUBECTL, type KubectlResult, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

// The Deployment of kubernetes.io/docs/concepts/workloads/controllers/deployment/ (nginx-deployment.yaml).
const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app.kubernetes.io/name: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: nginx
  template:
    metadata:
      labels:
        app.kubernetes.io/name: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`;

// The ReplicaSet of the same docs (frontend.yaml).
const FRONTEND = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app.kubernetes.io/name: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
`;

const DEPLOY = 'deployment/nginx-deployment';

describe('Deployments and ReplicaSets with kubectl', { timeout: 240_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;

  /** kubectl without blocking the event loop (the PodDriver must keep working meanwhile). */
  const kubectlAsync = (args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, '--cache-dir', s.cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const rolloutStatus = async (): Promise<string> => {
    const r = await kubectlAsync(['rollout', 'status', DEPLOY, '--timeout=60s']);
    assert.equal(r.code, 0, `rollout status failed:\n${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /deployment "nginx-deployment" successfully rolled out/);
    return r.stdout;
  };
  const jsonpath = (args: string[], path: string): string => s.k([...args, '-o', `jsonpath=${path}`]);
  const replicaSets = (): { name: string; replicas: number; revision: string; image: string; history: string }[] =>
    (JSON.parse(s.k(['get', 'rs', '-l', 'app.kubernetes.io/name=nginx', '-o', 'json'])) as {
      items: { metadata: { name: string; annotations?: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }[];
    }).items.map((rs) => ({
      name: rs.metadata.name,
      replicas: rs.spec.replicas,
      revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '',
      history: rs.metadata.annotations?.['deployment.kubernetes.io/revision-history'] ?? '',
      image: rs.spec.template.spec.containers[0]?.image ?? '',
    }));
  const liveImages = (selector: string): string[] =>
    (JSON.parse(s.k(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: { metadata: { deletionTimestamp?: string }; spec: { containers: { image: string }[] } }[] }).items
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.spec.containers[0]?.image ?? '');
  const historyRows = (): string[][] =>
    s.k(['rollout', 'history', DEPLOY]).split('\n').slice(2).filter((l) => l.trim()).map((l) => l.trim().split(/\s{2,}/));

  before(async () => {
    s = await startStrata();
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client, { bind: false, readyDelayMs: 50 });
    await driver.start();
  });
  after(async () => {
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  test('apply and rollout status; kubectl get deploy/rs/pods columns', async () => {
    assert.match(s.k(['apply', '-f', '-'], { input: NGINX }), /deployment.apps\/nginx-deployment created/);
    await rolloutStatus();

    const deploy = s.k(['get', 'deploy', 'nginx-deployment']).split('\n');
    assert.match(deploy[0] ?? '', /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(deploy[1] ?? '', /^nginx-deployment\s+3\/3\s+3\s+3\s+\d+s$/);

    const [rs] = replicaSets();
    const hash = jsonpath(['get', 'rs', rs?.name ?? ''], '{.metadata.labels.pod-template-hash}');
    assert.equal(rs?.name, `nginx-deployment-${hash}`);
    const rsTable = s.k(['get', 'rs', '-l', 'app.kubernetes.io/name=nginx', '-o', 'wide']).split('\n');
    assert.match(rsTable[0] ?? '', /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    assert.match(rsTable[1] ?? '', new RegExp(`^nginx-deployment-${hash}\\s+3\\s+3\\s+3\\s+\\d+s\\s+nginx\\s+nginx:1\\.14\\.2\\s+app\\.kubernetes\\.io/name=nginx,pod-template-hash=${hash}$`));

    const pods = s.k(['get', 'pods', '-l', 'app.kubernetes.io/name=nginx', '--no-headers']).trim().split('\n');
    assert.equal(pods.length, 3);
    for (const line of pods) assert.match(line, new RegExp(`^nginx-deployment-${hash}-[a-z0-9]{5}\\s+1/1\\s+Running\\s+0\\s+`));
    assert.equal(jsonpath(['get', DEPLOY], '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '1');
    const conditions = jsonpath(['get', DEPLOY], '{range .status.conditions[*]}{.type}={.status}/{.reason};{end}');
    assert.equal(conditions, 'Available=True/MinimumReplicasAvailable;Progressing=True/NewReplicaSetAvailable;');
  });

  test('set image rolls out revision 2; history shows change-cause and the template of a revision', async () => {
    assert.match(s.k(['set', 'image', DEPLOY, 'nginx=nginx:1.16.1']), /image updated/);
    s.k(['annotate', DEPLOY, 'kubernetes.io/change-cause=image updated to 1.16.1']);
    await rolloutStatus();
    assert.deepEqual(liveImages('app.kubernetes.io/name=nginx').sort(), ['nginx:1.16.1', 'nginx:1.16.1', 'nginx:1.16.1']);
    await eventually('the change-cause copied to the new ReplicaSet', () => historyRows().some((r) => r[1] === 'image updated to 1.16.1'));
    assert.deepEqual(historyRows(), [['1', '<none>'], ['2', 'image updated to 1.16.1']]);
    const header = s.k(['rollout', 'history', DEPLOY]).split('\n');
    assert.equal(header[0]?.trim(), 'deployment.apps/nginx-deployment');
    assert.match(header[1] ?? '', /^REVISION\s+CHANGE-CAUSE$/);
    const rev1 = s.k(['rollout', 'history', DEPLOY, '--revision=1']);
    assert.match(rev1, /deployment.apps\/nginx-deployment with revision #1/);
    assert.match(rev1, /Image:\s+nginx:1\.14\.2/);
    assert.match(s.k(['rollout', 'history', DEPLOY, '--revision=2']), /Image:\s+nginx:1\.16\.1/);
    const sets = replicaSets();
    assert.deepEqual(sets.map((r) => [r.revision, r.replicas, r.image]).sort(), [['1', 0, 'nginx:1.14.2'], ['2', 3, 'nginx:1.16.1']]);
  });

  test('rollout undo --to-revision=1 reuses the first ReplicaSet as revision 3', async () => {
    const first = replicaSets().find((r) => r.revision === '1');
    assert.match(s.k(['rollout', 'undo', DEPLOY, '--to-revision=1']), /deployment.apps\/nginx-deployment rolled back/);
    await rolloutStatus();
    assert.deepEqual(liveImages('app.kubernetes.io/name=nginx'), ['nginx:1.14.2', 'nginx:1.14.2', 'nginx:1.14.2']);
    await eventually('revision 3 recorded', () => jsonpath(['get', DEPLOY], '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}') === '3');
    const sets = replicaSets();
    assert.equal(sets.length, 2, 'no new ReplicaSet for a rollback');
    const reused = sets.find((r) => r.name === first?.name);
    assert.deepEqual([reused?.revision, reused?.history, reused?.replicas], ['3', '1', 3]);
    assert.deepEqual(historyRows().map((r) => r[0]), ['2', '3'], 'revision 1 became revision 3');
    const bad = s.kubectl(['rollout', 'undo', DEPLOY, '--to-revision=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unable to find specified revision 1 in history/);
  });

  test('rollout pause holds a template change; resume rolls it out', async () => {
    assert.match(s.k(['rollout', 'pause', DEPLOY]), /paused/);
    await eventually('the paused condition', () => jsonpath(['get', DEPLOY], '{.status.conditions[?(@.type=="Progressing")].reason}') === 'DeploymentPaused');
    s.k(['set', 'image', DEPLOY, 'nginx=nginx:1.17']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(replicaSets().length, 2, 'no rollout while paused');
    assert.deepEqual(liveImages('app.kubernetes.io/name=nginx'), ['nginx:1.14.2', 'nginx:1.14.2', 'nginx:1.14.2']);
    assert.match(s.k(['rollout', 'resume', DEPLOY]), /resumed/);
    await rolloutStatus();
    assert.deepEqual(liveImages('app.kubernetes.io/name=nginx'), ['nginx:1.17', 'nginx:1.17', 'nginx:1.17']);
    assert.equal(jsonpath(['get', DEPLOY], '{.status.conditions[?(@.type=="Progressing")].reason}'), 'NewReplicaSetAvailable');
  });

  test('rollout restart replaces every pod with the same image', async () => {
    const before = new Set(s.k(['get', 'pods', '-l', 'app.kubernetes.io/name=nginx', '-o', 'name']).trim().split('\n'));
    assert.match(s.k(['rollout', 'restart', DEPLOY]), /restarted/);
    await rolloutStatus();
    assert.notEqual(jsonpath(['get', DEPLOY], '{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}'), '');
    await eventually('only new pods', () => {
      const now = s.k(['get', 'pods', '-l', 'app.kubernetes.io/name=nginx', '-o', 'name']).trim().split('\n');
      return now.length === 3 && now.every((p) => !before.has(p));
    });
    assert.deepEqual(historyRows().map((r) => r[0]), ['2', '3', '4', '5']);
  });

  test('kubectl scale up and down', async () => {
    assert.match(s.k(['scale', DEPLOY, '--replicas=5']), /scaled/);
    await rolloutStatus();
    assert.equal(liveImages('app.kubernetes.io/name=nginx').length, 5);
    s.k(['scale', DEPLOY, '--replicas=2']);
    await eventually('2 pods', () => liveImages('app.kubernetes.io/name=nginx').length === 2);
    await rolloutStatus();
    assert.match(s.k(['get', 'deploy', 'nginx-deployment', '--no-headers']), /^nginx-deployment\s+2\/2\s+2\s+2\s+/);
  });

  test('a ReplicaSet manifest: pods, kubectl get rs columns, kubectl scale rs', async () => {
    s.k(['apply', '-f', '-'], { input: FRONTEND });
    await eventually('3 ready frontend pods', () => jsonpath(['get', 'rs', 'frontend'], '{.status.readyReplicas}') === '3');
    const table = s.k(['get', 'rs', 'frontend']).split('\n');
    assert.match(table[0] ?? '', /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
    assert.match(table[1] ?? '', /^frontend\s+3\s+3\s+3\s+\d+s$/);
    const pods = s.k(['get', 'pods', '-l', 'tier=frontend', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\\n"}{end}']).trim().split('\n');
    assert.equal(pods.length, 3);
    for (const p of pods) assert.match(p, /^frontend-[a-z0-9]{5} ReplicaSet\/frontend$/);
    assert.match(s.k(['scale', 'rs', 'frontend', '--replicas=1']), /replicaset.apps\/frontend scaled/);
    await eventually('1 frontend pod', () => liveImages('tier=frontend').length === 1);
    await eventually('status follows', () => jsonpath(['get', 'rs', 'frontend'], '{.status.replicas}') === '1');
    const events = s.k(['get', 'events', '--field-selector', 'involvedObject.name=frontend', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /^SuccessfulCreate: Created pod: frontend-[a-z0-9]{5}$/m);
    assert.match(events, /^SuccessfulDelete: Deleted pod: frontend-[a-z0-9]{5}$/m);
  });
});
