// Loads the fact tables under src/api/data once: protobuf field tables (the structure of every
// built-in message) and the list/map semantics from the OpenAPI spec (merge keys, list types).

import { readFileSync } from 'node:fs';

export interface ProtoField {
  /** Field number; unused here, kept for the protobuf codec. */
  n: number;
  /** Scalar proto type (string, int32, int64, bool, bytes, double, float) or a message name. */
  t: string;
  rep?: boolean;
  /** [key type, value type] for map fields. */
  map?: [string, string];
}

export type ProtoMessage = Record<string, ProtoField>;

export interface PropertySemantics {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

/** definition -> property (or "$self") -> semantics */
export type ListSemantics = Record<string, Record<string, PropertySemantics>>;

let messages: ReadonlyMap<string, ProtoMessage> | undefined;
let semantics: ListSemantics | undefined;

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8'));
}

/** Proto message name (k8s.io.api.apps.v1.Deployment) -> its fields. */
export function protoMessages(): ReadonlyMap<string, ProtoMessage> {
  messages ??= new Map(Object.entries(readJson('protobuf-fields.json') as Record<string, ProtoMessage>));
  return messages;
}

/** OpenAPI definition name -> property -> list/map semantics ("$refs" is dropped). */
export function listSemantics(): ListSemantics {
  if (!semantics) {
    const raw = readJson('list-semantics.json') as ListSemantics;
    delete raw['$refs'];
    semantics = raw;
  }
  return semantics;
}
