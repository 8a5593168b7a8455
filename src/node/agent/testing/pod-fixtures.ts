// Builders of pods and runtime states for the pod worker's table tests.

import type { ContainerState, ContainerStatus, PodSandboxStatus } from '../../runtime/cri.ts';
import { ANNOTATION_CONTAINER_HASH, LABEL_CONTAINER_NAME, LABEL_POD_UID, containerHash, type AgentPod, type ContainerSpec, type PodSpec } from '../pod-types.ts';

export function makePod(spec: Partial<PodSpec> & { containers?: ContainerSpec[] }, meta: Partial<AgentPod['metadata']> = {}): AgentPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', ...meta },
    spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
  };
}

export function sandbox(id: string, ready = true, attempt = 0, createdAt = 0): PodSandboxStatus {
  return { id, metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt }, state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY', createdAt, network: { ip: '10.88.0.9' } };
}

let seq = 0;

export interface ContainerOpts {
  exitCode?: number;
  attempt?: number;
  createdAt?: number;
  startedAt?: number;
  finishedAt?: number;
  spec?: ContainerSpec;
  id?: string;
  reason?: string;
}

export function container(name: string, state: 'running' | 'exited' | 'created' | 'unknown', o: ContainerOpts = {}): ContainerStatus {
  const map: Record<string, ContainerState> = { running: 'CONTAINER_RUNNING', exited: 'CONTAINER_EXITED', created: 'CONTAINER_CREATED', unknown: 'CONTAINER_UNKNOWN' };
  const spec = o.spec ?? { name, image: 'app:1' };
  return {
    id: o.id ?? `c${++seq}`, podSandboxId: 'sb1', metadata: { name, attempt: o.attempt ?? 0 }, state: map[state]!,
    createdAt: o.createdAt ?? seq, startedAt: o.startedAt ?? 1000, finishedAt: state === 'exited' ? (o.finishedAt ?? 2000) : 0,
    exitCode: o.exitCode ?? 0, reason: o.reason ?? '', image: { image: spec.image ?? '' }, imageRef: 'sha256:x',
    labels: { [LABEL_POD_UID]: 'uid-1', [LABEL_CONTAINER_NAME]: name }, annotations: o.spec ? { [ANNOTATION_CONTAINER_HASH]: containerHash(spec) } : {},
  };
}
