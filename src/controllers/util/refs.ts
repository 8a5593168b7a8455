// The resource types the controllers read and write, as {group, version, resource}.

export const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
export const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
export const SERVICES = { group: '', version: 'v1', resource: 'services' } as const;
export const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' } as const;
export const PERSISTENT_VOLUME_CLAIMS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' } as const;
export const REPLICATION_CONTROLLERS = { group: '', version: 'v1', resource: 'replicationcontrollers' } as const;
export const RESOURCE_QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas' } as const;
export const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
export const REPLICA_SETS = { group: 'apps', version: 'v1', resource: 'replicasets' } as const;
export const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' } as const;
export const STATEFUL_SETS = { group: 'apps', version: 'v1', resource: 'statefulsets' } as const;
export const DAEMON_SETS = { group: 'apps', version: 'v1', resource: 'daemonsets' } as const;
export const CONTROLLER_REVISIONS = { group: 'apps', version: 'v1', resource: 'controllerrevisions' } as const;
export const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' } as const;
export const CRON_JOBS = { group: 'batch', version: 'v1', resource: 'cronjobs' } as const;
export const ENDPOINT_SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' } as const;
export const POD_DISRUPTION_BUDGETS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' } as const;
export const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;
