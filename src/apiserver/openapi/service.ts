// Serves the OpenAPI v3 documents from a cache: they are built once per resource set (the first
// time one is asked for after update()) and handed out as ready bytes with their hash.
//
// HTTP contract (what kube-apiserver does, and what client-go's cache relies on):
//   GET /openapi/v3             -> root().body, ETag root().etag
//   GET /openapi/v3/<key>?hash= -> document(key).body, ETag; when the hash query matches,
//                                  Cache-Control "public, immutable"; when it differs, redirect
//                                  (301) to document(key).url; unknown key -> 404
//   GET /openapi/v2             -> served by v2-service.ts (gnostic protobuf or JSON) from the same schemas

import {
  contentHash, DEFAULT_INFO, groupVersionKey, openapiV3Document, openapiV3Root, serialize, servedGroupVersions,
  type DocumentInfo,
} from './document.ts';
import type { OpenApiResource } from './types.ts';

export interface OpenApiResponse {
  /** Serialized JSON. */
  readonly body: Buffer;
  /** SHA-512 of body, upper-case hex: the `hash` query value. */
  readonly hash: string;
  /** The ETag header value (the hash, quoted). */
  readonly etag: string;
  /** Server-relative URL with the hash: /openapi/v3/apis/apps/v1?hash=... */
  readonly url: string;
}

interface Built {
  root: OpenApiResponse;
  documents: Map<string, OpenApiResponse>;
}

export class OpenApiService {
  readonly #info: DocumentInfo;
  #resources: readonly OpenApiResource[] = [];
  #fingerprint = '';
  #built: Built | undefined;

  constructor(options: { info?: DocumentInfo } = {}) {
    this.#info = options.info ?? DEFAULT_INFO;
  }

  /** Replaces the served resource set; a no-op (cache kept) when nothing changed. */
  update(resources: readonly OpenApiResource[]): void {
    const fingerprint = JSON.stringify(resources);
    if (fingerprint === this.#fingerprint) return;
    this.#fingerprint = fingerprint;
    this.#resources = [...resources];
    this.#built = undefined;
  }

  root(): OpenApiResponse {
    return this.#build().root;
  }

  /** The document for "api/v1" or "apis/<group>/<version>"; undefined (404) if none is served. */
  document(key: string): OpenApiResponse | undefined {
    return this.#build().documents.get(key);
  }

  /** Keys of the served group/version documents. */
  keys(): string[] {
    return [...this.#build().documents.keys()];
  }

  #build(): Built {
    if (this.#built) return this.#built;
    const documents = new Map<string, OpenApiResponse>();
    for (const gv of servedGroupVersions(this.#resources)) {
      const key = groupVersionKey(gv);
      documents.set(key, respond(serialize(openapiV3Document(this.#resources, gv, this.#info)), `/openapi/v3/${key}`));
    }
    const root = respond(serialize(openapiV3Root(this.#resources, (key) => documents.get(key)?.hash, this.#info)), '/openapi/v3');
    this.#built = { root, documents };
    return this.#built;
  }
}

function respond(body: Buffer, path: string): OpenApiResponse {
  const hash = contentHash(body);
  return { body, hash, etag: `"${hash}"`, url: `${path}?hash=${hash}` };
}
