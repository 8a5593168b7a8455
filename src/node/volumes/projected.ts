// projected volumes: several sources (configMap, secret, downwardAPI, serviceAccountToken) in
// one directory, written atomically together. Every source is tried and their errors are
// reported together, as upstream does. The token source asks the TokenSource for a token of the
// pod's service account bound to the pod (which rotates it before it expires).

import { writeAtomically, type Payload } from './atomic-writer.ts';
import { DEFAULT_MODE, downwardPayload, objectPayload, VolumeSetUpError } from './payload.ts';
import { volumeDir, type MountedVolume, type Volume, type VolumeContext, type VolumePlugin } from './types.ts';

export const projectedPlugin: VolumePlugin = {
  name: 'kubernetes.io~projected',
  supports: (v) => v.projected !== undefined,
  async setUp(volume: Volume, ctx: VolumeContext): Promise<MountedVolume> {
    const src = volume.projected!;
    const mode = src.defaultMode ?? DEFAULT_MODE;
    const dir = volumeDir(ctx.podDir, this.name, volume.name);
    const payload: Payload = new Map();
    const errors: string[] = [];
    const add = (p: Payload | undefined): void => {
      for (const [k, v] of p ?? []) payload.set(k, v);
    };
    for (const s of src.sources ?? []) {
      try {
        if (s.configMap) add(await objectPayload('configmap', s.configMap.name ?? '', s.configMap.items, mode, s.configMap.optional === true, ctx));
        else if (s.secret) add(await objectPayload('secret', s.secret.name ?? '', s.secret.items, mode, s.secret.optional === true, ctx));
        else if (s.downwardAPI) add(downwardPayload(s.downwardAPI.items ?? [], mode, ctx));
        else if (s.serviceAccountToken) {
          const t = s.serviceAccountToken;
          if (!ctx.tokens) throw new VolumeSetUpError('no token source: the agent cannot request service account tokens');
          const sa = ctx.pod.spec.serviceAccountName || 'default';
          const token = await ctx.tokens.token({
            namespace: ctx.pod.metadata.namespace ?? 'default',
            serviceAccount: sa,
            audiences: t.audience ? [t.audience] : [],
            expirationSeconds: t.expirationSeconds ?? 3600,
            pod: { name: ctx.pod.metadata.name ?? '', uid: ctx.pod.metadata.uid ?? '' },
          });
          payload.set(t.path, { data: Buffer.from(token, 'utf8'), mode });
        }
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (errors.length > 0) throw new VolumeSetUpError(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
    writeAtomically(dir, payload, new Date(ctx.clock.now()));
    return { hostPath: dir, readOnly: true };
  },
};
