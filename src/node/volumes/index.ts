// The node's volumes: the manager the pod workers use, its plugins and the pieces tests use.

export { writeAtomically, validatePath, type FileProjection, type Payload } from './atomic-writer.ts';
export { VolumeSetUpError } from './payload.ts';
export { TokenManager, type IssuedToken, type TokenSource, type TokenWish } from './service-account-token.ts';
export type { MountedVolume, Volume, VolumePlugin } from './types.ts';
export { DEFAULT_PLUGINS, VolumeManager, type VolumeFailure, type VolumeManagerOptions, type VolumeSetUp } from './volume-manager.ts';
