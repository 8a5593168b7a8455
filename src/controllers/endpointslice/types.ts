// The shapes the three endpoint controllers read and write: the parts of Service, Pod, Node,
// Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) they look at, plus the well-known
// labels and annotations upstream puts on them. Objects are typed loosely elsewhere in Strata;
// these narrow them just enough for the controllers to be checked.

import type { KubeObject } from '../../api/types.ts';
import type { Pod } from '../util/pods.ts';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const ANNOTATION_LAST_APPLIED_CONFIG = 'kubectl.kubernetes.io/last-applied-configuration';
/** Endpoints that hold a leader-election record (old-style locks) are never services' endpoints. */
export const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';

export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  publishNotReadyAddresses?: boolean;
  trafficDistribution?: string;
  [k: string]: unknown;
}

export interface Service extends KubeObject {
  spec?: ServiceSpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface PodContainer {
  name: string;
  ports?: ContainerPort[];
  restartPolicy?: string;
}

/** A pod with the fields endpoints are built from. */
export interface EndpointPod extends Pod {
  spec?: Pod['spec'] & { containers?: PodContainer[]; initContainers?: PodContainer[]; hostname?: string; subdomain?: string };
  status?: Pod['status'] & { podIPs?: { ip: string }[] };
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
  deprecatedTopology?: Record<string, string>;
}

export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: AddressType;
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointsPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointsPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[] | null;
}

export const serviceKey = (namespace: string, name: string): string => `${namespace}/${name}`;
