// hostPath volumes: a path of the node, checked against its type as upstream's checkType does
// (DirectoryOrCreate and FileOrCreate create it; the others require what they name).

import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { VolumeSetUpError } from './payload.ts';
import type { HostPathVolumeSource, MountedVolume, Volume, VolumePlugin } from './types.ts';

export function checkHostPath(src: HostPathVolumeSource): void {
  const path = src.path;
  const stat = (): Stats | undefined => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  };
  const fail = (what: string): never => {
    throw new VolumeSetUpError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (src.type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!stat()) {
        mkdirSync(path, { recursive: true, mode: 0o755 });
        return;
      }
    // falls through
    case 'Directory':
      if (!stat()?.isDirectory()) fail('directory');
      return;
    case 'FileOrCreate':
      if (!stat()) {
        try {
          closeSync(openSync(path, 'a', 0o644));
        } catch (err) {
          throw new VolumeSetUpError(`hostPath type check failed: cannot create file ${path}: ${(err as Error).message}`);
        }
        return;
      }
    // falls through
    case 'File':
      if (!stat()?.isFile()) fail('file');
      return;
    case 'Socket':
      if (!stat()?.isSocket()) fail('socket file');
      return;
    case 'CharDevice':
      if (!stat()?.isCharacterDevice()) fail('character device');
      return;
    case 'BlockDevice':
      if (!stat()?.isBlockDevice()) fail('block device');
      return;
    default:
      throw new VolumeSetUpError(`${src.type} is an invalid volume type`);
  }
}

export const hostPathPlugin: VolumePlugin = {
  name: 'kubernetes.io~host-path',
  supports: (v) => v.hostPath !== undefined,
  async setUp(volume: Volume): Promise<MountedVolume> {
    checkHostPath(volume.hostPath!);
    return { hostPath: volume.hostPath!.path, readOnly: false };
  },
};
