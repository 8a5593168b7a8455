// Helpers for this folder's tests: a fresh signing key, a settable clock and an in-memory
// object getter standing in for the registry.

import { generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import type { ObjectGetter } from './object-getter.ts';

export function ecKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export interface FakeClock {
  now: () => Date;
  advance(seconds: number): void;
}

export function fakeClock(start = new Date('2026-05-01T10:00:00Z')): FakeClock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (seconds) => void (t += seconds * 1000) };
}

/**
 * Objects by "Kind/namespace/name" (cluster-scoped: "Kind//name"). `stale` holds what a lagging
 * watch cache would still answer; a consistent read sees only `objects`.
 */
export class FakeObjects {
  readonly objects = new Map<string, KubeObject>();
  readonly stale = new Map<string, KubeObject>();
  readonly consistentReads: string[] = [];

  put(kind: string, namespace: string | undefined, name: string, uid: string, extra: Record<string, unknown> = {}): KubeObject {
    const obj: KubeObject = { apiVersion: 'v1', kind, metadata: { name, uid, ...(namespace ? { namespace } : {}) }, ...extra };
    this.objects.set(`${kind}/${namespace ?? ''}/${name}`, obj);
    return obj;
  }

  delete(kind: string, namespace: string | undefined, name: string): void {
    this.objects.delete(`${kind}/${namespace ?? ''}/${name}`);
  }

  readonly getter: ObjectGetter = async (_group, kind, namespace, name, consistent) => {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    if (consistent) this.consistentReads.push(key);
    else if (this.stale.has(key)) return this.stale.get(key);
    return this.objects.get(key);
  };
}
