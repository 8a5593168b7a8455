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

    test('create -f with validation on needs /openapi/v2, which this server does not serve', () => {
      // kubectl 1.27 validates client-side against the protobuf /openapi/v2 document only (it
      // never reads v3 for validation, and so never sends fieldValidation=Strict). The server
      // serves openapi v3 and answers /openapi/v2 (and /swagger-2.0.0.pb-v1) with 404 on purpose:
      // a JSON v2 would break newer clients, and protobuf v2 is not generated. So 1.27 fails with
      // the NotFound of that download before sending anything. That is why the 1.27 writes below
      // use --validate=false (= fieldValidation=Ignore); 1.29+ validate through openapi v3.
      const r = run(['create', '-f', '-'], deployment('v127', 'nginx:1.25'));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error from server \(NotFound\): the server could not find the requested resource/);
      assert.equal(run(['get', 'deploy', 'v127']).code, 1, 'nothing was created');
    });

    test('apply --validate=false: created, unchanged, configured', () => {
      assert.equal(k(['apply', '--validate=false', '-f', '-'], deployment('v127', 'nginx:1.25')).trim(), 'deployment.apps/v127 created');
      assert.equal(k(['apply', '--validate=false', '-f', '-'], deployment('v127', 'nginx:1.25')).trim(), 'deployment.apps/v127 unchanged');
      assert.equal(k(['apply', '--validate=false', '-f', '-'], deployment('v127', 'nginx:1.27')).trim(), 'deployment.apps/v127 configured');
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
