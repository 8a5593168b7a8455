// secret volumes: the Secret's decoded keys (or the listed items) as files, written atomically
// and refreshed on every sync. A missing Secret fails the mount unless optional.

import { writeAtomically } from './atomic-writer.ts';
import { DEFAULT_MODE, objectPayload } from './payload.ts';
import { volumeDir, type MountedVolume, type Volume, type VolumeContext, type VolumePlugin } from './types.ts';

export const secretPlugin: VolumePlugin = {
  name: 'kubernetes.io~secret',
  supports: (v) => v.secret !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.secret!;
    const dir = volumeDir(ctx.podDir, this.name, volume.name);
    const payload = await objectPayload('secret', src.secretName ?? '', src.items, src.defaultMode ?? DEFAULT_MODE, src.optional === true, ctx);
    writeAtomically(dir, payload ?? new Map(), new Date(ctx.clock.now()));
    return { hostPath: dir, readOnly: true };
  },
};
