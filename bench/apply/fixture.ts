// The Deployment the apply benchmark writes: an applied configuration that sets 40 fields (the
// paths of its managedFields entry: leaves, list items, map keys).

import type { JsonObject } from '../../src/machinery/patch/json-value.ts';

export const NAMESPACE = 'bench-apply';

/** The Deployment `name`; `seq` goes into an annotation, so each new value is a real write. */
export function deployment(name: string, seq: number): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { app: name, tier: 'backend', team: 'payments' },
      annotations: { 'bench/seq': String(seq) },
    },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name, tier: 'backend' } },
        spec: {
          serviceAccountName: 'default',
          terminationGracePeriodSeconds: 20,
          containers: [
            {
              name: 'api',
              image: 'registry.example/api:1.4.2',
              args: ['--port=8080', '--log=json'],
              env: [
                { name: 'MODE', value: 'production' },
                { name: 'REGION', value: 'eu-west' },
                { name: 'WORKERS', value: '8' },
              ],
              ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}
