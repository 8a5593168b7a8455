// Kubernetes protobuf (application/vnd.kubernetes.protobuf) against `strata server`: kubectl 1.33
// typed-client writes (create configmap|deployment|namespace, auth can-i/whoami, create token),
// objects stored the same as from a JSON client (kubectl 1.31), protobuf answers, lists, Status
// errors and watch frames for clients that list protobuf first, JSON for everyone else.

import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { decodeKubeProtobuf, decodeMessage, encodeKubeProtobuf } from '../../src/machinery/protobuf/index.ts';
import { KUBECTL_131, KUBECTL_133, startStrata, type StrataProcess } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const TYPED_ACCEPT = 'application/vnd.kubernetes.protobuf,application/json';

/** A request whose answer is kept as bytes. */
function rawRequest(proc: StrataProcess, method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Promise<{ status: number; type: string; body: Buffer }> {
  const { ca, cert, key } = proc.credentials();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proc.port, method, path, ca, cert, key, agent: false, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The object as `kubectl get -o json` shows it, without what differs between two creations. */
function comparable(json: string, name: string): string {
  const obj = JSON.parse(json) as { metadata: Record<string, unknown> };
  for (const k of ['name', 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation']) delete obj.metadata[k];
  return JSON.stringify(obj).replaceAll(`"${name}"`, '"NAME"');
}

describe('Kubernetes protobuf', { timeout: 180_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API and printing semantics on objects as written: no controller or scheduler may change them
  });
  after(async () => {
    await s?.cleanup();
  });

  test('kubectl 1.33 generators create what kubectl 1.31 (JSON) creates', () => {
    assert.match(s.k(['create', 'configmap', 'pb-cm', '--from-literal=a=b', '--from-literal=c=d'], { binary: KUBECTL_133 }), /configmap\/pb-cm created/);
    s.k(['create', 'configmap', 'js-cm', '--from-literal=a=b', '--from-literal=c=d'], { binary: KUBECTL_131 });
    assert.equal(comparable(s.k(['get', 'cm', 'pb-cm', '-o', 'json'], { binary: KUBECTL_133 }), 'pb-cm'), comparable(s.k(['get', 'cm', 'js-cm', '-o', 'json'], { binary: KUBECTL_133 }), 'js-cm'));

    for (const [binary, name] of [[KUBECTL_133, 'pb-deploy'], [KUBECTL_131, 'js-deploy']] as const) {
      s.k(['create', 'deployment', name, '--image=nginx:1.27', '--port=80', '--replicas=0'], { binary });
    }
    const pb = comparable(s.k(['get', 'deployment', 'pb-deploy', '-o', 'json']), 'pb-deploy');
    assert.equal(pb, comparable(s.k(['get', 'deployment', 'js-deploy', '-o', 'json']), 'js-deploy'));
    assert.equal(JSON.parse(s.k(['get', 'deployment', 'pb-deploy', '-o', 'json'])).spec.replicas, 0, 'a pointer set to zero survives the protobuf body');

    assert.match(s.k(['create', 'namespace', 'pb-ns'], { binary: KUBECTL_133 }), /namespace\/pb-ns created/);
    assert.equal(s.k(['get', 'ns', 'pb-ns', '-o', 'jsonpath={.status.phase}']), 'Active');
  });

  test('kubectl 1.33 prints a protobuf Status error like a JSON one', async () => {
    const again = s.kubectl(['create', 'configmap', 'pb-cm', '--from-literal=a=b'], { binary: KUBECTL_133 });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /configmaps "pb-cm" already exists/);
    const body = encodeKubeProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'pb-cm' } });
    const res = await rawRequest(s, 'POST', '/api/v1/namespaces/default/configmaps', { 'content-type': PROTOBUF, accept: TYPED_ACCEPT }, body);
    assert.equal(res.status, 409);
    assert.equal(res.type, PROTOBUF);
    const status = decodeKubeProtobuf(res.body).object;
    assert.equal(status['kind'], 'Status');
    assert.equal(status['reason'], 'AlreadyExists');
    assert.equal(status['code'], 409);
  });

  test('kubectl 1.33 auth can-i, auth whoami and create token (protobuf both ways)', () => {
    assert.equal(s.k(['auth', 'can-i', 'get', 'pods'], { binary: KUBECTL_133 }).trim(), 'yes');
    assert.match(s.k(['auth', 'can-i', '--list'], { binary: KUBECTL_133 }), /\*\.\*/);
    assert.match(s.k(['auth', 'whoami'], { binary: KUBECTL_133 }), /Username\s+\S+/);
    s.k(['create', 'serviceaccount', 'pb-robot'], { binary: KUBECTL_133 });
    const token = s.k(['create', 'token', 'pb-robot', '--duration=10m'], { binary: KUBECTL_133 }).trim();
    assert.equal(token.split('.').length, 3, 'a JWT');
  });

  test('kubectl 1.33 describe reads protobuf objects and lists', () => {
    const out = s.k(['describe', 'deployment', 'pb-deploy'], { binary: KUBECTL_133 });
    assert.match(out, /Name:\s+pb-deploy/);
    assert.match(out, /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
    assert.match(out, /Port:\s+80\/TCP/);
    assert.match(s.k(['describe', 'configmap', 'pb-cm'], { binary: KUBECTL_133 }), /a:\n----\nb/);
  });

  test('answers protobuf only to clients that list it first, and JSON for Tables', async () => {
    const path = '/api/v1/namespaces/default/configmaps/pb-cm';
    const json = JSON.parse((await rawRequest(s, 'GET', path, { accept: 'application/json' })).body.toString());
    const pb = await rawRequest(s, 'GET', path, { accept: TYPED_ACCEPT });
    assert.equal(pb.type, PROTOBUF);
    assert.deepEqual(decodeKubeProtobuf(pb.body).object, json);
    assert.equal((await rawRequest(s, 'GET', path, { accept: `application/json,${PROTOBUF}` })).type, 'application/json');
    const table = await rawRequest(s, 'GET', path, { accept: `${PROTOBUF};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io` });
    assert.equal(JSON.parse(table.body.toString()).kind, 'Table');

    const list = await rawRequest(s, 'GET', '/api/v1/namespaces/default/configmaps', { accept: TYPED_ACCEPT });
    assert.equal(list.type, PROTOBUF);
    const listJson = JSON.parse((await rawRequest(s, 'GET', '/api/v1/namespaces/default/configmaps', { accept: 'application/json' })).body.toString());
    // Items carry no apiVersion/kind in protobuf (upstream's JSON lists leave them out too).
    for (const item of listJson.items as Record<string, unknown>[]) {
      delete item['apiVersion'];
      delete item['kind'];
    }
    assert.deepEqual(decodeKubeProtobuf(list.body).object, listJson);
  });

  test('stores a protobuf body with binaryData, intstr and quantities as JSON clients see it', async () => {
    const pod = {
      kind: 'Pod', apiVersion: 'v1', metadata: { name: 'pb-pod', labels: { app: 'pb' } },
      spec: {
        containers: [{
          name: 'c', image: 'busybox', resources: { requests: { cpu: '250m', memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 'http' } }, ports: [{ name: 'http', containerPort: 8080 }],
        }],
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    const created = await rawRequest(s, 'POST', '/api/v1/namespaces/default/pods', { 'content-type': PROTOBUF, accept: 'application/json' }, encodeKubeProtobuf(pod));
    assert.equal(created.status, 201, created.body.toString());
    const got = JSON.parse(s.k(['get', 'pod', 'pb-pod', '-o', 'json']));
    assert.deepEqual(got.spec.containers[0].resources, { requests: { cpu: '250m', memory: '64Mi' } });
    assert.equal(got.spec.containers[0].readinessProbe.httpGet.port, 'http');
    assert.equal(got.spec.terminationGracePeriodSeconds, 0);
    assert.deepEqual(got.spec.volumes.find((v: { name: string }) => v.name === 'tmp'), { name: 'tmp', emptyDir: {} });

    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'pb-bin' }, binaryData: { blob: Buffer.from([0, 255, 7]).toString('base64') } };
    const res = await rawRequest(s, 'POST', '/api/v1/namespaces/default/configmaps', { 'content-type': PROTOBUF, accept: TYPED_ACCEPT }, encodeKubeProtobuf(cm));
    assert.equal(res.status, 201);
    assert.deepEqual(decodeKubeProtobuf(res.body).object['binaryData'], cm.binaryData);
    assert.equal(JSON.parse(s.k(['get', 'cm', 'pb-bin', '-o', 'json'])).binaryData.blob, 'AP8H');
  });

  test('decodes protobuf DeleteOptions (preconditions, grace period 0)', async () => {
    const path = '/api/v1/namespaces/default/configmaps/pb-bin';
    const stale = encodeKubeProtobuf({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: 'not-the-uid' } });
    const refused = await rawRequest(s, 'DELETE', path, { 'content-type': PROTOBUF, accept: TYPED_ACCEPT }, stale);
    assert.equal(refused.status, 409, 'the precondition in the protobuf body was read');
    assert.equal(decodeKubeProtobuf(refused.body).object['reason'], 'Conflict');
    const uid = JSON.parse(s.k(['get', 'cm', 'pb-bin', '-o', 'json'])).metadata.uid as string;
    const body = encodeKubeProtobuf({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } });
    const deleted = await rawRequest(s, 'DELETE', path, { 'content-type': PROTOBUF, accept: TYPED_ACCEPT }, body);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.type, PROTOBUF);
    assert.equal(decodeKubeProtobuf(deleted.body).object['status'], 'Success');
  });

  test('watches answer length-prefixed WatchEvent frames', async () => {
    const rv = JSON.parse(s.k(['get', 'cm', '-o', 'json'])).metadata.resourceVersion as string;
    const watch = rawRequest(s, 'GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=2`, { accept: TYPED_ACCEPT });
    await new Promise((r) => setTimeout(r, 300));
    s.k(['create', 'configmap', 'pb-watched', '--from-literal=k=v'], { binary: KUBECTL_133 });
    const res = await watch;
    assert.equal(res.type, `${PROTOBUF};stream=watch`);
    const events: { type: string; object: Record<string, any> }[] = [];
    for (let at = 0; at < res.body.length;) {
      const length = res.body.readUInt32BE(at);
      events.push(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', res.body.subarray(at + 4, at + 4 + length)) as (typeof events)[number]);
      at += 4 + length;
    }
    const added = events.find((e) => e.type === 'ADDED' && e.object['metadata'].name === 'pb-watched');
    assert.ok(added, JSON.stringify(events));
    assert.deepEqual(added.object['data'], { k: 'v' });
    assert.equal(added.object['kind'], 'ConfigMap');
  });
});
