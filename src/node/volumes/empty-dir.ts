// emptyDir volumes: a directory under the pod's directory, made for the pod and removed with it.
// Medium Memory is a tmpfs (when the agent may mount; otherwise a plain directory) whose size is
// the sizeLimit. On disk, the sizeLimit is watched by the volume manager, which evicts the pod
// when usage exceeds it, as upstream's eviction manager does for local storage.

import { chmodSync, mkdirSync } from 'node:fs';
import { quantityValue, tryParseQuantity } from '../../machinery/quantity.ts';
import { isMountPoint, runMount, unmount } from './mount-utils.ts';
import { VolumeSetUpError } from './payload.ts';
import { volumeDir, type MountedVolume, type Volume, type VolumeContext, type VolumePlugin } from './types.ts';

export const emptyDirPlugin: VolumePlugin = {
  name: 'kubernetes.io~empty-dir',
  supports: (v) => v.emptyDir !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.emptyDir!;
    const dir = volumeDir(ctx.podDir, this.name, volume.name);
    mkdirSync(dir, { recursive: true });
    if (src.medium === 'Memory' && ctx.root && !isMountPoint(dir)) {
      const size = sizeLimitBytes(volume);
      const options = ['mode=0777', ...(size !== undefined ? [`size=${size}`] : [])].join(',');
      try {
        await runMount(['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
      } catch (err) {
        throw new VolumeSetUpError((err as Error).message, { cause: err });
      }
    }
    // Any user of any container may write it, as upstream makes it (0777 regardless of umask).
    chmodSync(dir, 0o777);
    return { hostPath: dir, readOnly: false };
  },
  async tearDown(dir: string): Promise<void> {
    if (isMountPoint(dir)) await unmount(dir);
  },
};

/** The volume's sizeLimit in bytes (undefined: none). */
export function sizeLimitBytes(volume: Volume): number | undefined {
  const q = tryParseQuantity(volume.emptyDir?.sizeLimit);
  if (!q) return undefined;
  const bytes = Number(quantityValue(q));
  return bytes > 0 ? bytes : undefined;
}
