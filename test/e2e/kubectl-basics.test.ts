// Real kubectl (the dispatcher, which picks 1.33 for this server) against `strata server`:
// version, discovery (api-resources, api-versions), explain, create -f, label, annotate, patch,
// delete and describe. Validation stays on (no --validate=false): the server's openapi v3 must
// satisfy kubectl's fieldValidation check.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseTable, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "infinity"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

describe('kubectl basics', { timeout: 120_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-scheduler']); // describe's event test writes the scheduler's events itself
  });
  after(async () => {
    await s?.cleanup();
  });

  test('version reports the server as v1.33 and the dispatcher runs a 1.33 client', () => {
    const v = JSON.parse(s.k(['version', '-o', 'json'])) as { clientVersion: Record<string, string>; serverVersion: Record<string, string> };
    assert.equal(v.serverVersion['major'], '1');
    assert.equal(v.serverVersion['minor'], '33');
    assert.match(v.serverVersion['gitVersion'] ?? '', /^v1\.33\./);
    assert.equal(v.clientVersion['minor'], '33');
  });

  test('api-resources lists short names, groups, scope and categories', () => {
    const rows = parseTable(s.k(['api-resources', '-o', 'wide']));
    const byName = (name: string, apiVersion: string) => {
      const row = rows.find((r) => r['NAME'] === name && r['APIVERSION'] === apiVersion);
      assert.ok(row, `api-resources has no ${name} ${apiVersion}:\n${JSON.stringify(rows.map((r) => r['NAME']))}`);
      return row;
    };
    const deploy = byName('deployments', 'apps/v1');
    assert.equal(deploy['SHORTNAMES'], 'deploy');
    assert.equal(deploy['NAMESPACED'], 'true');
    assert.equal(deploy['KIND'], 'Deployment');
    assert.match(deploy['CATEGORIES'] ?? '', /\ball\b/);
    assert.match(deploy['VERBS'] ?? '', /create.*delete.*get.*list.*patch.*update.*watch/);
    assert.equal(byName('configmaps', 'v1')['SHORTNAMES'], 'cm');
    assert.equal(byName('services', 'v1')['SHORTNAMES'], 'svc');
    const nodes = byName('nodes', 'v1');
    assert.equal(nodes['SHORTNAMES'], 'no');
    assert.equal(nodes['NAMESPACED'], 'false');
    // Only cluster-scoped kinds are listed with --namespaced=false.
    const clusterScoped = s.k(['api-resources', '--namespaced=false', '-o', 'name']).split('\n');
    assert.ok(clusterScoped.includes('nodes'));
    assert.ok(clusterScoped.includes('namespaces'));
    assert.ok(!clusterScoped.includes('pods'));
    // Short names resolve in commands.
    s.k(['get', 'deploy,cm,svc,no', '-A']);
  });

  test('api-versions lists the served group versions', () => {
    const versions = s.k(['api-versions']).trim().split('\n');
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1']) {
      assert.ok(versions.includes(gv), `api-versions misses ${gv}: ${versions.join(' ')}`);
    }
    assert.deepEqual([...versions].sort(), versions, 'api-versions prints a sorted list');
  });

  test('explain reads field docs from the server openapi', () => {
    const out = s.k(['explain', 'deployment.spec.replicas']);
    assert.match(out, /GROUP:\s+apps/);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /FIELD:\s+replicas <integer>/);
    assert.match(out, /DESCRIPTION:\s+\S/);
    const spec = s.k(['explain', 'deployment.spec']);
    assert.match(spec, /FIELDS:/);
    assert.match(spec, /template\s+<PodTemplateSpec> -required-/);
    const missing = s.kubectl(['explain', 'deployment.spec.nosuchfield']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /field "nosuchfield" does not exist/);
  });

  test('create -f makes a Deployment and a Service; a second create is AlreadyExists', () => {
    const out = s.k(['create', '-f', '-'], { input: WEB });
    assert.match(out, /^deployment\.apps\/web created$/m);
    assert.match(out, /^service\/web created$/m);
    const deploy = JSON.parse(s.k(['get', 'deployment', 'web', '-o', 'json'])) as Record<string, any>;
    assert.equal(deploy['spec']['replicas'], 2);
    assert.equal(deploy['metadata']['generation'], 1);
    // Defaults were applied by the server.
    assert.equal(deploy['spec']['strategy']['type'], 'RollingUpdate');
    assert.equal(deploy['spec']['template']['spec']['containers'][0]['imagePullPolicy'], 'IfNotPresent');
    const svc = JSON.parse(s.k(['get', 'svc', 'web', '-o', 'json'])) as Record<string, any>;
    assert.equal(svc['spec']['type'], 'ClusterIP');
    assert.match(svc['spec']['clusterIP'], /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(svc['spec']['ports'][0]['protocol'], 'TCP');

    const again = s.kubectl(['create', '-f', '-'], { input: WEB });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": deployments\.apps "web" already exists/);
    assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": services "web" already exists/);
  });

  test('create -f with an unknown field fails strict field validation', () => {
    const r = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict}\ndata: {a: "1"}\nbogus: 1\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "bogus"/);
    assert.equal(s.kubectl(['get', 'cm', 'strict']).code, 1);
  });

  test('create -f of an invalid object prints the Invalid status with field paths', () => {
    const r = s.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: bad}}\n  template:\n    metadata: {labels: {app: other}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The Deployment "bad" is invalid/);
    assert.match(r.stderr, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(r.stderr, /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
  });

  test('create --dry-run=server returns the defaulted object without storing it', () => {
    const out = s.k(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata: {name: dry}\nspec: {ports: [{port: 81}]}\n' });
    const svc = JSON.parse(out) as Record<string, any>;
    assert.equal(svc['spec']['type'], 'ClusterIP');
    assert.equal(svc['spec']['ports'][0]['targetPort'], 81);
    assert.ok(svc['metadata']['uid']);
    assert.equal(s.kubectl(['get', 'svc', 'dry']).code, 1, 'a dry-run create must not persist');
  });

  test('create -f with generateName gets a generated name', () => {
    const out = s.k(['create', '-o', 'name', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\ndata: {a: "1"}\n' });
    assert.match(out.trim(), /^configmap\/gen-[a-z0-9]{5}$/);
  });

  test('a Secret created with stringData stores it base64-encoded in data', () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {user: admin}\ndata: {pass: c2VjcmV0}\n' });
    const secret = JSON.parse(s.k(['get', 'secret', 'creds', '-o', 'json'])) as Record<string, any>;
    assert.equal(secret['type'], 'Opaque');
    assert.deepEqual(secret['data'], { user: Buffer.from('admin').toString('base64'), pass: 'c2VjcmV0' });
    assert.equal(secret['stringData'], undefined);
    assert.equal(parseTable(s.k(['get', 'secret', 'creds']))[0]!['DATA'], '2');
  });

  test('run creates a pod and expose creates a service for a deployment', () => {
    assert.match(s.k(['run', 'solo', '--image=nginx:1.25', '--restart=Never', '--labels=app=solo', '--port=80']), /pod\/solo created/);
    const pod = JSON.parse(s.k(['get', 'pod', 'solo', '-o', 'json'])) as Record<string, any>;
    assert.equal(pod['spec']['restartPolicy'], 'Never');
    assert.equal(pod['spec']['containers'][0]['ports'][0]['containerPort'], 80);
    assert.match(s.k(['expose', 'deploy', 'web', '--name=web-exposed', '--port=8080', '--target-port=80']), /service\/web-exposed exposed/);
    const row = parseTable(s.k(['get', 'svc', 'web-exposed', '-o', 'wide']))[0]!;
    assert.equal(row['PORT(S)'], '8080/TCP');
    assert.equal(row['SELECTOR'], 'app=web');
    s.k(['delete', 'pod', 'solo']);
    s.k(['delete', 'svc', 'web-exposed']);
  });

  test('edit sends the change the editor made', () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edited}\ndata: {color: blue}\n' });
    const out = s.k(['edit', 'cm', 'edited'], { env: { EDITOR: 'sed -i s/color:\\ blue/color:\\ green/', KUBE_EDITOR: '' } });
    assert.match(out, /configmap\/edited edited/);
    assert.equal(s.k(['get', 'cm', 'edited', '-o', 'jsonpath={.data.color}']), 'green');
  });

  test('label --resource-version is a precondition: a stale one is a Conflict', () => {
    const rv = s.k(['get', 'cm', 'edited', '-o', 'jsonpath={.metadata.resourceVersion}']);
    s.k(['label', 'cm', 'edited', 'step=1', `--resource-version=${rv}`]);
    const stale = s.kubectl(['label', 'cm', 'edited', 'step=2', '--overwrite', `--resource-version=${rv}`]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /Error from server \(Conflict\): Operation cannot be fulfilled on configmaps "edited": the object has been modified; please apply your changes to the latest version and try again/);
    assert.equal(s.k(['get', 'cm', 'edited', '-o', 'jsonpath={.metadata.labels.step}']), '1');
  });

  test('label adds, refuses to overwrite without --overwrite, overwrites and removes', () => {
    assert.match(s.k(['label', 'deploy', 'web', 'tier=frontend']), /deployment\.apps\/web labeled/);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.labels.tier}']), 'frontend');
    const refused = s.kubectl(['label', 'deploy', 'web', 'tier=backend']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /'tier' already has a value \(frontend\), and --overwrite is false/);
    s.k(['label', 'deploy', 'web', 'tier=backend', '--overwrite']);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.labels.tier}']), 'backend');
    assert.equal(s.k(['get', 'deploy', '-l', 'tier=backend', '-o', 'name']).trim(), 'deployment.apps/web');
    s.k(['label', 'deploy', 'web', 'tier-']);
    const labels = JSON.parse(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
    assert.deepEqual(labels, { app: 'web' });
  });

  test('annotate adds, needs --overwrite to change and removes', () => {
    assert.match(s.k(['annotate', 'svc', 'web', 'owner=team-a']), /service\/web annotated/);
    const refused = s.kubectl(['annotate', 'svc', 'web', 'owner=team-b']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--overwrite is false but found the following declared annotation\(s\): 'owner' already has a value \(team-a\)/);
    s.k(['annotate', 'svc', 'web', 'owner=team-b', '--overwrite']);
    assert.equal(s.k(['get', 'svc', 'web', '-o', 'jsonpath={.metadata.annotations.owner}']), 'team-b');
    s.k(['annotate', 'svc', 'web', 'owner-']);
    assert.equal(s.k(['get', 'svc', 'web', '-o', 'jsonpath={.metadata.annotations.owner}']), '');
  });

  test('patch --type=strategic merges containers by name', () => {
    const out = s.k(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}']);
    assert.match(out, /deployment\.apps\/web patched/);
    const deploy = JSON.parse(s.k(['get', 'deploy', 'web', '-o', 'json'])) as Record<string, any>;
    const containers = deploy['spec']['template']['spec']['containers'] as { name: string; image: string }[];
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.27'], ['sidecar', 'busybox:1.36']]);
    assert.equal(deploy['metadata']['generation'], 2, 'a spec change bumps the generation');
    // The same patch again changes nothing.
    assert.match(s.k(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}']), /patched \(no change\)/);
    // $patch: delete removes one list element by its merge key.
    s.k(['patch', 'deploy', 'web', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']), 'web');
  });

  test('patch --type=merge replaces lists and deletes with null', () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, labels: {a: "1", b: "2"}}\ndata: {x: "1", z: "2"}\n' });
    assert.match(s.k(['patch', 'cm', 'm', '--type=merge', '-p', '{"metadata":{"labels":{"b":null,"c":"3"}},"data":{"x":"10"}}']), /configmap\/m patched/);
    const cm = JSON.parse(s.k(['get', 'cm', 'm', '-o', 'json'])) as Record<string, any>;
    assert.deepEqual(cm['metadata']['labels'], { a: '1', c: '3' });
    assert.deepEqual(cm['data'], { x: '10', z: '2' });
    // A merge patch replaces a whole list (no merge keys).
    s.k(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"solo","image":"redis:7"}]}}}}']);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']), 'solo');
  });

  test('patch --type=json applies RFC 6902 operations and reports failed tests', () => {
    assert.match(s.k(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4},{"op":"add","path":"/metadata/labels/patched","value":"yes"}]']), /deployment\.apps\/web patched/);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.patched}']), '4 yes');
    const failed = s.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":99},{"op":"replace","path":"/spec/replicas","value":7}]']);
    assert.equal(failed.code, 1);
    // A failed "test" operation is a 422 Invalid, which kubectl prints without "Error from server".
    assert.match(failed.stderr, /The request is invalid/);
    assert.equal(s.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '4');
  });

  test('patch of a missing object is NotFound', () => {
    const r = s.kubectl(['patch', 'cm', 'nope', '--type=merge', '-p', '{"data":{"a":"b"}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
  });

  test('describe pod shows the events that point at it', () => {
    s.k(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1, labels: {app: p1}}\nspec:\n  containers: [{name: main, image: nginx:1.25}]\n' });
    const uid = s.k(['get', 'pod', 'p1', '-o', 'jsonpath={.metadata.uid}']);
    assert.match(uid, /^[0-9a-f-]{36}$/);
    const event = (name: string, eventUid: string, reason: string, message: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'p1', namespace: 'default', uid: eventUid },
        reason,
        message,
        type: 'Warning',
        count: 1,
        firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        source: { component: 'default-scheduler' },
      });
    s.k(['create', '-f', '-'], { input: event('p1.1', uid, 'FailedScheduling', 'no nodes available to schedule pods') });
    // An event for an earlier pod with the same name (another uid) must not show.
    s.k(['create', '-f', '-'], { input: event('p1.2', '00000000-0000-0000-0000-000000000000', 'StaleReason', 'from an older pod') });
    const out = s.k(['describe', 'pod', 'p1']);
    assert.match(out, /^Name:\s+p1$/m);
    assert.match(out, /^Namespace:\s+default$/m);
    assert.match(out, /^Status:\s+Pending$/m);
    assert.match(out, /^\s+Image:\s+nginx:1\.25$/m);
    assert.match(out, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
    assert.match(out, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+no nodes available to schedule pods/);
    assert.doesNotMatch(out, /StaleReason/);
    // The field selectors describe uses also work with get.
    assert.equal(s.k(['get', 'events', '--field-selector', `involvedObject.uid=${uid}`, '-o', 'name']).trim(), 'event/p1.1');
  });

  test('describe deployment and service', () => {
    const d = s.k(['describe', 'deploy', 'web']);
    assert.match(d, /^Name:\s+web$/m);
    assert.match(d, /^Replicas:\s+4 desired/m);
    assert.match(d, /^Selector:\s+app=web$/m);
    const svc = s.k(['describe', 'svc', 'web']);
    assert.match(svc, /^Type:\s+ClusterIP$/m);
    assert.match(svc, /^Port:\s+<unset>\s+80\/TCP$/m);
  });

  test('delete removes objects; missing ones are NotFound unless --ignore-not-found', () => {
    assert.match(s.k(['delete', 'cm', 'm']), /configmap "m" deleted/);
    assert.equal(s.kubectl(['get', 'cm', 'm']).code, 1);
    const missing = s.kubectl(['delete', 'cm', 'm']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "m" not found/);
    assert.equal(s.k(['delete', 'cm', 'm', '--ignore-not-found']), '');
    // delete -f removes what a manifest names, across kinds.
    const out = s.k(['delete', '-f', '-'], { input: WEB });
    assert.match(out, /deployment\.apps "web" deleted/);
    assert.match(out, /service "web" deleted/);
    assert.equal(s.k(['get', 'deploy,svc', '-l', 'app=web', '-o', 'name']), '');
    // Pods without a node go at once.
    assert.match(s.k(['delete', 'pod', 'p1']), /pod "p1" deleted/);
    assert.equal(s.kubectl(['get', 'pod', 'p1']).code, 1);
  });

  test('delete by label selector deletes only the matching objects', () => {
    for (const [name, tier] of [['d1', 'a'], ['d2', 'a'], ['d3', 'b']] as const) {
      s.k(['create', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: {tier: ${tier}}}\n` });
    }
    const out = s.k(['delete', 'cm', '-l', 'tier=a']);
    assert.match(out, /configmap "d1" deleted/);
    assert.match(out, /configmap "d2" deleted/);
    assert.equal(s.k(['get', 'cm', '-l', 'tier', '-o', 'name']).trim(), 'configmap/d3');
  });
});
