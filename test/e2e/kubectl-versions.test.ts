// Older and newer kubectl builds run directly (not through the dispatcher) against
// `strata server`: 1.27 (v2beta1 discovery, openapi v2 validation), 1.31 (JSON bodies for
// generator commands such as `create configmap`) and 1.33.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KUBECTL_127, KUBECTL_131, KUBECTL_133, parseTable, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: main, image: ${image}}]}
`;

describe('kubectl client versions', { timeout: 150_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  describe('kubectl 1.33', () => {
    const k = (args: string[], input?: string) => s.k(args, { binary: KUBECTL_133, ...(input === undefined ? {} : { input }) });

    test('version, apply (created, unchanged, configured) and get', () => {
      const v = JSON.parse(k(['version', '-o', 'json'])) as { clientVersion: { minor: string } };
      assert.equal(v.clientVersion.minor, '33');
      assert.equal(k(['apply', '-f', '-'], deployment('v133', 'nginx:1.25')).trim(), 'deployment.apps/v133 created');
      assert.equal(k(['apply', '-f', '-'], deployment('v133', 'nginx:1.25')).trim(), 'deployment.apps/v133 unchanged');
      assert.equal(k(['apply', '-f', '-'], deployment('v133', 'nginx:1.26')).trim(), 'deployment.apps/v133 configured');
      const row = parseTable(k(['get', 'deploy', 'v133', '-o', 'wide']))[0]!;
      assert.equal(row['IMAGES'], 'nginx:1.26');
      assert.equal(row['READY'], '0/1');
    });

    test('scale', () => {
      assert.match(k(['scale', 'deploy', 'v133', '--replicas=3']), /deployment\.apps\/v133 scaled/);
      assert.equal(k(['get', 'deploy', 'v133', '-o', 'jsonpath={.spec.replicas}']), '3');
    });
  });

  describe('kubectl 1.31', () => {
    test('create configmap (generator command, JSON body) and get it', () => {
      assert.match(s.k(['create', 'configmap', 'gen', '--from-literal=a=1', '--from-literal=b=2'], { binary: KUBECTL_131 }), /configmap\/gen created/);
      const cm = JSON.parse(s.k(['get', 'cm', 'gen', '-o', 'json'], { binary: KUBECTL_131 })) as { data: Record<string, string> };
      assert.deepEqual(cm.data, { a: '1', b: '2' });
      const dup = s.kubectl(['create', 'configmap', 'gen', '--from-literal=a=1'], { binary: KUBECTL_131 });
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /failed to create configmap: configmaps "gen" already exists/);
    });
  });

  describe('kubectl 1.27', () => {
    const run = (args: string[], input?: string) => s.kubectl(args, { binary: KUBECTL_127, ...(input === undefined ? {} : { input }) });
    const k = (args: string[], input?: string) => s.k(args, { binary: KUBECTL_127, ...(input === undefined ? {} : { input }) });

    test('discovery (v2beta1 aggregated) and get work', () => {
      const resources = parseTable(k(['api-resources']));
      assert.equal(resources.find((r) => r['NAME'] === 'deployments')?.['SHORTNAMES'], 'deploy');
      const row = parseTable(k(['get', 'deploy']))[0]!;
      assert.equal(row['NAME'], 'v133');
      assert.equal(row['READY'], '0/3');
      assert.equal(k(['get', 'deploy', 'v133', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.26');
    });

    test('create -f with validation on: fails without a protobuf /openapi/v2, works with one', async () => {
      // kubectl 1.27 validates client-side against the protobuf /openapi/v2 document only (it
      // never reads v3 for validation, and so never sends fieldValidation=Strict). A server that
      // answers /openapi/v2 (and /swagger-2.0.0.pb-v1) with 404 makes 1.27 fail with the NotFound
      // of that download before it sends anything; a JSON v2 would break it too. So without a
      // protobuf v2 the 1.27 writes below need --validate=false (= fieldValidation=Ignore), while
      // 1.29+ validate through openapi v3. Which case applies depends on what this server serves,
      // asserted first.
      const v2 = await s.request('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
      const r = run(['create', '-f', '-'], deployment('v127v', 'nginx:1.25'));
      if (v2.status === 404) {
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Error from server \(NotFound\): the server could not find the requested resource/);
        assert.equal(run(['get', 'deploy', 'v127v']).code, 1, 'nothing was created');
      } else {
        assert.equal(v2.status, 200);
        assert.match(String(v2.headers['content-type']), /protobuf/);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /deployment\.apps\/v127v created/);
        // With v2 to read, 1.27 either validates client-side or (when the v2 PATCH operation
        // lists fieldValidation) sends fieldValidation=Strict; either way the unknown field is refused.
        const bad = run(['create', '-f', '-'], deployment('v127x', 'nginx:1.25').replace('replicas: 1', 'replicas: 1\n  bogus: 1'));
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /unknown field "(spec\.)?bogus"|ValidationError/);
        assert.equal(run(['get', 'deploy', 'v127x']).code, 1);
        k(['delete', 'deploy', 'v127v']);
      }
    });

    test('apply: created, unchanged, configured (--validate=false only without /openapi/v2)', async () => {
      const v2 = await s.request('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
      // See above: 1.27 can validate only against a protobuf /openapi/v2.
      const validate = v2.status === 404 ? ['--validate=false'] : [];
      assert.equal(k(['apply', ...validate, '-f', '-'], deployment('v127', 'nginx:1.25')).trim(), 'deployment.apps/v127 created');
      assert.equal(k(['apply', ...validate, '-f', '-'], deployment('v127', 'nginx:1.25')).trim(), 'deployment.apps/v127 unchanged');
      assert.equal(k(['apply', ...validate, '-f', '-'], deployment('v127', 'nginx:1.27')).trim(), 'deployment.apps/v127 configured');
      assert.equal(k(['get', 'deploy', 'v127', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
    });

    test('scale, label and patch need no openapi', () => {
      assert.match(k(['scale', 'deploy', 'v127', '--replicas=2']), /deployment\.apps\/v127 scaled/);
      assert.equal(k(['get', 'deploy', 'v127', '-o', 'jsonpath={.spec.replicas}']), '2');
      k(['label', 'deploy', 'v127', 'old=client']);
      k(['patch', 'deploy', 'v127', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.28"}]}}}}']);
      assert.equal(k(['get', 'deploy', '-l', 'old=client', '-o', 'jsonpath={.items[0].spec.template.spec.containers[0].image}']), 'nginx:1.28');
      assert.match(k(['delete', 'deploy', 'v127']), /deployment\.apps "v127" deleted/);
    });
  });
});
