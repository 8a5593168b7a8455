// CustomResourceDefinitions end to end with real kubectl 1.27, 1.31 and 1.33 against one
// `strata server`: a CRD with printer columns, a CEL rule, defaults, status and scale
// subresources, a short name and a category; custom objects applied, listed (columns right),
// selected by label, merge-patched, scaled, their status written through --subresource=status,
// an invalid object rejected with the CEL message and not stored, server-side apply with a
// conflict between two managers then forced, `explain`; then the CRD deleted
// and its objects and discovery gone.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KUBECTL_127, KUBECTL_131, KUBECTL_133, parseTable, requestJson, startStrata, writeTemp } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

function crdYaml(group: string, category: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wg]
    categories: [${category}]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a test kind.
        properties:
          spec:
            type: object
            description: WidgetSpec is what the widget should be.
            x-kubernetes-validations:
            - rule: self.replicas <= self.maxReplicas
              message: replicas must not exceed maxReplicas
            properties:
              replicas: {type: integer, default: 1, description: How many widgets.}
              maxReplicas: {type: integer, default: 5}
              color: {type: string, enum: [red, blue, green], description: The colour of the widget.}
          status:
            type: object
            properties:
              replicas: {type: integer}
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: {type: string}
                    status: {type: string}
`;
}

const WIDGETS = `apiVersion: VERSION
kind: Widget
metadata:
  name: w1
  labels: {tier: front}
spec:
  color: red
  replicas: 2
---
apiVersion: VERSION
kind: Widget
metadata:
  name: w2
  labels: {tier: back}
spec:
  color: green
`;

const CLIENTS = [
  { name: '1.27', binary: KUBECTL_127 },
  { name: '1.31', binary: KUBECTL_131 },
  { name: '1.33', binary: KUBECTL_133 },
];

describe('CustomResourceDefinitions with kubectl', { timeout: 300_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  for (const client of CLIENTS) {
    test(`kubectl ${client.name}: a CRD and its custom objects, end to end`, async () => {
      const group = `v${client.name.replace('.', '')}.example.com`;
      const category = `strata-${client.name.replace('.', '')}`;
      const apiVersion = `${group}/v1`;
      const resource = `widgets.${group}`;
      const k = (args: string[]): string => s.k(args, { binary: client.binary });
      const kFails = (args: string[]): string => {
        const r = s.kubectl(args, { binary: client.binary });
        assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.stdout}`);
        return r.stderr;
      };

      k(['apply', '-f', writeTemp(s.dataDir, `crd-${group}.yaml`, crdYaml(group, category))]);
      k(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=20s']);
      const crd = JSON.parse(k(['get', 'crd', `widgets.${group}`, '-o', 'json']));
      assert.equal(crd.status.acceptedNames.kind, 'Widget');
      assert.deepEqual(crd.status.storedVersions, ['v1']);
      assert.equal(crd.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted')?.status, 'True');

      k(['apply', '-f', writeTemp(s.dataDir, `widgets-${group}.yaml`, WIDGETS.replaceAll('VERSION', apiVersion))]);
      // A column whose path finds nothing is a null cell, which kubectl prints empty.
      let rows = parseTable(k(['get', resource]));
      assert.deepEqual(rows.map((r) => [r['NAME'], r['REPLICAS'], r['COLOR'], r['READY']]), [['w1', '2', 'red', ''], ['w2', '1', 'green', '']]);
      assert.match(rows[0]?.['AGE'] ?? '', /^\d+s$/);
      // Defaults were applied and stored.
      assert.equal(k(['get', resource, 'w2', '-o', 'jsonpath={.spec.maxReplicas}']), '5');

      // Short name, category, label selector.
      assert.deepEqual(parseTable(k(['get', 'wg', '-l', 'tier=back'])).map((r) => r['NAME']), ['w2']);
      assert.deepEqual(parseTable(k(['get', category])).map((r) => r['NAME']), ['w1', 'w2']);

      // Merge patch; the default strategic merge patch is refused for custom kinds (415).
      k(['patch', resource, 'w1', '--type=merge', '-p', '{"spec":{"color":"blue"}}']);
      assert.equal(k(['get', resource, 'w1', '-o', 'jsonpath={.spec.color}']), 'blue');
      assert.match(kFails(['patch', resource, 'w1', '-p', '{"spec":{"color":"green"}}']), /strategic-merge-patch\+json is not supported/);

      // Invalid writes are rejected with the CEL rule's message (and leave nothing behind).
      assert.match(kFails(['patch', resource, 'w1', '--type=merge', '-p', '{"spec":{"replicas":9}}']), /replicas must not exceed maxReplicas/);
      const bad = writeTemp(s.dataDir, `bad-${group}.yaml`, `apiVersion: ${apiVersion}\nkind: Widget\nmetadata: {name: bad}\nspec: {replicas: 7, maxReplicas: 3}\n`);
      assert.match(kFails(['apply', '-f', bad]), /spec: Invalid value: "object": replicas must not exceed maxReplicas/);
      assert.match(kFails(['get', resource, 'bad']), /NotFound/);
      assert.match(kFails(['patch', resource, 'w1', '--type=merge', '-p', '{"spec":{"color":"pink"}}']), /Unsupported value: "pink"/);

      // Scale and status subresources.
      k(['scale', resource, 'w1', '--replicas=3']);
      assert.equal(k(['get', resource, 'w1', '-o', 'jsonpath={.spec.replicas}']), '3');
      k(['patch', resource, 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"conditions":[{"type":"Ready","status":"True"}]}}']);
      rows = parseTable(k(['get', resource, 'w1']));
      assert.equal(rows[0]?.['READY'], 'True');
      assert.equal(rows[0]?.['REPLICAS'], '3');
      // A main-resource write cannot change status.
      k(['patch', resource, 'w1', '--type=merge', '-p', '{"status":{"replicas":0}}']);
      assert.equal(k(['get', resource, 'w1', '-o', 'jsonpath={.status.replicas}']), '3');

      // Server-side apply of a custom object: created, owned by its manager, a conflicting
      // manager is refused with the field named, then forced; the CEL rule still applies.
      const applied = (replicas: number): string =>
        writeTemp(s.dataDir, `ssa-${group}-${replicas}.yaml`, `apiVersion: ${apiVersion}\nkind: Widget\nmetadata: {name: w3}\nspec: {color: red, replicas: ${replicas}}\n`);
      assert.match(k(['apply', '--server-side', '-f', applied(1)]), /widget\.[^ ]+\/w3 serverside-applied/);
      const managers = JSON.parse(k(['get', resource, 'w3', '-o', 'json', '--show-managed-fields'])).metadata.managedFields as { manager: string; operation: string }[];
      assert.ok(managers.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'), JSON.stringify(managers));
      const conflict = s.kubectl(['apply', '--server-side', '--field-manager=other', '-f', applied(2)], { binary: client.binary });
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict with "kubectl"/);
      assert.match(conflict.stderr, /\.spec\.replicas/);
      k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', applied(2)]);
      assert.equal(k(['get', resource, 'w3', '-o', 'jsonpath={.spec.replicas}']), '2');
      assert.match(kFails(['apply', '--server-side', '--force-conflicts', '-f', applied(9)]), /replicas must not exceed maxReplicas/);

      // explain reads the CRD's schema from OpenAPI (v3, or v2 for 1.27).
      const explained = k(['explain', `${resource}.spec`]);
      assert.match(explained, /WidgetSpec is what the widget should be/);
      assert.match(explained, /color\s+<string>/);

      // Deleting the CRD deletes its objects, then the kind stops being served.
      k(['delete', 'crd', `widgets.${group}`, '--timeout=30s']);
      const gone = await requestJson(s, 'GET', `/apis/${group}/v1/namespaces/default/widgets/w1`);
      assert.equal(gone.status, 404);
      const discovery = await requestJson(s, 'GET', `/apis/${group}/v1`);
      assert.equal(discovery.status, 404);
      assert.match(kFails(['get', resource]), /doesn't have a resource type/);
    });
  }

  test('re-creating a deleted CRD starts empty', async () => {
    const group = 'again.example.com';
    const yaml = writeTemp(s.dataDir, 'again.yaml', crdYaml(group, 'strata-again'));
    for (let round = 0; round < 2; round++) {
      s.k(['apply', '-f', yaml]);
      s.k(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=20s']);
      const list = await requestJson(s, 'GET', `/apis/${group}/v1/widgets`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.items, []);
      s.k(['apply', '-f', writeTemp(s.dataDir, 'again-w.yaml', WIDGETS.replaceAll('VERSION', `${group}/v1`))]);
      s.k(['delete', 'crd', `widgets.${group}`, '--timeout=30s']);
    }
  });
});
