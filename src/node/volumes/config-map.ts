// configMap volumes: the ConfigMap's keys (or the listed items) as files, written atomically
// and refreshed on every sync, so updates reach running pods within the object cache's TTL.
// A missing ConfigMap fails the mount unless optional (then the volume is empty).

import { writeAtomically } from './atomic-writer.ts';
import { DEFAULT_MODE, objectPayload } from './payload.ts';
import { volumeDir, type MountedVolume, type Volume, type VolumeContext, type VolumePlugin } from './types.ts';

export const configMapPlugin: VolumePlugin = {
  name: 'kubernetes.io~configmap',
  supports: (v) => v.configMap !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.configMap!;
    const dir = volumeDir(ctx.podDir, this.name, volume.name);
    const payload = await objectPayload('configmap', src.name ?? '', src.items, src.defaultMode ?? DEFAULT_MODE, src.optional === true, ctx);
    writeAtomically(dir, payload ?? new Map(), new Date(ctx.clock.now()));
    return { hostPath: dir, readOnly: true };
  },
};
