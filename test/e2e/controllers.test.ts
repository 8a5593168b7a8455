// The controller manager inside `strata server`, driven by real kubectl: deleting a namespace with
// a ConfigMap, a Deployment and a custom object in it completes (kubectl waits for the namespace to
// go, the namespace controller empties and finalizes it), a new namespace gets its `default`
// ServiceAccount and kube-root-ca.crt, `kubectl create token default` works with kubectl 1.33, and
// `--disable-controllers` turns all of it off.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, KUBECTL_133, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: sprockets.e2e.example.com
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: sprockets, singular: sprocket, kind: Sprocket}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

describe('controllers in strata server', { timeout: 120_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  test('kubectl delete ns completes and takes the namespace content with it', async () => {
    s.k(['apply', '-f', '-'], { input: CRD });
    s.k(['wait', '--for=condition=Established', 'crd/sprockets.e2e.example.com', '--timeout=30s']);
    s.k(['create', 'ns', 'x']);
    s.k(['create', 'configmap', 'cm1', '-n', 'x', '--from-literal=a=b']);
    s.k(['create', 'deployment', 'web', '-n', 'x', '--image=nginx']);
    await eventually('sprockets to be served', () => s.kubectl(['get', 'sprockets', '-n', 'x']).code === 0);
    s.k(['apply', '-n', 'x', '-f', '-'], { input: 'apiVersion: e2e.example.com/v1\nkind: Sprocket\nmetadata: {name: s1}\nspec: {teeth: 12}\n' });

    const del = s.kubectl(['delete', 'ns', 'x', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /namespace "x" deleted/);
    const ns = s.kubectl(['get', 'ns', 'x']);
    assert.notEqual(ns.code, 0, 'the namespace is gone once delete returns');
    assert.match(ns.stderr, /namespaces "x" not found/);
    for (const kind of ['configmaps', 'deployments.apps', 'sprockets.e2e.example.com']) {
      assert.equal(s.k(['get', kind, '-A', '--field-selector=metadata.namespace=x', '-o', 'name']).trim(), '', `no ${kind} left in x`);
    }
  });

  test('a new namespace gets its default ServiceAccount and kube-root-ca.crt; create token default works with kubectl 1.33', async () => {
    s.k(['create', 'ns', 'y'], { binary: KUBECTL_133 });
    await eventually('the default ServiceAccount', () => s.kubectl(['get', 'serviceaccount', 'default', '-n', 'y']).code === 0);
    await eventually('kube-root-ca.crt', () => s.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'y']).code === 0);
    const ca = s.k(['get', 'configmap', 'kube-root-ca.crt', '-n', 'y', '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    const token = s.k(['create', 'token', 'default', '-n', 'y'], { binary: KUBECTL_133 }).trim();
    assert.equal(token.split('.').length, 3, 'a JWT');
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
    assert.equal(claims.sub, 'system:serviceaccount:y:default');
  });
});

describe('strata server --disable-controllers', { timeout: 60_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers']);
  });
  after(async () => {
    await s?.cleanup();
  });

  test('leaves new namespaces without a default ServiceAccount and takes no Lease', async () => {
    s.k(['create', 'ns', 'quiet']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(s.k(['get', 'serviceaccounts,configmaps', '-n', 'quiet', '-o', 'name']).trim(), '');
    assert.notEqual(s.kubectl(['get', 'lease', 'strata-controller-manager', '-n', 'kube-system']).code, 0);
  });
});
