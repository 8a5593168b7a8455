// Content negotiation for responses: plain JSON, YAML or Kubernetes protobuf objects, server-side
// Tables (as=Table, meta.k8s.io v1/v1beta1) and PartialObjectMetadata (for metadata-only clients).
// Protobuf is chosen only when the client lists it before JSON (typed Go clients send
// "application/vnd.kubernetes.protobuf,application/json"); kinds without a message still answer JSON.

import { notAcceptable } from '../../machinery/status-error.ts';

export type ResponseShape =
  | { kind: 'object'; format: 'json' | 'yaml' | 'protobuf' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

interface AcceptEntry {
  type: string;
  params: Map<string, string>;
}

function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header) return [{ type: '*/*', params: new Map() }];
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const map = new Map<string, string>();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) map.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    return { type: type.toLowerCase(), params: map };
  });
}

/** Picks the first Accept entry the server can produce, in the client's order. */
export function negotiate(header: string | undefined, allowTransforms: boolean): ResponseShape {
  for (const entry of parseAccept(header)) {
    const as = entry.params.get('as');
    if (as) {
      if (!allowTransforms || entry.params.get('g') !== 'meta.k8s.io') continue;
      const v = entry.params.get('v');
      if (v !== 'v1' && v !== 'v1beta1') continue;
      if (as === 'Table') return { kind: 'table', version: v };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'metadata', version: v };
      continue;
    }
    if (entry.type === 'application/json' || entry.type === '*/*' || entry.type === 'application/*') return { kind: 'object', format: 'json' };
    if (entry.type === 'application/yaml') return { kind: 'object', format: 'yaml' };
    if (entry.type === 'application/vnd.kubernetes.protobuf') return { kind: 'object', format: 'protobuf' };
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;as=Table;v=v1;g=meta.k8s.io');
}

/** True when the first Accept entry the server can produce for a plain object is protobuf. */
export function prefersProtobuf(header: string | undefined): boolean {
  if (!header || !header.includes('protobuf')) return false;
  try {
    const shape = negotiate(header, false);
    return shape.kind === 'object' && shape.format === 'protobuf';
  } catch {
    return false;
  }
}
