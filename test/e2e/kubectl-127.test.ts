// kubectl 1.27 and 1.28 validate manifests through /openapi/v2 answered as gnostic protobuf (they
// never fall back to v3 for that), so with validation on (the default) their writes depend on it.
// Newer kubectl read /openapi/v2 on a second client-side apply too: the merge of containers by
// name must survive that. Also: a v1 List is validated client-side in every version.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KUBECTL_127, KUBECTL_133, parseTable, startStrata } from './harness.ts';

const KUBECTL_128 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.28';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const deployment = (name: string, image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: main, image: ${image}, ports: [{containerPort: 80}]}
      - {name: side, image: busybox:1.36}
`;

const containers = (s: Strata, name: string, binary: string): string =>
  s.k(['get', 'deploy', name, '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} env={.env[*].name};{end}'], { binary });

describe('kubectl 1.27 and 1.28 with validation on (openapi v2)', { timeout: 150_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  for (const [version, binary] of [['1.27', KUBECTL_127], ['1.28', KUBECTL_128]] as const) {
    describe(`kubectl ${version}`, () => {
      const name = `v${version.replace('.', '')}`;
      const k = (args: string[], input?: string) => s.k(args, { binary, ...(input === undefined ? {} : { input }) });
      const run = (args: string[], input?: string) => s.kubectl(args, { binary, ...(input === undefined ? {} : { input }) });

      test('create -f without --validate=false, then get', () => {
        assert.equal(k(['create', '-f', '-'], deployment(`${name}-c`, 'nginx:1.25')).trim(), `deployment.apps/${name}-c created`);
        const row = parseTable(k(['get', 'deploy', `${name}-c`, '-o', 'wide']))[0]!;
        assert.equal(row['NAME'], `${name}-c`);
        assert.equal(row['IMAGES'], 'nginx:1.25,busybox:1.36');
        const dup = run(['create', '-f', '-'], deployment(`${name}-c`, 'nginx:1.25'));
        assert.equal(dup.code, 1);
        assert.match(dup.stderr, /AlreadyExists/);
      });

      test('an unknown field is refused and nothing is created', () => {
        const r = run(['create', '-f', '-'], deployment(`${name}-bad`, 'nginx:1.25', '\n  bogus: 3'));
        assert.equal(r.code, 1);
        assert.match(r.stderr, /unknown field "spec\.bogus"/);
        assert.equal(run(['get', 'deploy', `${name}-bad`]).code, 1);
      });

      test('a List is validated client-side against the v2 definitions', () => {
        const list = (field: string) => `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: ${name}-list}, data: {a: b}${field}}\n`;
        const bad = run(['create', '-f', '-'], list(', bogus: 1'));
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /error validating data: ValidationError\(ConfigMap\): unknown field "bogus" in io\.k8s\.api\.core\.v1\.ConfigMap/);
        assert.equal(k(['create', '-f', '-'], list('')).trim(), `configmap/${name}-list created`);
      });

      test('apply: created, unchanged, configured; containers merge by name', () => {
        assert.equal(k(['apply', '-f', '-'], deployment(name, 'nginx:1.25')).trim(), `deployment.apps/${name} created`);
        assert.equal(k(['apply', '-f', '-'], deployment(name, 'nginx:1.25')).trim(), `deployment.apps/${name} unchanged`);
        // A field the manifest never set, on the container the manifest does not change: a merge
        // by name keeps it, replacing the list would drop it.
        k(['set', 'env', `deploy/${name}`, '-c', 'side', 'EXTRA=kept']);
        assert.equal(k(['apply', '-f', '-'], deployment(name, 'nginx:1.26')).trim(), `deployment.apps/${name} configured`);
        assert.equal(containers(s, name, binary), 'main=nginx:1.26 env=;side=busybox:1.36 env=EXTRA;');
      });

      test('explain reads the schema (v3 output and the v2 plaintext output)', () => {
        const out = k(['explain', 'deployment.spec']);
        assert.match(out, /KIND:\s+Deployment/);
        assert.match(out, /replicas\s+<integer>/);
        assert.match(out, /selector\s+<LabelSelector> -required-/);
        const v2 = k(['explain', 'deployment.spec.template.spec.containers', '--output=plaintext-openapiv2']);
        assert.match(v2, /RESOURCE: containers <\[\]Object>/);
        assert.match(v2, /image\s+<string>/);
      });
    });
  }

  test('kubectl 1.33: a second apply that reads /openapi/v2 still merges containers by name', () => {
    const k = (args: string[], input?: string) => s.k(args, { binary: KUBECTL_133, ...(input === undefined ? {} : { input }) });
    assert.equal(k(['apply', '-f', '-'], deployment('v133', 'nginx:1.25')).trim(), 'deployment.apps/v133 created');
    k(['set', 'env', 'deploy/v133', '-c', 'side', 'EXTRA=kept']);
    const r = s.kubectl(['apply', '-f', '-', '-v=6'], { binary: KUBECTL_133, input: deployment('v133', 'nginx:1.26') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/v133 configured');
    assert.match(r.stderr, /url="https:\/\/[^"]+\/openapi\/v2\?timeout=32s" status="200 OK"/);
    assert.doesNotMatch(r.stderr, /error calculating patch/);
    assert.equal(containers(s, 'v133', KUBECTL_133), 'main=nginx:1.26 env=;side=busybox:1.36 env=EXTRA;');
  });

  test('/openapi/v2 by Accept: protobuf, JSON, else 406; /swagger-2.0.0.pb-v1 is protobuf', async () => {
    const pb = await s.request('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const etag = pb.headers['etag'] as string;
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const again = await s.request('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const legacy = await s.request('GET', '/swagger-2.0.0.pb-v1', { headers: { accept: 'application/json, */*' } });
    assert.equal(legacy.status, 200);
    assert.equal(legacy.headers['etag'], etag);
    const json = await s.request('GET', '/openapi/v2', { headers: { accept: 'application/json' } });
    assert.equal(json.status, 200);
    const doc = JSON.parse(json.body) as { swagger: string; definitions: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }> };
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.Deployment']?.['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.equal((await s.request('GET', '/openapi/v2', { headers: { accept: 'text/html' } })).status, 406);
  });
});
