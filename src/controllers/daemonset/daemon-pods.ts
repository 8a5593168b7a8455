// DaemonSet pods (upstream daemon/util): the template every new pod starts from (the daemon
// tolerations added, labelled with the revision hash and the template generation), a pod for one
// node (pinned there by node affinity), whether a pod runs the current template, and the order
// that picks which of several pods on a node is kept (scheduled first, then oldest).

import type { PodTemplateSpec } from '../util/pod-template.ts';
import { podFromTemplate } from '../util/pod-template.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/index.ts';
import { pinToNode } from './node-affinity.ts';
import { daemonPodTolerations } from './tolerations.ts';
import type { DaemonSet, SchedulingSpec } from './types.ts';

export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** Where upstream's API server keeps a DaemonSet's template generation on apps/v1 objects. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/**
 * The template generation: upstream's annotation when present, else metadata.generation (which
 * moves on every spec change; pods are then matched by hash, as upstream does too).
 */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const annotated = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (annotated !== undefined && /^\d+$/.test(annotated)) return Number(annotated);
  return ds.metadata.generation;
}

/** IsPodUpdated: the pod carries the current hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[POD_TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[CONTROLLER_REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** CreatePodTemplate: the DaemonSet's template with daemon tolerations and the generation and hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = structuredClone(ds.spec.template ?? {});
  const spec = (template.spec ?? {}) as SchedulingSpec;
  spec.tolerations = daemonPodTolerations(spec);
  template.spec = spec;
  const generation = templateGeneration(ds);
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: {
      ...(template.metadata?.labels ?? {}),
      ...(generation !== undefined ? { [POD_TEMPLATE_GENERATION_LABEL]: String(generation) } : {}),
      ...(hash ? { [CONTROLLER_REVISION_HASH_LABEL]: hash } : {}),
    },
  };
  return template;
}

/** A new daemon pod for `nodeName` from `template` (see daemonPodTemplate), owned by `ds`. */
export function newDaemonPod(ds: DaemonSet, template: PodTemplateSpec, nodeName: string): Pod {
  const pod = podFromTemplate(template, ds);
  const spec = (pod.spec ?? {}) as SchedulingSpec;
  spec.affinity = pinToNode(spec.affinity, nodeName);
  pod.spec = spec;
  return pod;
}

const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const scheduled = (p: Pod): number => (p.spec?.nodeName ? 0 : 1);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  if (created(a) !== created(b)) return created(a) - created(b);
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}
