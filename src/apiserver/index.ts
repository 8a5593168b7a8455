// Public surface of the API server: start a control plane (what `strata server` runs).

export { CONTROL_PLANE_USER, startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export { versionInfo } from './server.ts';
