// Picks the strategy of each built-in kind.

import { prepareJobSelector, prepareNamespaceForCreate } from '../../../api/defaults/index.ts';
import type { KubeObject, ResourceDefinition } from '../../../api/types.ts';
import type { PriorityClassLookup } from '../../admission/index.ts';
import type { ServiceAllocator } from '../allocator.ts';
import type { Strategy } from '../strategy.ts';
import { builtinStrategy, fieldsFrom } from './common.ts';
import { certificateSigningRequestStrategy } from './certificate-signing-requests.ts';
import { podStrategy } from './pods.ts';
import { serviceStrategy } from './services.ts';

export interface StrategyDeps {
  allocator: ServiceAllocator;
  /** PriorityClasses for the Priority admission step on pod create (skipped when absent). */
  priorityClasses?: PriorityClassLookup;
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
] as const;

function selectable(def: ResourceDefinition, fields: readonly string[], extra: Partial<Strategy> = {}): Strategy {
  return builtinStrategy(def, { selectableFields: fields, fields: fieldsFrom(fields), ...extra });
}

function namespaceStrategy(def: ResourceDefinition): Strategy {
  const fields = ['status.phase'] as const;
  const specFinalizers = (ns: KubeObject): string[] => (((ns['spec'] ?? {}) as Record<string, unknown>)['finalizers'] ?? []) as string[];
  return builtinStrategy(def, {
    selectableFields: fields,
    fields: fieldsFrom(fields),
    prepareForCreate(ns) {
      prepareNamespaceForCreate(ns);
      ns['status'] = { phase: 'Active' };
    },
    hasPendingFinalizers: (ns) => (ns.metadata.finalizers?.length ?? 0) > 0 || specFinalizers(ns).length > 0,
    prepareForDeletion(ns) {
      ns['status'] = { ...((ns['status'] ?? {}) as object), phase: 'Terminating' };
    },
  });
}

export function strategyFor(def: ResourceDefinition, deps: StrategyDeps): Strategy {
  const key = `${def.group}/${def.kind}`;
  switch (key) {
    case '/Pod':
      return podStrategy(def, deps.priorityClasses);
    case '/Service':
      return serviceStrategy(def, deps.allocator);
    case '/Namespace':
      return namespaceStrategy(def);
    case '/Node':
      return selectable(def, ['spec.unschedulable']);
    case 'certificates.k8s.io/CertificateSigningRequest':
      return certificateSigningRequestStrategy(def);
    case '/Secret':
      return selectable(def, ['type']);
    case '/Event':
    case 'events.k8s.io/Event':
      return selectable(def, EVENT_FIELDS, { allowCreateOnUpdate: true });
    case '/ReplicationController':
    case 'apps/ReplicaSet':
      return selectable(def, ['status.replicas']);
    case '/Endpoints':
    case 'coordination.k8s.io/Lease':
      return builtinStrategy(def, { allowCreateOnUpdate: true });
    case 'batch/Job': {
      const strategy = selectable(def, ['status.successful']);
      return {
        ...strategy,
        prepareForCreate(job, ctx) {
          // The generated selector needs the uid, which the generic store assigns first.
          prepareJobSelector(job);
          return strategy.prepareForCreate(job, ctx);
        },
      };
    }
    default:
      return builtinStrategy(def);
  }
}
