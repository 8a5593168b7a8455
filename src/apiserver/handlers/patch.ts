// Applies a PATCH body of one of the three classic patch types to the current object.

import { applyJsonPatch } from '../../machinery/patch/json-patch.ts';
import { applyMergePatch } from '../../machinery/patch/merge-patch.ts';
import { applyStrategicMergePatch } from '../../machinery/patch/strategic-merge-patch.ts';
import { badRequest } from '../../machinery/status-error.ts';
import type { KubeObject } from '../../api/types.ts';

export function applyPatch(contentType: string, current: KubeObject, patch: unknown, definition: string | undefined): unknown {
  switch (contentType) {
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations');
      return applyJsonPatch(current, patch);
    case 'application/merge-patch+json':
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('merge patch must be a JSON object');
      return applyMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(current, patch, definition ?? '');
    default:
      throw badRequest(`unsupported patch type ${contentType}`);
  }
}
