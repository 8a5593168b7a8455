// downwardAPI volumes: pod fields (name, namespace, uid, labels, annotations) and container
// resources as files, rewritten atomically when they change (labels and annotations may).

import { writeAtomically } from './atomic-writer.ts';
import { DEFAULT_MODE, downwardPayload } from './payload.ts';
import { volumeDir, type MountedVolume, type Volume, type VolumeContext, type VolumePlugin } from './types.ts';

export const downwardApiPlugin: VolumePlugin = {
  name: 'kubernetes.io~downward-api',
  supports: (v) => v.downwardAPI !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.downwardAPI!;
    const dir = volumeDir(ctx.podDir, this.name, volume.name);
    writeAtomically(dir, downwardPayload(src.items ?? [], src.defaultMode ?? DEFAULT_MODE, ctx), new Date(ctx.clock.now()));
    return { hostPath: dir, readOnly: true };
  },
};
