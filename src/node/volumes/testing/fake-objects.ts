// An in-memory ObjectSource for volume and env tests: objects by kind/namespace/name, a
// NotFound worded as the kubelet's managers word it when one is missing.

import type { KubeObject } from '../../../api/types.ts';
import { notFound } from '../../../machinery/status-error.ts';
import type { ObjectSource, SourceKind } from '../../agent/object-source.ts';

export class FakeObjects implements ObjectSource {
  readonly objects = new Map<string, KubeObject>();
  reads = 0;

  set(kind: SourceKind, namespace: string, name: string, body: Record<string, unknown>): void {
    this.objects.set(`${kind}/${namespace}/${name}`, { apiVersion: 'v1', kind, metadata: { name, namespace }, ...body } as KubeObject);
  }

  delete(kind: SourceKind, namespace: string, name: string): void {
    this.objects.delete(`${kind}/${namespace}/${name}`);
  }

  async get<T extends KubeObject = KubeObject>(kind: SourceKind, namespace: string, name: string): Promise<T> {
    this.reads++;
    const o = this.objects.get(`${kind}/${namespace}/${name}`);
    if (!o) throw notFound({ group: '', resource: kind }, name);
    return structuredClone(o) as T;
  }
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
