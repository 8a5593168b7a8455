// persistentVolumeClaim volumes: the claim must exist and be Bound; its PersistentVolume must be
// a hostPath or local volume (what a node without storage drivers can offer), whose path is then
// used as a hostPath volume. Read-only when the pod's volume or the claim's PV says so.

import type { KubeObject } from '../../api/types.ts';
import { checkHostPath } from './host-path.ts';
import { VolumeSetUpError } from './payload.ts';
import type { MountedVolume, Volume, VolumeContext, VolumePlugin } from './types.ts';

interface ClaimObject extends KubeObject {
  spec?: { volumeName?: string };
  status?: { phase?: string };
}

interface PersistentVolumeObject extends KubeObject {
  spec?: { hostPath?: { path: string; type?: string }; local?: { path: string } };
}

export const persistentVolumeClaimPlugin: VolumePlugin = {
  name: 'kubernetes.io~pvc',
  supports: (v) => v.persistentVolumeClaim !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.persistentVolumeClaim!;
    const ns = ctx.pod.metadata.namespace ?? 'default';
    const where = `error processing PVC ${ns}/${src.claimName}`;
    let claim: ClaimObject;
    try {
      claim = await ctx.objects.get<ClaimObject>('persistentvolumeclaim', ns, src.claimName);
    } catch (err) {
      throw new VolumeSetUpError(`${where}: failed to fetch PVC from API server: ${(err as Error).message}`, { cause: err });
    }
    const pvName = claim.spec?.volumeName;
    if (claim.status?.phase !== 'Bound' || !pvName) throw new VolumeSetUpError(`${where}: PVC is not bound`);
    let pv: PersistentVolumeObject;
    try {
      pv = await ctx.objects.get<PersistentVolumeObject>('persistentvolume', '', pvName);
    } catch (err) {
      throw new VolumeSetUpError(`${where}: failed to fetch PV ${pvName} from API server: ${(err as Error).message}`, { cause: err });
    }
    const hostPath = pv.spec?.hostPath ?? (pv.spec?.local ? { path: pv.spec.local.path, type: 'Directory' } : undefined);
    if (!hostPath) throw new VolumeSetUpError(`${where}: PersistentVolume ${pvName} is neither hostPath nor local: this node has no driver to mount it`);
    checkHostPath(hostPath);
    return { hostPath: hostPath.path, readOnly: src.readOnly === true };
  },
};
