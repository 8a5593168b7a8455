// `kubectl get` against `strata server`: server-side Table columns for pods, deployments,
// services and nodes (and -o wide), the other output formats, -A, label and field selectors,
// chunked lists, and cordon/uncordon of a Node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseTable, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

function pod(name: string, namespace: string, labels: Record<string, string>, nodeName?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'main', image: 'nginx:1.25' }, { name: 'side', image: 'busybox:1.36' }] },
  });
}

function node(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'node-role.kubernetes.io/worker': '' } } });
}

const READY_STATUS = JSON.stringify({
  status: {
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    addresses: [{ type: 'InternalIP', address: '10.0.0.11' }, { type: 'Hostname', address: 'n1' }],
    nodeInfo: {
      kubeletVersion: 'v1.33.0',
      osImage: 'Strata Linux',
      kernelVersion: '6.8.0',
      containerRuntimeVersion: 'containerd://2.0.0',
      architecture: 'amd64',
      operatingSystem: 'linux',
      bootID: '',
      kubeProxyVersion: '',
      machineID: '',
      systemUUID: '',
    },
  },
});

describe('kubectl get', { timeout: 120_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API and printing semantics on objects as written: no controller or scheduler may change them
    s.k(['create', 'namespace', 'team-a']);
    s.k(['create', 'namespace', 'team-b']);
    s.k(['create', '-f', '-'], { input: [pod('a1', 'team-a', { app: 'a', tier: 'web' }), pod('a2', 'team-a', { app: 'a', tier: 'db' }), pod('b1', 'team-b', { app: 'b', tier: 'web' }, 'n1')].join('\n') });
    s.k(['create', '-f', '-'], { input: node('n1') });
    s.k(['create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
spec:
  replicas: 3
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
      - {name: main, image: nginx:1.25}
      - {name: side, image: busybox:1.36}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team-a}
spec:
  selector: {app: a}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: https, port: 443, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: team-a}
spec:
  type: NodePort
  selector: {app: a}
  ports:
  - {port: 80, nodePort: 30080}
`,
    });
  });
  after(async () => {
    await s?.cleanup();
  });

  test('pods: NAME READY STATUS RESTARTS AGE, and the wide columns', () => {
    const out = s.k(['get', 'pods', '-n', 'team-a']);
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const rows = parseTable(out);
    assert.deepEqual(rows.map((r) => r['NAME']), ['a1', 'a2']);
    assert.equal(rows[0]!['READY'], '0/2');
    assert.equal(rows[0]!['STATUS'], 'Pending');
    assert.equal(rows[0]!['RESTARTS'], '0');
    assert.match(rows[0]!['AGE'] ?? '', /^\d+s$/);
    const wide = s.k(['get', 'pods', '-n', 'team-b', '-o', 'wide']);
    assert.match(wide.split('\n')[0] ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const w = parseTable(wide)[0]!;
    assert.equal(w['NODE'], 'n1');
    assert.equal(w['IP'], '<none>');
    assert.equal(w['NOMINATED NODE'], '<none>');
  });

  test('deployments: READY UP-TO-DATE AVAILABLE, wide adds CONTAINERS IMAGES SELECTOR', () => {
    const out = s.k(['get', 'deploy', '-n', 'team-a']);
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    const row = parseTable(out)[0]!;
    assert.equal(row['NAME'], 'web');
    assert.equal(row['READY'], '0/3');
    assert.equal(row['UP-TO-DATE'], '0');
    assert.equal(row['AVAILABLE'], '0');
    const wide = parseTable(s.k(['get', 'deploy', 'web', '-n', 'team-a', '-o', 'wide']))[0]!;
    assert.equal(wide['CONTAINERS'], 'main,side');
    assert.equal(wide['IMAGES'], 'nginx:1.25,busybox:1.36');
    assert.equal(wide['SELECTOR'], 'app=a');
  });

  test('services: TYPE CLUSTER-IP EXTERNAL-IP PORT(S), wide adds SELECTOR', () => {
    const out = s.k(['get', 'svc', '-n', 'team-a', '-o', 'wide']);
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    const rows = parseTable(out);
    const web = rows.find((r) => r['NAME'] === 'web')!;
    assert.equal(web['TYPE'], 'ClusterIP');
    assert.match(web['CLUSTER-IP'] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(web['EXTERNAL-IP'], '<none>');
    assert.equal(web['PORT(S)'], '80/TCP,443/TCP');
    assert.equal(web['SELECTOR'], 'app=a');
    const np = rows.find((r) => r['NAME'] === 'np')!;
    assert.equal(np['TYPE'], 'NodePort');
    assert.equal(np['PORT(S)'], '80:30080/TCP');
  });

  test('nodes: STATUS from the Ready condition, ROLES from labels, wide node info', () => {
    let row = parseTable(s.k(['get', 'nodes']))[0]!;
    assert.equal(row['NAME'], 'n1');
    assert.equal(row['STATUS'], 'Unknown', 'a node without conditions has an Unknown status');
    assert.equal(row['ROLES'], 'worker');
    // The status subresource is the only way to set a node's status.
    assert.match(s.k(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', READY_STATUS]), /node\/n1 patched/);
    const wide = s.k(['get', 'nodes', '-o', 'wide']);
    assert.match(wide.split('\n')[0] ?? '', /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    row = parseTable(wide)[0]!;
    assert.equal(row['STATUS'], 'Ready');
    assert.equal(row['VERSION'], 'v1.33.0');
    assert.equal(row['INTERNAL-IP'], '10.0.0.11');
    assert.equal(row['EXTERNAL-IP'], '<none>');
    assert.equal(row['OS-IMAGE'], 'Strata Linux');
    assert.equal(row['CONTAINER-RUNTIME'], 'containerd://2.0.0');
  });

  test('cordon and uncordon toggle spec.unschedulable and the SchedulingDisabled status', () => {
    assert.match(s.k(['cordon', 'n1']), /node\/n1 cordoned/);
    assert.equal(s.k(['get', 'node', 'n1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
    assert.equal(parseTable(s.k(['get', 'nodes']))[0]!['STATUS'], 'Ready,SchedulingDisabled');
    assert.equal(s.k(['get', 'nodes', '--field-selector', 'spec.unschedulable=true', '-o', 'name']).trim(), 'node/n1');
    assert.match(s.k(['cordon', 'n1']), /node\/n1 already cordoned/);
    assert.match(s.k(['uncordon', 'n1']), /node\/n1 uncordoned/);
    assert.equal(s.k(['get', 'node', 'n1', '-o', 'jsonpath={.spec.unschedulable}']), '');
    assert.equal(parseTable(s.k(['get', 'nodes']))[0]!['STATUS'], 'Ready');
    assert.equal(s.k(['get', 'nodes', '--field-selector', 'spec.unschedulable=true', '-o', 'name']), '');
  });

  test('-o yaml, -o json, -o name and -o jsonpath', () => {
    const yaml = s.k(['get', 'pod', 'a1', '-n', 'team-a', '-o', 'yaml']);
    assert.match(yaml, /^apiVersion: v1$/m);
    assert.match(yaml, /^kind: Pod$/m);
    assert.match(yaml, /^  name: a1$/m);
    assert.match(yaml, /^  phase: Pending$/m);
    const list = JSON.parse(s.k(['get', 'pods', '-n', 'team-a', '-o', 'json'])) as { kind: string; apiVersion: string; items: { metadata: { name: string; resourceVersion: string } }[] };
    assert.equal(list.kind, 'List');
    assert.equal(list.apiVersion, 'v1');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['a1', 'a2']);
    assert.ok(list.items.every((i) => /^\d+$/.test(i.metadata.resourceVersion)));
    assert.equal(s.k(['get', 'pods,deploy,svc', '-n', 'team-a', '-o', 'name']), 'pod/a1\npod/a2\ndeployment.apps/web\nservice/np\nservice/web\n');
    assert.equal(s.k(['get', 'pods', '-n', 'team-a', '-o', 'jsonpath={.items[*].metadata.labels.tier}']), 'web db');
    assert.equal(s.k(['get', 'pods', '-n', 'team-a', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.qosClass}{"\\n"}{end}']), 'a1=BestEffort\na2=BestEffort\n');
    assert.equal(s.k(['get', 'svc', 'web', '-n', 'team-a', '-o', 'custom-columns=NAME:.metadata.name,PORT:.spec.ports[0].targetPort', '--no-headers']).trim().split(/\s+/).join(' '), 'web 8080');
  });

  test('-A lists across namespaces with a NAMESPACE column; --show-labels', () => {
    const out = s.k(['get', 'pods', '-A', '--show-labels']);
    assert.match(out.split('\n')[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/);
    const rows = parseTable(out).map((r) => `${r['NAMESPACE']}/${r['NAME']} ${r['LABELS']}`);
    assert.deepEqual(rows, ['team-a/a1 app=a,tier=web', 'team-a/a2 app=a,tier=db', 'team-b/b1 app=b,tier=web']);
  });

  test('-l label selectors: equality, set-based and negation', () => {
    const names = (args: string[]) => s.k(['get', 'pods', '-A', '-o', 'jsonpath={.items[*].metadata.name}', ...args]);
    assert.equal(names(['-l', 'tier=web']), 'a1 b1');
    assert.equal(names(['-l', 'app=a,tier!=web']), 'a2');
    assert.equal(names(['-l', 'tier in (db,cache)']), 'a2');
    assert.equal(names(['-l', '!tier']), '');
    assert.equal(names(['-l', 'app notin (a)']), 'b1');
    const bad = s.kubectl(['get', 'pods', '-l', 'a=(']);
    assert.notEqual(bad.code, 0);
  });

  test('--field-selector on metadata and pod fields; unknown fields are rejected', () => {
    const names = (sel: string) => s.k(['get', 'pods', '-A', '--field-selector', sel, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(names('metadata.name=a2'), 'a2');
    assert.equal(names('metadata.namespace!=team-a'), 'b1');
    assert.equal(names('spec.nodeName=n1'), 'b1');
    assert.equal(names('spec.nodeName='), 'a1 a2');
    assert.equal(names('status.phase=Pending,metadata.namespace=team-a'), 'a1 a2');
    const bad = s.kubectl(['get', 'pods', '-A', '--field-selector', 'spec.bogus=x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "", field selector "spec\.bogus=x": field label not supported: spec\.bogus/);
  });

  test('--chunk-size=2 pages through continue tokens and still prints every object', async () => {
    const cms = Array.from({ length: 7 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `chunk-${i + 1}`, labels: { i: String(i + 1) } }, data: { i: String(i + 1) } }));
    // Multi-document YAML (kubectl-127.test.ts covers v1 Lists, validated against /openapi/v2).
    s.k(['create', '-n', 'team-b', '-f', '-'], { input: cms.map((c) => JSON.stringify(c)).join('\n---\n') });
    const r = s.kubectl(['get', 'cm', '-n', 'team-b', '--chunk-size=2', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    const names = parseTable(r.stdout).map((row) => row['NAME']);
    // kube-root-ca.crt may or may not exist; the chunk-* ones must all be there, in order.
    assert.deepEqual(names.filter((n) => n?.startsWith('chunk-')), ['chunk-1', 'chunk-2', 'chunk-3', 'chunk-4', 'chunk-5', 'chunk-6', 'chunk-7']);
    const requests = r.stderr.split('\n').filter((l) => /"Response" verb="GET" url="https:\/\/\S+\/api\/v1\/namespaces\/team-b\/configmaps\?/.test(l));
    assert.ok(requests.length >= 4, `expected at least 4 paged requests, saw:\n${requests.join('\n')}`);
    assert.ok(requests.every((l) => /limit=2/.test(l)));
    assert.equal(requests.filter((l) => /continue=/.test(l)).length, requests.length - 1);
    // The raw list agrees: two items, a continue token and the remaining count.
    const raw = await s.request('GET', '/api/v1/namespaces/team-b/configmaps?limit=2&labelSelector=i', { headers: { accept: 'application/json' } });
    const page = JSON.parse(raw.body) as { items: unknown[]; metadata: { continue?: string; remainingItemCount?: number } };
    assert.equal(page.items.length, 2);
    assert.ok(page.metadata.continue);
    assert.equal(page.metadata.remainingItemCount, 5);
    // -o json merges the chunks into one list.
    const all = JSON.parse(s.k(['get', 'cm', '-n', 'team-b', '-l', 'i', '--chunk-size=2', '-o', 'json'])) as { items: unknown[] };
    assert.equal(all.items.length, 7);
  });

  test('--sort-by asks for full objects and sorts them', () => {
    const out = s.k(['get', 'cm', '-n', 'team-b', '-l', 'i', '--sort-by=.metadata.name', '-o', 'name', '--chunk-size=0']);
    assert.equal(out.trim().split('\n').length, 7);
    const sorted = parseTable(s.k(['get', 'pods', '-A', '--sort-by={.metadata.labels.tier}'])).map((r) => r['NAME']);
    assert.equal(sorted[0], 'a2');
  });

  test('get all uses the "all" category', () => {
    const out = s.k(['get', 'all', '-n', 'team-a', '-o', 'name']).trim().split('\n').sort();
    assert.deepEqual(out, ['deployment.apps/web', 'pod/a1', 'pod/a2', 'service/np', 'service/web']);
  });

  test('-L adds label columns; --no-headers drops the header', () => {
    const rows = parseTable(s.k(['get', 'pods', '-n', 'team-a', '-L', 'tier', '-L', 'app']));
    assert.deepEqual(rows.map((r) => [r['NAME'], r['TIER'], r['APP']]), [['a1', 'web', 'a'], ['a2', 'db', 'a']]);
    const bare = s.k(['get', 'pods', '-n', 'team-a', '--no-headers']);
    assert.doesNotMatch(bare, /NAME/);
    assert.equal(bare.trim().split('\n').length, 2);
  });

  test('describe node shows conditions, addresses and the pods on it', () => {
    const out = s.k(['describe', 'node', 'n1']);
    assert.match(out, /^Name:\s+n1$/m);
    assert.match(out, /^Roles:\s+worker$/m);
    assert.match(out, /^Unschedulable:\s+false$/m);
    assert.match(out, /^\s+Ready\s+True\s+.*KubeletReady\s+ok$/m);
    assert.match(out, /^\s+InternalIP:\s+10\.0\.0\.11$/m);
    assert.match(out, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(out, /^\s+team-b\s+b1\s+/m);
  });

  test('drain cordons the node and evicts its pods', () => {
    const r = s.kubectl(['drain', 'n1', '--force', '--grace-period=0', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/n1 cordoned/);
    assert.match(r.stdout, /evicting pod team-b\/b1/);
    assert.match(r.stdout, /pod\/b1 evicted/);
    assert.match(r.stdout, /node\/n1 drained/);
    assert.equal(s.kubectl(['get', 'pod', 'b1', '-n', 'team-b']).code, 1);
    assert.equal(s.k(['get', 'node', 'n1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
    s.k(['uncordon', 'n1']);
  });

  test('get of a missing object or type prints the upstream error', () => {
    const missing = s.kubectl(['get', 'pod', 'nope', '-n', 'team-a']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    const type = s.kubectl(['get', 'widgets']);
    assert.equal(type.code, 1);
    assert.match(type.stderr, /the server doesn't have a resource type "widgets"/);
    const ns = s.kubectl(['get', 'pods', '-n', 'nowhere']);
    assert.equal(ns.code, 0);
    assert.match(ns.stderr, /No resources found in nowhere namespace\./);
  });
});
