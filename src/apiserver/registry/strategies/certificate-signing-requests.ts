// CertificateSigningRequests: like upstream's csr strategy, the requester's identity
// (spec.username, uid, groups, extra) is recorded by the server on create from the authenticated
// user — never taken from the client — and stays fixed afterwards, so approvers can trust it.

import type { KubeObject, ResourceDefinition } from '../../../api/types.ts';
import type { Strategy } from '../strategy.ts';
import { builtinStrategy } from './common.ts';

const IDENTITY_FIELDS = ['username', 'uid', 'groups', 'extra'] as const;

function specOf(obj: KubeObject): Record<string, unknown> {
  return (obj['spec'] ??= {}) as Record<string, unknown>;
}

export function certificateSigningRequestStrategy(def: ResourceDefinition): Strategy {
  return builtinStrategy(def, {
    prepareForCreate(csr, ctx) {
      const spec = specOf(csr);
      for (const field of IDENTITY_FIELDS) delete spec[field];
      const user = ctx.userInfo;
      spec['username'] = user?.username ?? ctx.user;
      if (user?.uid !== undefined) spec['uid'] = user.uid;
      if (user && user.groups.length > 0) spec['groups'] = [...user.groups];
      if (user?.extra !== undefined) spec['extra'] = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
      csr['status'] = {};
    },
    prepareForUpdate(csr, old) {
      const spec = specOf(csr);
      const oldSpec = (old['spec'] ?? {}) as Record<string, unknown>;
      for (const field of IDENTITY_FIELDS) {
        if (oldSpec[field] === undefined) delete spec[field];
        else spec[field] = structuredClone(oldSpec[field]);
      }
    },
  });
}
