import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { KubeObject } from '../types.ts';
import { POD_UPDATE_FORBIDDEN_MSG, validateCreate, validateUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const POD = { group: '', version: 'v1', kind: 'Pod' };

function pod(spec: Any, meta: Any = {}): KubeObject {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', ...meta }, spec } as KubeObject;
  applyDefaults(POD, p);
  return p;
}

const c = (extra: Any = {}): Any => ({ name: 'app', image: 'nginx:1.25', ...extra });
const create = (p: KubeObject) => validateCreate(POD, p);
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

describe('pod create', () => {
  it('accepts a defaulted pod', () => {
    const p = pod({
      containers: [
        c({
          ports: [{ containerPort: 80, name: 'http' }],
          env: [{ name: 'A', value: '1' }, { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          livenessProbe: { httpGet: { port: 'http' } },
          readinessProbe: { tcpSocket: { port: 80 } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
        }),
      ],
      initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
      volumes: [{ name: 'data' }, { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.conf' }] } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    });
    assert.deepEqual(create(p), []);
  });

  it('requires containers', () => {
    const errs = create(pod({ containers: [] }));
    assert.deepEqual(fields(errs), ['spec.containers']);
    assert.equal(errs[0]?.type, 'FieldValueRequired');
  });

  it('checks container names, images, ports and env with upstream paths', () => {
    const errs = create(
      pod({
        containers: [
          { name: 'Bad_Name', ports: [{ containerPort: 0 }, { containerPort: 70000, protocol: 'HTTP', name: 'way-too-long-port-name' }], env: [{ name: '' }, { name: 'A=B' }] },
        ],
      }),
    );
    assert.deepEqual(fields(errs), [
      'spec.containers[0].name',
      'spec.containers[0].image',
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].ports[1].name',
      'spec.containers[0].ports[1].containerPort',
      'spec.containers[0].ports[1].protocol',
      'spec.containers[0].env[0].name',
      'spec.containers[0].env[1].name',
    ]);
    assert.equal(errs[4]?.message, 'Invalid value: 70000: must be between 1 and 65535, inclusive');
    assert.equal(errs[5]?.message, 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
  });

  it('requires container names to be unique across regular and init containers', () => {
    const errs = create(pod({ containers: [c(), c()], initContainers: [c()] }));
    assert.deepEqual(fields(errs), ['spec.containers[1].name', 'spec.initContainers[0].name']);
    assert.equal(errs[0]?.type, 'FieldValueDuplicate');
  });

  it('requires volume mounts to name declared volumes and volume names to be unique', () => {
    const errs = create(pod({ containers: [c({ volumeMounts: [{ name: 'missing', mountPath: '/m' }] })], volumes: [{ name: 'v' }, { name: 'v' }] }));
    assert.deepEqual(fields(errs), ['spec.volumes[1].name', 'spec.containers[0].volumeMounts[0].name']);
    assert.equal(errs[1]?.message, 'Not found: "missing"');
  });

  it('allows exactly one source per volume', () => {
    const errs = create(pod({ containers: [c()], volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }, { name: 's', secret: {} }] }));
    assert.deepEqual(fields(errs), ['spec.volumes[0].hostPath', 'spec.volumes[1].secret.secretName']);
  });

  it('validates resource quantities and requests against limits', () => {
    const errs = create(
      pod({
        containers: [
          c({ resources: { limits: { cpu: '500m', memory: 'lots' }, requests: { cpu: '2' } } }),
          c({ name: 'b', resources: { requests: { 'example.com/gpu': '1', bogus: '1' } } }),
        ],
      }),
    );
    // Pod defaulting copies the bad memory limit into requests, so it is reported twice.
    assert.deepEqual(fields(errs), [
      'spec.containers[0].resources.limits[memory]',
      'spec.containers[0].resources.requests[memory]',
      'spec.containers[0].resources.requests',
      'spec.containers[1].resources.requests[bogus]',
      'spec.containers[1].resources.requests[bogus]',
      'spec.containers[1].resources.limits',
    ]);
    assert.match(errs[0]?.message ?? '', /^Invalid value: "lots": quantities must match the regular expression/);
    assert.equal(errs[2]?.message, 'Invalid value: "2": must be less than or equal to cpu limit of 500m');
    assert.equal(errs[3]?.message, 'Invalid value: "bogus": must be a standard resource type or fully qualified');
    assert.equal(errs[4]?.message, 'Invalid value: "bogus": must be a standard resource for containers');
  });

  it('checks restart and DNS policies', () => {
    const errs = create(pod({ containers: [c()], restartPolicy: 'Sometimes', dnsPolicy: 'Nope' }));
    assert.deepEqual(fields(errs), ['spec.restartPolicy', 'spec.dnsPolicy']);
    assert.equal(errs[0]?.message, 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  });

  it('checks probes', () => {
    const errs = create(pod({ containers: [c({ livenessProbe: { successThreshold: 2 }, readinessProbe: { exec: { command: [] }, terminationGracePeriodSeconds: 5 } })] }));
    assert.deepEqual(fields(errs), [
      'spec.containers[0].livenessProbe',
      'spec.containers[0].livenessProbe.successThreshold',
      'spec.containers[0].readinessProbe.exec.command',
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds',
    ]);
    assert.match(errs[0]?.message ?? '', /must specify a handler type/);
  });

  it('forbids probes on plain init containers', () => {
    const errs = create(pod({ containers: [c()], initContainers: [{ name: 'i', image: 'x', readinessProbe: { exec: { command: ['x'] } } }] }));
    assert.deepEqual(fields(errs), ['spec.initContainers[0].readinessProbe']);
  });

  it('validates metadata and create-only rules', () => {
    const errs = create(pod({ containers: [c()], ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }, { name: 'Web' }));
    assert.deepEqual(fields(errs), ['metadata.name', 'spec.ephemeralContainers']);
  });

  it('rejects duplicate host ports', () => {
    const errs = create(pod({ containers: [c({ ports: [{ containerPort: 80, hostPort: 8080 }] }), c({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })] }));
    assert.deepEqual(fields(errs), ['spec.containers[1].ports[0].hostPort']);
    assert.equal(errs[0]?.message, 'Duplicate value: "TCP//8080"');
  });
});

describe('pod update', () => {
  const base = () => pod({ containers: [c({ ports: [{ containerPort: 80 }] })], tolerations: [{ key: 'a', operator: 'Exists' }], activeDeadlineSeconds: 100 });
  const update = (change: (p: Any) => void) => {
    const old = base();
    const next = structuredClone(old) as Any;
    change(next);
    applyDefaults(POD, next as KubeObject);
    return validateUpdate(POD, next as KubeObject, old);
  };

  it('allows image, tolerations (added), and a shorter deadline', () => {
    const errs = update((p) => {
      p['spec'].containers[0].image = 'nginx:1.26';
      p['spec'].tolerations.push({ key: 'b', operator: 'Exists' });
      p['spec'].activeDeadlineSeconds = 50;
      p['metadata'].labels = { tier: 'web' };
    });
    assert.deepEqual(errs, []);
  });

  it('forbids other spec changes with the upstream message', () => {
    const errs = update((p) => (p['spec'].containers[0].ports[0].containerPort = 81));
    assert.deepEqual(fields(errs), ['spec']);
    assert.equal(errs[0]?.type, 'FieldValueForbidden');
    assert.equal(errs[0]?.message, `Forbidden: ${POD_UPDATE_FORBIDDEN_MSG}`);
    assert.match(POD_UPDATE_FORBIDDEN_MSG, /^pod updates may not change fields other than `spec.containers\[\*\].image`,/);
  });

  it('forbids adding containers, changing tolerations and raising the deadline', () => {
    assert.deepEqual(fields(update((p) => p['spec'].containers.push(c({ name: 'b' })))), ['spec.containers']);
    assert.deepEqual(fields(update((p) => (p['spec'].tolerations[0].key = 'z'))), ['spec.tolerations']);
    assert.deepEqual(fields(update((p) => (p['spec'].activeDeadlineSeconds = 200))), ['spec.activeDeadlineSeconds']);
  });
});
