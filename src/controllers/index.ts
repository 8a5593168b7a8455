// Public surface of the controllers layer: the runtime and the controllers, plus the set the
// controller manager runs by default.

import type { Logger } from 'pino';
import { EventRecorder, type Clock, type RestClient } from '../client/index.ts';
import { disruptionController } from './disruption/index.ts';
import { nodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle/index.ts';
import { garbageCollector } from './garbagecollector/index.ts';
import { resourceQuotaController } from './resourcequota/index.ts';
import { cronJobController } from './cronjob/index.ts';
import { jobController } from './job/index.ts';
import { podGcController } from './podgc/index.ts';
import { ttlAfterFinishedController } from './ttlafterfinished/index.ts';
import { namespaceController } from './namespace/index.ts';
import { deploymentController } from './deployment/index.ts';
import { replicaSetController, replicationControllerController } from './replicaset/index.ts';
import type { ControllerContext, ControllerFactory, Controller, TermContext } from './runtime/index.ts';
import { rootCaPublisher, serviceAccountsController } from './serviceaccount/index.ts';
import { statefulSetController } from './statefulset/index.ts';
import { daemonSetController } from './daemonset/index.ts';
import { endpointsController } from './endpoints/index.ts';
import { endpointSliceController } from './endpointslice/index.ts';
import { endpointSliceMirroringController } from './endpointslicemirroring/index.ts';
import { csrApprovingController, csrSigningController } from './certificates/index.ts';
import { hpaController, type HpaOptions } from './podautoscaler/index.ts';

export * from './runtime/index.ts';
export * from './namespace/index.ts';
export * from './serviceaccount/index.ts';
export { DEFAULT_HPA_OPTIONS, hpaController, type HpaOptions } from './podautoscaler/index.ts';

export interface DefaultControllersDeps {
  client: RestClient;
  /** The cluster CA published as kube-root-ca.crt in every namespace. */
  caPem: string;
  /** The cluster CA's private key; without it the csrsigning controller does not run. */
  caKeyPem?: string;
  /** The certificate of caKeyPem when it is not caPem (--cluster-signing-cert-file). */
  caSigningCertPem?: string;
  clock?: Clock;
  logger?: Logger;
  /** Names (as in CONTROLLERS) not to run. */
  disabled?: readonly string[];
  /** The manager's identity, written as reportingInstance of every Event. */
  identity?: string;
  /** Controllers to run besides CONTROLLERS (tests of controllers not listed there). */
  extra?: readonly ControllerSpec[];
  /** Timings of the node lifecycle controller (--node-monitor-period, --node-monitor-grace-period). */
  nodeLifecycle?: NodeLifecycleOptions;
  /** The HPA controller's --horizontal-pod-autoscaler-* settings. */
  hpa?: Partial<HpaOptions>;
}

export interface ControllerSpec {
  /** The name users pass to --controllers / disable, as upstream's controller names. */
  name: string;
  /** The Events' source component. */
  component: string;
  make(ctx: ControllerContext, deps: DefaultControllersDeps): Controller;
}

/** Every controller the manager knows, in start order. */
export const CONTROLLERS: readonly ControllerSpec[] = [
  { name: 'namespace', component: 'namespace-controller', make: (ctx) => namespaceController(ctx) },
  { name: 'serviceaccount', component: 'service-account-controller', make: (ctx) => serviceAccountsController(ctx) },
  { name: 'root-ca-cert-publisher', component: 'root-ca-cert-publisher', make: (ctx, deps) => rootCaPublisher(ctx, deps.caPem) },
  { name: 'replicaset', component: 'replicaset-controller', make: (ctx) => replicaSetController(ctx) },
  { name: 'replicationcontroller', component: 'replication-controller', make: (ctx) => replicationControllerController(ctx) },
  { name: 'deployment', component: 'deployment-controller', make: (ctx) => deploymentController(ctx) },
  { name: 'statefulset', component: 'statefulset-controller', make: (ctx) => statefulSetController(ctx) },
  { name: 'daemonset', component: 'daemonset-controller', make: (ctx) => daemonSetController(ctx) },
  { name: 'disruption', component: 'controllermanager', make: (ctx) => disruptionController(ctx) },
  { name: 'nodelifecycle', component: 'node-controller', make: (ctx, deps) => nodeLifecycleController(ctx, deps.nodeLifecycle) },
  { name: 'garbagecollector', component: 'garbage-collector-controller', make: (ctx) => garbageCollector(ctx) },
  { name: 'resourcequota', component: 'resourcequota-controller', make: (ctx) => resourceQuotaController(ctx) },
  { name: 'job', component: 'job-controller', make: (ctx) => jobController(ctx) },
  { name: 'cronjob', component: 'cronjob-controller', make: (ctx) => cronJobController(ctx) },
  { name: 'ttl-after-finished', component: 'ttl-after-finished-controller', make: (ctx) => ttlAfterFinishedController(ctx) },
  { name: 'podgc', component: 'pod-garbage-collector', make: (ctx) => podGcController(ctx) },
  { name: 'endpoints', component: 'endpoint-controller', make: (ctx) => endpointsController(ctx) },
  { name: 'endpointslice', component: 'endpointslice-controller', make: (ctx) => endpointSliceController(ctx) },
  { name: 'csrapproving', component: 'certificate-controller', make: (ctx) => csrApprovingController(ctx) },
  { name: 'csrsigning', component: 'certificate-controller', make: (ctx, deps) => csrSigningController(ctx, deps.caSigningCertPem ?? deps.caPem, deps.caKeyPem ?? '') },
  { name: 'endpointslicemirroring', component: 'endpointslicemirroring-controller', make: (ctx) => endpointSliceMirroringController(ctx) },
  { name: 'horizontalpodautoscaling', component: 'horizontal-pod-autoscaler', make: (ctx, deps) => hpaController(ctx, deps.hpa) },
];

/** The controllers `strata controllers` and `strata server` run, each built fresh per leadership term. */
export function defaultControllers(deps: DefaultControllersDeps): ControllerFactory[] {
  const { client, clock } = deps;
  return [...CONTROLLERS, ...(deps.extra ?? [])].filter((spec) => !deps.disabled?.includes(spec.name) && (spec.name !== 'csrsigning' || deps.caKeyPem !== undefined)).map((spec) => (term: TermContext) => {
    const logger = deps.logger?.child({ controller: spec.name });
    const recorder = new EventRecorder(client, { source: { component: spec.component }, ...(deps.identity ? { reportingInstance: deps.identity } : {}), ...(clock ? { clock } : {}), ...(logger ? { logger } : {}) });
    const ctx: ControllerContext = { client, informers: term.informers, recorder, ...(clock ? { clock } : {}), ...(logger ? { logger } : {}) };
    return spec.make(ctx, deps);
  });
}
