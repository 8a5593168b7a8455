// Serves the Swagger 2.0 document from a cache: built once per resource set, the first time a
// format is asked for after update(), and handed out as ready bytes with an ETag.
//
// HTTP contract (kube-openapi's handler, which kube-apiserver uses for /openapi/v2):
//   Accept application/json (also */*, or no Accept)              -> JSON
//   Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf
//       or application/com.github.proto-openapi.spec.v2.v1.0+protobuf -> gnostic protobuf, served
//          as Content-Type application/com.github.proto-openapi.spec.v2.v1.0+protobuf
//   anything else                                                  -> 406
// The first acceptable clause in q order wins. /swagger-2.0.0.pb-v1 (the pre-1.10 path client-go
// falls back to) is always the protobuf form.

import { contentHash, DEFAULT_INFO, type DocumentInfo } from './document.ts';
import type { OpenApiResource } from './types.ts';
import { openapiV2Document } from './v2-document.ts';
import { encodeOpenApiV2 } from './v2-protobuf.ts';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export type OpenApiV2Format = 'json' | 'protobuf';

/** What each offered media type (lower case) is answered with, in upstream's preference order. */
const OFFERS: readonly { type: string; subtype: string; format: OpenApiV2Format }[] = [
  { type: 'application', subtype: 'json', format: 'json' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', format: 'protobuf' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', format: 'protobuf' },
];

export interface OpenApiV2Response {
  readonly body: Buffer;
  readonly contentType: string;
  /** The ETag header value: the SHA-512 of body, quoted. */
  readonly etag: string;
}

/** The format an Accept header asks for; undefined when nothing offered is acceptable (406). */
export function negotiateOpenApiV2(accept: string | undefined): OpenApiV2Format | undefined {
  const clauses = parseAccept(accept === undefined || accept.trim() === '' ? '*/*' : accept);
  for (const clause of clauses) {
    for (const offer of OFFERS) {
      if ((clause.type === offer.type || clause.type === '*') && (clause.subtype === offer.subtype || clause.subtype === '*')) return offer.format;
    }
  }
  return undefined;
}

interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
}

/** Accept clauses by preference: higher q first, then the more specific, then as written. */
function parseAccept(header: string): AcceptClause[] {
  const clauses: (AcceptClause & { index: number })[] = [];
  header.split(',').forEach((raw, index) => {
    const [range = '', ...params] = raw.split(';');
    const [type, subtype] = range.trim().toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q' && value !== undefined) q = Number(value);
    }
    if (!(q > 0)) return;
    clauses.push({ type, subtype, q, index });
  });
  const wildcards = (c: AcceptClause): number => (c.type === '*' ? 1 : 0) + (c.subtype === '*' ? 1 : 0);
  return clauses.sort((a, b) => b.q - a.q || wildcards(a) - wildcards(b) || a.index - b.index);
}

export class OpenApiV2Service {
  readonly #info: DocumentInfo;
  #resources: readonly OpenApiResource[] = [];
  #fingerprint = '';
  #built: { json?: OpenApiV2Response; protobuf?: OpenApiV2Response } = {};

  constructor(options: { info?: DocumentInfo } = {}) {
    this.#info = options.info ?? DEFAULT_INFO;
  }

  /** Replaces the served resource set; a no-op (cache kept) when nothing changed. */
  update(resources: readonly OpenApiResource[]): void {
    const fingerprint = JSON.stringify(resources);
    if (fingerprint === this.#fingerprint) return;
    this.#fingerprint = fingerprint;
    this.#resources = [...resources];
    this.#built = {};
  }

  /** The document in the given format, from the cache when it is current. */
  get(format: OpenApiV2Format): OpenApiV2Response {
    const cached = this.#built[format];
    if (cached) return cached;
    const doc = openapiV2Document(this.#resources, this.#info);
    const body = format === 'json' ? Buffer.from(JSON.stringify(doc)) : Buffer.from(encodeOpenApiV2(doc));
    const response = { body, contentType: format === 'json' ? 'application/json' : OPENAPI_V2_PROTOBUF, etag: `"${contentHash(body)}"` };
    this.#built[format] = response;
    return response;
  }

  /** The answer to an Accept header; undefined means 406 Not Acceptable. */
  negotiate(accept: string | undefined): OpenApiV2Response | undefined {
    const format = negotiateOpenApiV2(accept);
    return format ? this.get(format) : undefined;
  }
}
