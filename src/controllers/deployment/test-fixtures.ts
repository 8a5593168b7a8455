// Builders of Deployments and ReplicaSets for the Deployment controller's unit tests.

import type { ReplicaSet } from '../replicaset/index.ts';
import type { Deployment, DeploymentSpec, DeploymentStatus } from './types.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function deploymentFixture(replicas: number, spec: Partial<DeploymentSpec> = {}, status?: DeploymentStatus, generation = 1): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export interface RsFixture {
  replicas: number;
  available?: number;
  ready?: number;
  actual?: number;
  createdSec?: number;
  revision?: number;
  annotations?: Record<string, string>;
  generation?: number;
  observedGeneration?: number;
}

export function rsFixture(name: string, o: RsFixture): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      generation: o.generation ?? 1,
      creationTimestamp: iso(T0 + (o.createdSec ?? 0) * 1000),
      annotations: { ...(o.revision !== undefined ? { 'deployment.kubernetes.io/revision': String(o.revision) } : {}), ...(o.annotations ?? {}) },
    },
    spec: { replicas: o.replicas, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } } } },
    status: {
      replicas: o.actual ?? o.replicas,
      readyReplicas: o.ready ?? o.available ?? o.replicas,
      availableReplicas: o.available ?? o.replicas,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
    },
  };
}
