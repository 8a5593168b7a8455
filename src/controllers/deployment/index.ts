// Public surface of the Deployment controller folder.

export { deploymentController, DeploymentReconciler, type DeploymentControllerOptions } from './deployment-controller.ts';
export { computeHash, equalIgnoreHash } from './hash.ts';
export { maxSurge, maxUnavailable, resolveFenceposts } from './fenceposts.ts';
export {
  AVAILABLE,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  POD_TEMPLATE_HASH,
  PROGRESSING,
  Reason,
  REVISION,
  REVISION_HISTORY,
  type Deployment,
  type DeploymentCondition,
  type DeploymentSpec,
  type DeploymentStatus,
} from './types.ts';
