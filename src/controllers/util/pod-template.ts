// Pods from a PodTemplateSpec, as upstream's GetPodFromTemplate: the template's labels,
// annotations, finalizers and spec, the owner as controller reference, and a generated name
// with the owner's name as prefix unless the caller names the pod (StatefulSet ordinals).

import type { KubeObject } from '../../api/types.ts';
import { newControllerRef } from './owner-refs.ts';
import type { Pod } from './pods.ts';

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface PodFromTemplateOptions {
  /** A fixed name; otherwise generateName is "<owner>-" (upstream trims it to fit 63 chars). */
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The prefix upstream generates pod names from: "<owner>-", cut so the 5-char suffix still fits. */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, options: PodFromTemplateOptions = {}): Pod {
  const meta = template.metadata ?? {};
  const labels = { ...(meta.labels ?? {}), ...(options.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}), ...(options.annotations ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(options.name ? { name: options.name } : { generateName: options.generateName ?? podNamePrefix(owner.metadata.name ?? '') }),
      namespace: owner.metadata.namespace ?? 'default',
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
