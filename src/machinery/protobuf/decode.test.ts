import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufWriter } from '../protobuf-writer.ts';
import { decodeEnvelope, decodeKubeProtobuf, decodeMessage } from './decode.ts';
import { envelope } from './encode.ts';
import { ProtobufError } from './well-known.ts';

/** Request bodies kubectl 1.33.1 sent (captured through a logging proxy). */
const KUBECTL_133 = {
  // kubectl create configmap x --from-literal=a=b
  configmap: '6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017812001a0022002a0032003800420012060a01611201621a002200',
  // kubectl create deployment d --image=nginx --replicas=0
  deployment:
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412a3010a1b0a016412001a0022002a003200380042005a080a0361707012016412760800120a0a080a036170701201641a5e0a1a0a0012001a0022002a003200380042005a080a03617070120164124012220a056e67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // kubectl create deployment d2 --image=nginx --port=80
  deploymentWithPort:
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b4010a1d0a02643212001a0022002a003200380042005a090a03617070120264321284010801120b0a090a03617070120264321a6b0a1b0a0012001a0022002a003200380042005a090a0361707012026432124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // kubectl create namespace n
  namespace: '6b3873000a0f0a02763112094e616d65737061636512190a110a016e12001a0022002a0032003800420012001a020a001a002200',
  // kubectl create secret generic s --from-literal=a=b
  secret: '6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01611201621a001a002200',
  // kubectl auth can-i get pods
  selfSubjectAccessReview:
    '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200',
  // kubectl auth can-i --list
  selfSubjectRulesReview:
    '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200',
  // kubectl auth whoami
  selfSubjectReview:
    '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
  // kubectl create token default
  tokenRequest:
    '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121a0a100a0012001a0022002a0032003800420012001a040a0012001a002200',
};

function decodeHex(hex: string): Record<string, unknown> {
  return decodeKubeProtobuf(Buffer.from(hex, 'hex')).object;
}

describe('decodeKubeProtobuf on kubectl 1.33 request bodies', () => {
  it('decodes create configmap into the JSON a JSON client sends', () => {
    assert.deepEqual(decodeHex(KUBECTL_133.configmap), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null }, data: { a: 'b' } });
  });

  it('decodes create deployment, keeping replicas: 0 and the struct fields Go always writes', () => {
    assert.deepEqual(decodeHex(KUBECTL_133.deployment), {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'd', creationTimestamp: null, labels: { app: 'd' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'd' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    const withPort = decodeHex(KUBECTL_133.deploymentWithPort) as { spec: { replicas: number; template: { spec: { containers: { ports: unknown }[] } } } };
    assert.equal(withPort.spec.replicas, 1);
    assert.deepEqual(withPort.spec.template.spec.containers[0]!.ports, [{ containerPort: 80 }], 'hostPort 0 and protocol "" are dropped as omitempty');
  });

  it('decodes create namespace and create secret (bytes as base64)', () => {
    assert.deepEqual(decodeHex(KUBECTL_133.namespace), { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', creationTimestamp: null }, spec: {}, status: {} });
    assert.deepEqual(decodeHex(KUBECTL_133.secret), { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { a: Buffer.from('b').toString('base64') } });
  });

  it('decodes the auth reviews and the token request', () => {
    assert.deepEqual(decodeHex(KUBECTL_133.selfSubjectAccessReview), {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    });
    assert.deepEqual(decodeHex(KUBECTL_133.selfSubjectRulesReview), {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'default' },
      status: { incomplete: false },
    });
    assert.deepEqual(decodeHex(KUBECTL_133.selfSubjectReview), {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: {} },
    });
    assert.deepEqual(decodeHex(KUBECTL_133.tokenRequest), {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: {}, status: { expirationTimestamp: null },
    });
  });

  it('reads the envelope parts', () => {
    const env = decodeEnvelope(Buffer.from(KUBECTL_133.configmap, 'hex'));
    assert.equal(env.apiVersion, 'v1');
    assert.equal(env.kind, 'ConfigMap');
    assert.equal(env.contentEncoding, '');
    assert.equal(env.raw.length, 0x1b);
  });
});

describe('decodeMessage on hand-made bytes', () => {
  const POD = 'k8s.io.api.core.v1.Pod';

  it('decodes scalars, negative and large integers, and skips unknown fields', () => {
    const w = new ProtobufWriter();
    w.message(1, (m) => m.string(1, 'p').varint(7, 2 ** 40).varint(10, 0));
    w.message(2, (spec) => {
      spec.varint(4, 30); // terminationGracePeriodSeconds
      spec.varint(5, -1); // activeDeadlineSeconds, a ten-byte varint
      spec.string(999, 'ignored');
      spec.bool(11, true); // hostNetwork
      spec.bool(12, false); // hostPID: a non-pointer false is dropped
      spec.message(14, (sc) => sc.varint(2, 0)); // securityContext.runAsUser: 0 means root and stays
    });
    assert.deepEqual(decodeMessage(POD, w.finish()), {
      metadata: { name: 'p', generation: 2 ** 40, deletionGracePeriodSeconds: 0 },
      spec: { terminationGracePeriodSeconds: 30, activeDeadlineSeconds: -1, hostNetwork: true, securityContext: { runAsUser: 0 } },
    });
  });

  it('accepts packed repeated scalars', () => {
    // PodSecurityContext.supplementalGroups (field 4, repeated int64), packed.
    const inner = new ProtobufWriter();
    inner.bytes(4, Uint8Array.of(1, 2, 0x80, 0x01));
    inner.varint(4, 5);
    assert.deepEqual(decodeMessage('k8s.io.api.core.v1.PodSecurityContext', inner.finish()), { supplementalGroups: [1, 2, 128, 5] });
  });

  it('decodes IntOrString, Quantity, Time, MicroTime and inline embedded structs', () => {
    const w = new ProtobufWriter();
    // Container: resources.limits {cpu: 500m}, livenessProbe.handler.httpGet.port = "http", ports[0].containerPort
    w.string(1, 'c');
    w.message(8, (res) => res.message(1, (e) => e.string(1, 'cpu').message(2, (q) => q.string(1, '500m'))));
    w.message(10, (probe) => probe.message(1, (h) => h.message(2, (get) => get.message(2, (p) => p.varint(1, 1).varint(2, 0).string(3, 'http')))).varint(2, 0));
    assert.deepEqual(decodeMessage('k8s.io.api.core.v1.Container', w.finish()), {
      name: 'c',
      resources: { limits: { cpu: '500m' } },
      livenessProbe: { httpGet: { port: 'http' } },
    });
    const lease = new ProtobufWriter();
    lease.string(1, 'holder').message(3, (t) => t.varint(1, 1_700_000_000).varint(2, 123_456_789)).varint(5, 0);
    assert.deepEqual(decodeMessage('k8s.io.api.coordination.v1.LeaseSpec', lease.finish()), {
      holderIdentity: 'holder', acquireTime: '2023-11-14T22:13:20.123456Z', leaseTransitions: 0,
    });
    const meta = new ProtobufWriter().message(8, (t) => t.varint(1, 1_700_000_000).varint(2, 0));
    assert.deepEqual(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', meta.finish()), { creationTimestamp: '2023-11-14T22:13:20Z' });
    // A volume: name plus the inline VolumeSource carrying emptyDir {}.
    const vol = new ProtobufWriter().string(1, 'v').message(2, (src) => src.bytes(2, new Uint8Array(0)));
    assert.deepEqual(decodeMessage('k8s.io.api.core.v1.Volume', vol.finish()), { name: 'v', emptyDir: {} });
  });

  it('decodes an embedded protobuf object in a RawExtension and JSON in FieldsV1', () => {
    const cm = envelope('v1', 'ConfigMap', new ProtobufWriter().message(1, (m) => m.string(1, 'inner')).finish());
    const event = new ProtobufWriter().string(1, 'ADDED').message(2, (raw) => raw.bytes(1, cm));
    assert.deepEqual(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', event.finish()), {
      type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'inner' } },
    });
    const entry = new ProtobufWriter().string(1, 'kubectl').message(7, (f) => f.bytes(1, Buffer.from('{"f:data":{}}')));
    assert.deepEqual(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', entry.finish()), { manager: 'kubectl', fieldsV1: { 'f:data': {} } });
  });

  it('keeps "__proto__" map keys as own properties and bounds nesting through RawExtensions', () => {
    const cm = new ProtobufWriter().message(2, (e) => e.string(1, '__proto__').string(2, 'x'));
    const data = decodeMessage('k8s.io.api.core.v1.ConfigMap', cm.finish())['data'] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__']);
    // v1 List items are RawExtensions: nest envelopes deeper than the bound.
    let inner = envelope('v1', 'List', new Uint8Array(0));
    for (let i = 0; i < 200; i++) {
      const raw = inner;
      inner = envelope('v1', 'List', new ProtobufWriter().message(2, (item) => item.bytes(1, raw)).finish());
    }
    assert.throws(() => decodeKubeProtobuf(inner), /nested more than/);
  });

  it('rejects malformed input', () => {
    const bad = (bytes: Uint8Array | number[]): void => {
      assert.throws(() => decodeKubeProtobuf(Uint8Array.from(bytes)), ProtobufError);
    };
    bad([0x7b, 0x7d]); // JSON, no prefix
    bad([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x00]); // no kind
    bad([...envelope('stable.example.com/v1', 'CronTab', new Uint8Array(0))]); // no message for a custom kind
    bad([...envelope('v1', 'ConfigMap', Uint8Array.of(0x0a, 0x05, 0x0a))]); // truncated
    bad([...envelope('v1', 'ConfigMap', Uint8Array.of(0x08, 0x01))]); // metadata with wire type varint
    bad([...envelope('v1', 'ConfigMap', Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0xff))]); // invalid UTF-8 in a string
  });
});
