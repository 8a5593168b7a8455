import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareJobSelector } from '../defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function gvkOf(o: Any): GroupVersionKind {
  const [group, version] = String(o['apiVersion']).includes('/') ? String(o['apiVersion']).split('/') : ['', o['apiVersion']];
  return { group: group ?? '', version: version ?? '', kind: o['kind'] };
}

function make(apiVersion: string, kind: string, spec: Any, meta: Any = {}): KubeObject {
  const o = { apiVersion, kind, metadata: { name: 'web', namespace: 'default', ...meta }, spec } as KubeObject;
  applyDefaults(gvkOf(o), o);
  return o;
}

const create = (o: KubeObject) => validateCreate(gvkOf(o), o);
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

function update(old: KubeObject, change: (o: Any) => void) {
  const next = structuredClone(old) as Any;
  change(next);
  applyDefaults(gvkOf(next), next as KubeObject);
  return validateUpdate(gvkOf(next), next as KubeObject, old);
}

const template = (labels: Any = { app: 'web' }, spec: Any = {}): Any => ({ metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } });
const deployment = (spec: Any = {}) => make('apps/v1', 'Deployment', { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec });

describe('Deployment', () => {
  it('accepts a defaulted deployment', () => assert.deepEqual(create(deployment()), []));

  it('requires a selector that matches the template labels', () => {
    assert.deepEqual(fields(create(deployment({ selector: undefined }))), ['spec.selector']);
    const errs = create(deployment({ selector: { matchLabels: { app: 'api' } } }));
    assert.deepEqual(fields(errs), ['spec.template.metadata.labels']);
    assert.equal(errs[0]?.message, 'Invalid value: {"app":"web"}: `selector` does not match template `labels`');
    assert.deepEqual(fields(create(deployment({ selector: {} }))), ['spec.selector']);
  });

  it('validates replicas, the template and its restart policy', () => {
    const errs = create(deployment({ replicas: -1, template: template({ app: 'web' }, { restartPolicy: 'Never', containers: [{ name: 'app' }] }) }));
    assert.deepEqual(fields(errs), ['spec.replicas', 'spec.template.spec.containers[0].image', 'spec.template.spec.restartPolicy']);
    assert.equal(errs[2]?.message, 'Unsupported value: "Never": supported values: "Always"');
  });

  it('validates the rolling update parameters', () => {
    const errs = create(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }));
    assert.deepEqual(fields(errs), ['spec.strategy.rollingUpdate.maxUnavailable']);
    assert.match(errs[0]?.message ?? '', /may not be 0 when `maxSurge` is 0/);
    assert.deepEqual(fields(create(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'x', maxUnavailable: '150%' } } }))), [
      'spec.strategy.rollingUpdate.maxSurge',
      'spec.strategy.rollingUpdate.maxUnavailable',
    ]);
    assert.deepEqual(fields(create(deployment({ strategy: { type: 'Recreate', rollingUpdate: {} } }))), ['spec.strategy.rollingUpdate']);
  });

  it('keeps the selector immutable', () => {
    const old = deployment();
    assert.deepEqual(update(old, (d) => (d['spec'].replicas = 5)), []);
    const errs = update(old, (d) => {
      d['spec'].selector = { matchLabels: { app: 'web', v: '2' } };
      d['spec'].template.metadata.labels.v = '2';
    });
    assert.deepEqual(fields(errs), ['spec.selector']);
    assert.match(errs[0]?.message ?? '', /field is immutable$/);
  });
});

describe('ReplicaSet, DaemonSet, ReplicationController', () => {
  it('ReplicaSet follows the deployment rules', () => {
    const rs = make('apps/v1', 'ReplicaSet', { selector: { matchLabels: { app: 'web' } }, template: template() });
    assert.deepEqual(create(rs), []);
    assert.deepEqual(fields(create(make('apps/v1', 'ReplicaSet', { template: template() }))), ['spec.selector']);
  });

  it('DaemonSet rolling updates use surge or unavailability, not both', () => {
    const ds = make('apps/v1', 'DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template() });
    assert.deepEqual(create(ds), []);
    const both = make('apps/v1', 'DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } });
    assert.deepEqual(fields(create(both)), ['spec.updateStrategy.rollingUpdate.maxSurge']);
    const activeDeadline = make('apps/v1', 'DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) });
    assert.deepEqual(fields(create(activeDeadline)), ['spec.template.spec.activeDeadlineSeconds']);
  });

  it('ReplicationController takes its selector from the template', () => {
    assert.deepEqual(create(make('v1', 'ReplicationController', { template: template() })), []);
    const errs = create(make('v1', 'ReplicationController', { selector: { app: 'api' }, template: template() }));
    assert.deepEqual(fields(errs), ['spec.template.metadata.labels']);
  });
});

describe('StatefulSet', () => {
  const sts = (spec: Any = {}) =>
    make('apps/v1', 'StatefulSet', {
      serviceName: 'db',
      selector: { matchLabels: { app: 'web' } },
      template: template({ app: 'web' }, { containers: [{ name: 'db', image: 'pg', volumeMounts: [{ name: 'data', mountPath: '/var/lib/pg' }] }] }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    });

  it('lets containers mount claim templates', () => assert.deepEqual(create(sts()), []));

  it('uses DNS label names and validates its policies', () => {
    const errs = create(make('apps/v1', 'StatefulSet', { selector: { matchLabels: { app: 'web' } }, template: template(), podManagementPolicy: 'Random' }, { name: 'db.v1' }));
    assert.deepEqual(fields(errs), ['metadata.name', 'spec.podManagementPolicy']);
  });

  it('allows replicas, template and strategy updates but nothing else', () => {
    const old = sts();
    assert.deepEqual(update(old, (s) => {
      s['spec'].replicas = 3;
      s['spec'].template.spec.containers[0].image = 'pg:16';
      s['spec'].updateStrategy = { type: 'OnDelete' };
    }), []);
    const errs = update(old, (s) => (s['spec'].serviceName = 'other'));
    assert.deepEqual(fields(errs), ['spec']);
    assert.match(errs[0]?.message ?? '', /^Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden$/);
  });
});

describe('Job', () => {
  const job = (spec: Any = {}, meta: Any = {}) => {
    const j = make('batch/v1', 'Job', { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } }, ...spec }, { name: 'pi', uid: 'uid-1', ...meta });
    prepareJobSelector(j);
    return j;
  };

  it('accepts a job with a generated selector', () => assert.deepEqual(create(job()), []));

  it('rejects restartPolicy Always', () => {
    const errs = create(job({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } }));
    assert.deepEqual(fields(errs), ['spec.template.spec.restartPolicy']);
    assert.equal(errs[0]?.message, 'Unsupported value: "Always": supported values: "OnFailure", "Never"');
  });

  it('rejects a hand-written selector unless manualSelector is set', () => {
    const j = make('batch/v1', 'Job', { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } }, { name: 'j', uid: 'u' });
    assert.deepEqual(fields(create(j)), [
      'spec.template.metadata.labels[controller-uid]',
      'spec.template.metadata.labels[job-name]',
      'spec.template.metadata.labels[batch.kubernetes.io/controller-uid]',
      'spec.template.metadata.labels[batch.kubernetes.io/job-name]',
      'spec.selector',
    ]);
    (j['spec'] as Any)['manualSelector'] = true;
    assert.deepEqual(create(j), []);
  });

  it('keeps the template, selector and completions immutable', () => {
    const old = job();
    assert.deepEqual(update(old, (j) => (j['spec'].parallelism = 3)), []);
    assert.deepEqual(fields(update(old, (j) => (j['spec'].template.spec.containers[0].image = 'perl:5'))), ['spec.template']);
    assert.deepEqual(fields(update(old, (j) => (j['spec'].completions = 4))), ['spec.completions']);
  });

  it('lets a suspended job that never started change its scheduling directives', () => {
    const old = job({ suspend: true });
    assert.deepEqual(update(old, (j) => (j['spec'].template.spec.nodeSelector = { zone: 'a' })), []);
  });
});

describe('CronJob', () => {
  const cronJob = (spec: Any = {}, meta: Any = {}) =>
    make('batch/v1', 'CronJob', { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec }, meta);

  it('accepts a defaulted cron job', () => assert.deepEqual(create(cronJob()), []));

  it('requires a schedule, a short name and no selector in the job template', () => {
    const errs = create(cronJob({ schedule: '', timeZone: 'Mars/Base', jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } } }, { name: 'x'.repeat(53) }));
    assert.deepEqual(fields(errs), ['metadata.name', 'spec.schedule', 'spec.timeZone', 'spec.jobTemplate.spec.selector']);
    assert.equal(errs[0]?.message, `Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`);
  });

  it('refuses a schedule the controller could not parse, and accepts macros', () => {
    for (const bad of ['61 * * * *', '* * *', '0 0 L * *', 'every minute']) assert.deepEqual(fields(create(cronJob({ schedule: bad }))), ['spec.schedule'], bad);
    for (const good of ['@hourly', '@every 90s', '0 9-17 * * MON-FRI', '*/1 * * * *']) assert.deepEqual(create(cronJob({ schedule: good })), [], good);
  });
});
