// Reading and decoding request bodies: a hard size limit (413), content types JSON, YAML and
// Kubernetes protobuf (415 for anything else), a nesting-depth bound so hostile documents cannot
// exhaust the stack, and 400 Statuses for malformed input.

import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { parse as parseYaml } from 'yaml';
import { decodeKubeProtobuf, PROTOBUF_MEDIA_TYPE } from '../../machinery/protobuf/index.ts';
import { badRequest, isStatusError, StatusError, tooLarge, unsupportedMediaType } from '../../machinery/status-error.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 100;

export type AnyRequest = IncomingMessage | Http2ServerRequest;

export async function readBody(req: AnyRequest, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(`the request body is too large: limit is ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        throw tooLarge(`the request body is too large: limit is ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (isStatusError(err)) throw err;
    // The client went away mid-body: its fault, not an unexpected server error (no error log).
    throw new StatusError(badRequest('the request body was not received completely: the client closed the connection').status, { cause: err });
  }
  return Buffer.concat(chunks, size);
}

/** The media type without parameters, lower-cased ("application/json"). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export const JSON_TYPES = new Set(['application/json', '']);
export const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);
/** Typed Go clients (kubectl 1.32+ generators, auth can-i/whoami, create token) write protobuf. */
export const PROTOBUF_TYPES = new Set([PROTOBUF_MEDIA_TYPE]);
/** Media types of whole objects (create, update, delete options). */
export const OBJECT_TYPES: ReadonlySet<string> = new Set([...JSON_TYPES, ...YAML_TYPES, ...PROTOBUF_TYPES]);
export const PATCH_TYPES = new Set([
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

/** Decodes a JSON, YAML or protobuf body into its JSON value; anything else is a 415. */
export function decodeBody(body: Buffer, contentType: string, allowed: ReadonlySet<string> = OBJECT_TYPES): unknown {
  if (!allowed.has(contentType)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${[...allowed].filter(Boolean).join(', ')}`);
  }
  if (body.length === 0) throw badRequest('the request body is empty');
  if (PROTOBUF_TYPES.has(contentType)) {
    try {
      return decodeKubeProtobuf(body).object;
    } catch (err) {
      throw new StatusError(badRequest(`error decoding protobuf: ${(err as Error).message}`).status, { cause: err });
    }
  }
  let value: unknown;
  if (YAML_TYPES.has(contentType) || contentType === 'application/apply-patch+yaml') {
    checkDepth(body, true);
    const text = body.toString('utf8');
    // JSON is YAML, and clients (kubectl apply --server-side) mostly send JSON under YAML types:
    // take the fast parser first; only real YAML pays for the YAML parser.
    const asJson = tryJson(text);
    if (asJson.ok) return asJson.value;
    checkYamlSize(text);
    try {
      value = parseYaml(text, { maxAliasCount: 100, strict: true, uniqueKeys: true });
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    checkJsonCompatible(value);
  } else {
    checkDepth(body, false);
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  return value;
}

/**
 * YAML can express values JSON cannot (`!!set`, `!!omap`, `!!binary`, `!!timestamp`, `.inf`,
 * `.nan`); they would silently turn into `{}` or `null` when stored. Upstream's YAML-to-JSON
 * conversion rejects them, so do we. Iterative: the document may nest deeply.
 */
function checkJsonCompatible(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length) {
    const value = pending.pop();
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw badRequest(`error decoding YAML: ${value} cannot be represented in JSON`);
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
      continue;
    }
    const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (proto !== Object.prototype && proto !== null) {
      throw badRequest(`error decoding YAML: a ${(value as object)?.constructor?.name ?? typeof value} value cannot be represented in JSON`);
    }
    for (const item of Object.values(value as object)) pending.push(item);
  }
}

/** Rejects documents nested deeper than MAX_NESTING_DEPTH before parsing them. */
function checkDepth(body: Buffer, yaml: boolean): void {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  if (max > MAX_NESTING_DEPTH) throw badRequest(`the request body is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`);
  if (yaml) {
    // Block-style YAML nests by indentation: bound it by the deepest indentation seen.
    let maxIndent = 0;
    for (const line of body.toString('utf8').split('\n')) {
      const indent = line.length - line.trimStart().length;
      if (indent > maxIndent) maxIndent = indent;
    }
    if (maxIndent > MAX_NESTING_DEPTH * 8) throw badRequest(`the request body is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`);
  }
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The YAML parser is ~100x slower than JSON.parse and runs on the event loop: bound the number
 * of YAML nodes (approximated by item, key and flow separators) so one request cannot stall the
 * server for seconds. Real manifests stay far below this.
 */
const MAX_YAML_NODES = 200_000;

function checkYamlSize(text: string): void {
  let nodes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // '-' (sequence item), ':' (mapping key), ',' (flow separator)
    if (c === 0x2d || c === 0x3a || c === 0x2c) nodes++;
  }
  if (nodes > MAX_YAML_NODES) throw badRequest(`the YAML request body has too many nodes (more than ${MAX_YAML_NODES}); send JSON instead`);
}
