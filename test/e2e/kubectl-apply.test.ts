// Client-side `kubectl apply` (create, unchanged, configured, pruned keys through the
// last-applied three-way merge), `kubectl diff` exit codes, `kubectl scale` through the scale
// subresource, and a create/apply round of the upstream guestbook example.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseTable, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const GUESTBOOK = '/work/shared/examples/kubernetes-examples/web/guestbook';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function configMap(data: Record<string, string>, labels: Record<string, string> = { app: 'cfg' }): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels }, data });
}

function deployment(image: string, replicas: number, extraEnv: { name: string; value: string }[] = []): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${image}
        env: ${JSON.stringify([{ name: 'MODE', value: 'prod' }, ...extraEnv])}
        ports:
        - containerPort: 8080
`;
}

describe('kubectl apply, diff and scale', { timeout: 150_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API semantics on objects as written: no controller or scheduler may change them
  });
  after(async () => {
    await s?.cleanup();
  });

  const getJson = (args: string[]) => JSON.parse(s.k(['get', ...args, '-o', 'json'])) as Record<string, any>;

  test('apply creates, then reports unchanged without writing', () => {
    assert.equal(s.k(['apply', '-f', '-'], { input: configMap({ a: '1', b: '2' }) }).trim(), 'configmap/cfg created');
    const first = getJson(['cm', 'cfg']);
    assert.deepEqual(first['data'], { a: '1', b: '2' });
    const lastApplied = JSON.parse(first['metadata']['annotations'][LAST_APPLIED]) as Record<string, any>;
    assert.deepEqual(lastApplied['data'], { a: '1', b: '2' });
    assert.equal(s.k(['apply', '-f', '-'], { input: configMap({ a: '1', b: '2' }) }).trim(), 'configmap/cfg unchanged');
    assert.equal(getJson(['cm', 'cfg'])['metadata']['resourceVersion'], first['metadata']['resourceVersion'], 'an unchanged apply writes nothing');
  });

  test('apply with a changed value reports configured and the change is visible', () => {
    assert.equal(s.k(['apply', '-f', '-'], { input: configMap({ a: '10', b: '2', c: '3' }) }).trim(), 'configmap/cfg configured');
    assert.deepEqual(getJson(['cm', 'cfg'])['data'], { a: '10', b: '2', c: '3' });
  });

  test('apply with a key removed deletes the key (three-way merge with last-applied)', () => {
    // A key added by someone else (not in last-applied) survives; the removed applied key goes.
    s.k(['patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"manual":"yes"}}']);
    assert.equal(s.k(['apply', '-f', '-'], { input: configMap({ a: '10', c: '3' }) }).trim(), 'configmap/cfg configured');
    assert.deepEqual(getJson(['cm', 'cfg'])['data'], { a: '10', c: '3', manual: 'yes' });
    // Labels work the same way.
    s.k(['apply', '-f', '-'], { input: configMap({ a: '10', c: '3' }, { app: 'cfg', extra: 'x' }) });
    assert.deepEqual(getJson(['cm', 'cfg'])['metadata']['labels'], { app: 'cfg', extra: 'x' });
    s.k(['apply', '-f', '-'], { input: configMap({ a: '10', c: '3' }) });
    assert.deepEqual(getJson(['cm', 'cfg'])['metadata']['labels'], { app: 'cfg' });
  });

  test('diff exits 1 with a unified diff when the manifest differs, 0 when it matches', () => {
    const changed = s.kubectl(['diff', '-f', '-'], { input: configMap({ a: '11', c: '3' }) });
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^-\s+a: "10"$/m);
    assert.match(changed.stdout, /^\+\s+a: "11"$/m);
    // The manually added key is not in the manifest or last-applied, so it is untouched.
    assert.doesNotMatch(changed.stdout, /^[-+]\s+manual:/m);
    // diff is a server-side dry run: nothing was written.
    assert.equal(getJson(['cm', 'cfg'])['data']['a'], '10');
    const same = s.kubectl(['diff', '-f', '-'], { input: configMap({ a: '10', c: '3' }) });
    assert.equal(same.code, 0, same.stderr + same.stdout);
    assert.equal(same.stdout, '');
    // A manifest for an object that does not exist yet diffs against nothing.
    const fresh = s.kubectl(['diff', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fresh' }, data: { k: 'v' } }) });
    assert.equal(fresh.code, 1, fresh.stderr);
    assert.match(fresh.stdout, /^\+\s+k: v$/m);
    assert.equal(s.kubectl(['get', 'cm', 'fresh']).code, 1, 'diff must not create the object');
  });

  test('apply of a Deployment: configured with a new image, generation bumps, SMP keeps list order', () => {
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('nginx:1.25', 2) }).trim(), 'deployment.apps/api created');
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('nginx:1.25', 2) }).trim(), 'deployment.apps/api unchanged');
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('nginx:1.27', 2, [{ name: 'DEBUG', value: '1' }]) }).trim(), 'deployment.apps/api configured');
    const d = getJson(['deploy', 'api']);
    const c = d['spec']['template']['spec']['containers'][0];
    assert.equal(c['image'], 'nginx:1.27');
    assert.deepEqual(c['env'], [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: '1' }]);
    assert.equal(d['metadata']['generation'], 2);
    // Removing the env entry from the manifest removes it from the object.
    s.k(['apply', '-f', '-'], { input: deployment('nginx:1.27', 2) });
    assert.deepEqual(getJson(['deploy', 'api'])['spec']['template']['spec']['containers'][0]['env'], [{ name: 'MODE', value: 'prod' }]);
    const diff = s.kubectl(['diff', '-f', '-'], { input: deployment('nginx:1.28', 2) });
    assert.equal(diff.code, 1);
    assert.match(diff.stdout, /^-\s+image: nginx:1\.27$/m);
    assert.match(diff.stdout, /^\+\s+image: nginx:1\.28$/m);
    assert.match(diff.stdout, /^-\s+generation: 3$/m, 'the dry run bumps the generation like a real update');
  });

  test('scale changes spec.replicas through the scale subresource', async () => {
    assert.match(s.k(['scale', 'deploy', 'api', '--replicas=5']), /deployment\.apps\/api scaled/);
    const d = getJson(['deploy', 'api']);
    assert.equal(d['spec']['replicas'], 5);
    assert.equal(parseTable(s.k(['get', 'deploy', 'api']))[0]!['READY'], '0/5');
    const scale = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/api/scale', { headers: { accept: 'application/json' } });
    assert.equal(scale.status, 200);
    const body = JSON.parse(scale.body) as Record<string, any>;
    assert.equal(body['kind'], 'Scale');
    assert.equal(body['apiVersion'], 'autoscaling/v1');
    assert.equal(body['spec']['replicas'], 5);
    assert.equal(body['status']['selector'], 'app=api');
    // --current-replicas is a precondition: GET the Scale, compare, then PUT it.
    const wrong = s.kubectl(['scale', 'deploy', 'api', '--current-replicas=2', '--replicas=1']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Expected replicas to be 2, was 5/);
    s.k(['scale', 'deploy', 'api', '--current-replicas=5', '--replicas=1']);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas}']), '1');
    // A Deployment whose manifest no longer matches the live replicas is "configured" again by apply.
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('nginx:1.27', 2) }).trim(), 'deployment.apps/api configured');
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas}']), '2');
    const negative = s.kubectl(['scale', 'deploy', 'api', '--replicas=-1']);
    assert.equal(negative.code, 1);
  });

  test('get and patch the scale and status subresources directly', () => {
    const scale = s.k(['get', 'deploy', 'api', '--subresource=scale']);
    assert.match(scale.split('\n')[0] ?? '', /^NAME\s+DESIRED\s+AVAILABLE$/);
    assert.deepEqual(parseTable(scale)[0], { NAME: 'api', DESIRED: '2', AVAILABLE: '0' });
    // The status subresource prints like the resource itself.
    assert.equal(parseTable(s.k(['get', 'deploy', 'api', '--subresource=status']))[0]!['READY'], '0/2');
    assert.match(s.k(['patch', 'deploy', 'api', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":4}}']), /scale\.autoscaling\/api patched/);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas}']), '4');
    // Writing status through the status subresource leaves spec alone, and the reverse.
    s.k(['patch', 'deploy', 'api', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":4,"availableReplicas":4,"readyReplicas":4,"updatedReplicas":4},"spec":{"replicas":9}}']);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas} {.status.availableReplicas}']), '4 4');
    assert.deepEqual(parseTable(s.k(['get', 'deploy', 'api', '--subresource=scale']))[0], { NAME: 'api', DESIRED: '4', AVAILABLE: '4' });
    assert.equal(parseTable(s.k(['get', 'deploy', 'api']))[0]!['READY'], '4/4');
    s.k(['apply', '-f', '-'], { input: deployment('nginx:1.27', 2) });
  });

  test('set image, rollout restart, pause and resume patch the Deployment', () => {
    assert.match(s.k(['set', 'image', 'deploy/api', 'api=nginx:1.29']), /deployment\.apps\/api image updated/);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.29');
    assert.match(s.k(['rollout', 'restart', 'deploy/api']), /deployment\.apps\/api restarted/);
    assert.match(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']), /^\d{4}-\d\d-\d\dT/);
    assert.match(s.k(['rollout', 'pause', 'deploy/api']), /deployment\.apps\/api paused/);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.paused}']), 'true');
    assert.match(s.k(['rollout', 'resume', 'deploy/api']), /deployment\.apps\/api resumed/);
    assert.equal(s.k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.paused}']), '');
  });

  test('a changed selector is refused as immutable', () => {
    const moved = deployment('nginx:1.27', 2).replaceAll('app: api', 'app: api2').replace('matchLabels: {app: api}', 'matchLabels: {app: api2}').replace('labels: {app: api}', 'labels: {app: api2}');
    const r = s.kubectl(['apply', '-f', '-'], { input: moved });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /The Deployment "api" is invalid: spec\.selector: Invalid value: .*field is immutable/);
  });

  test('replace (PUT): replaced, stale resourceVersion is a Conflict, --force recreates', () => {
    const cm = JSON.parse(s.k(['get', 'cm', 'cfg', '-o', 'json'])) as Record<string, any>;
    const uid = cm['metadata']['uid'];
    cm['data'] = { replaced: 'yes' };
    assert.match(s.k(['replace', '-f', '-'], { input: JSON.stringify(cm) }), /configmap\/cfg replaced/);
    assert.deepEqual(getJson(['cm', 'cfg'])['data'], { replaced: 'yes' });
    // The resourceVersion in the body is now stale.
    cm['data'] = { replaced: 'twice' };
    const stale = s.kubectl(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cfg": the object has been modified/);
    delete cm['metadata']['resourceVersion'];
    const forced = s.k(['replace', '--force', '-f', '-'], { input: JSON.stringify(cm) });
    assert.match(forced, /configmap "cfg" deleted/);
    assert.match(forced, /configmap\/cfg replaced/);
    const after = getJson(['cm', 'cfg']);
    assert.deepEqual(after['data'], { replaced: 'twice' });
    assert.notEqual(after['metadata']['uid'], uid, 'replace --force deletes and recreates');
  });

  test('scale works for StatefulSets and ReplicaSets too', () => {
    s.k(['create', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: nginx}]}
`,
    });
    assert.match(s.k(['scale', 'statefulset', 'db', '--replicas=3']), /statefulset\.apps\/db scaled/);
    assert.match(s.k(['scale', 'rs', 'rs', '--replicas=2']), /replicaset\.apps\/rs scaled/);
    assert.equal(s.k(['get', 'sts', 'db', '-o', 'jsonpath={.spec.replicas}']), '3');
    assert.equal(s.k(['get', 'rs', 'rs', '-o', 'jsonpath={.spec.replicas}']), '2');
    assert.equal(parseTable(s.k(['get', 'sts', 'db']))[0]!['READY'], '0/3');
  });

  test('apply can change a Service type; fields only the old type used are dropped', () => {
    const svc = (type: string, extra = '') => `apiVersion: v1\nkind: Service\nmetadata: {name: edge}\nspec:\n  type: ${type}\n  selector: {app: edge}\n  ports: [{port: 80}]\n${extra}`;
    s.k(['apply', '-f', '-'], { input: svc('NodePort') });
    let spec = getJson(['svc', 'edge'])['spec'];
    assert.ok(spec['ports'][0]['nodePort'] >= 30000);
    assert.equal(spec['externalTrafficPolicy'], 'Cluster');
    // nodePort and externalTrafficPolicy come along from the live object in the patch; upstream
    // wipes them when the type no longer uses them instead of failing validation.
    assert.equal(s.k(['apply', '-f', '-'], { input: svc('ClusterIP') }).trim(), 'service/edge configured');
    spec = getJson(['svc', 'edge'])['spec'];
    assert.equal(spec['type'], 'ClusterIP');
    assert.equal(spec['ports'][0]['nodePort'], undefined);
    assert.equal(spec['externalTrafficPolicy'], undefined);
    s.k(['apply', '-f', '-'], { input: svc('LoadBalancer') });
    assert.match(parseTable(s.k(['get', 'svc', 'edge']))[0]!['PORT(S)'] ?? '', /^80:3\d{4}\/TCP$/);
    assert.equal(s.k(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata: {name: edge}\nspec:\n  type: ExternalName\n  externalName: example.com\n' }).trim(), 'service/edge configured');
    spec = getJson(['svc', 'edge'])['spec'];
    assert.equal(spec['clusterIP'], undefined);
    assert.equal(spec['externalName'], 'example.com');
    s.k(['delete', 'svc', 'edge']);
  });

  test('guestbook example: create -f a directory, then apply -f it (unchanged), then apply a change', () => {
    const files = readdirSync(GUESTBOOK).filter((f) => f.endsWith('.yaml')).sort();
    assert.equal(files.length, 6);
    const created = s.k(['create', '-n', 'default', '-f', GUESTBOOK]);
    for (const name of ['frontend', 'redis-master', 'redis-replica']) {
      assert.match(created, new RegExp(`^deployment\\.apps/${name} created$`, 'm'));
      assert.match(created, new RegExp(`^service/${name} created$`, 'm'));
    }
    const svcRows = parseTable(s.k(['get', 'svc', '-l', 'app in (guestbook,redis)']));
    const frontend = svcRows.find((r) => r['NAME'] === 'frontend')!;
    assert.equal(frontend['TYPE'], 'NodePort');
    assert.match(frontend['PORT(S)'] ?? '', /^80:3\d{4}\/TCP$/);
    assert.equal(parseTable(s.k(['get', 'deploy', 'frontend']))[0]!['READY'], '0/3');
    // The objects were made by create (no last-applied): apply adopts them with a warning.
    const adopted = s.kubectl(['apply', '-f', GUESTBOOK]);
    assert.equal(adopted.code, 0, adopted.stderr);
    assert.match(adopted.stderr, /missing the kubectl\.kubernetes\.io\/last-applied-configuration annotation/);
    assert.match(adopted.stdout, /^deployment\.apps\/frontend configured$/m);
    // Now every object carries last-applied, so a second apply changes nothing.
    const again = s.k(['apply', '-f', GUESTBOOK]);
    for (const f of ['frontend', 'redis-master', 'redis-replica']) {
      assert.match(again, new RegExp(`^deployment\\.apps/${f} unchanged$`, 'm'));
      assert.match(again, new RegExp(`^service/${f} unchanged$`, 'm'));
    }
    // Apply a change to one manifest: the frontend image moves on, the rest is unchanged.
    const manifest = readFileSync(join(GUESTBOOK, 'frontend-deployment.yaml'), 'utf8').replace('gb-frontend:v5', 'gb-frontend:v6');
    assert.equal(s.k(['apply', '-f', '-'], { input: manifest }).trim(), 'deployment.apps/frontend configured');
    assert.equal(s.k(['get', 'deploy', 'frontend', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'gcr.io/google-samples/gb-frontend:v6');
    assert.equal(s.k(['get', 'deploy', 'frontend', '-o', 'jsonpath={.spec.template.spec.containers[0].resources.requests.memory}']), '100Mi');
    const del = s.k(['delete', '-f', GUESTBOOK]);
    assert.match(del, /deployment\.apps "frontend" deleted/);
    assert.equal(s.k(['get', 'deploy,svc', '-l', 'app in (guestbook,redis)', '-o', 'name']), '');
  });

  test('apply of the all-in-one guestbook manifest creates everything, then is unchanged', () => {
    const file = join(GUESTBOOK, 'all-in-one', 'guestbook-all-in-one.yaml');
    const first = s.k(['apply', '-f', file]);
    assert.match(first, /^service\/frontend created$/m);
    assert.match(first, /^deployment\.apps\/frontend created$/m);
    const second = s.k(['apply', '-f', file]);
    assert.doesNotMatch(second, /created|configured/);
    assert.match(second, /^deployment\.apps\/frontend unchanged$/m);
  });
});
