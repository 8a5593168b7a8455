// Writing responses: JSON bodies with the right headers, Status errors, and gzip for large
// bodies when the client accepts it (as upstream does above 128 KiB). Objects and Status errors
// are written as Kubernetes protobuf instead when the client lists that first and the kind has a
// message (see negotiate.ts).

import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { stringify as toYaml } from 'yaml';
import { internalError, isStatusError, type Status } from '../../machinery/status-error.ts';
import type { AnyRequest } from './body.ts';
import { prefersProtobuf } from './negotiate.ts';
import { canEncodeKubeProtobuf, encodeKubeProtobuf, PROTOBUF_MEDIA_TYPE, ProtobufError } from '../../machinery/protobuf/index.ts';

export type AnyResponse = ServerResponse | Http2ServerResponse;

const GZIP_THRESHOLD = 128 * 1024;

export function send(req: AnyRequest, res: AnyResponse, code: number, body: string | Buffer, contentType = 'application/json', extraHeaders?: Record<string, string>): void {
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string | number> = { 'content-type': contentType, 'cache-control': 'no-cache, private', ...extraHeaders };
  if (payload.length > GZIP_THRESHOLD && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    payload = gzipSync(payload, { level: 1 });
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = payload.length;
  (res as ServerResponse).writeHead(code, headers);
  (res as ServerResponse).end(req.method === 'HEAD' ? undefined : payload);
}

/** Writes an API object as JSON or YAML, or as protobuf when the client prefers it and the kind has a message. */
export function sendJson(req: AnyRequest, res: AnyResponse, code: number, value: unknown, format: 'json' | 'yaml' = 'json', extraHeaders?: Record<string, string>): void {
  if (format === 'yaml') send(req, res, code, toYaml(value), 'application/yaml', extraHeaders);
  else {
    const proto = protobufBody(req, value);
    if (proto) send(req, res, code, proto, PROTOBUF_MEDIA_TYPE, extraHeaders);
    else send(req, res, code, JSON.stringify(value), 'application/json', extraHeaders);
  }
}

/** The protobuf encoding of an object, when the client asked for protobuf first and the kind has a message. */
export function protobufBody(req: AnyRequest, value: unknown): Buffer | undefined {
  if (!prefersProtobuf(req.headers.accept) || !canEncodeKubeProtobuf(value)) return undefined;
  try {
    const bytes = encodeKubeProtobuf(value as Record<string, unknown>);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  } catch (err) {
    // A value the message cannot carry (mistyped field): JSON, which the client also accepts, still can.
    if (err instanceof ProtobufError) return undefined;
    throw err;
  }
}

/** Converts any error into a Status response; unexpected errors become a 500 without a stack. */
export function sendError(req: AnyRequest, res: AnyResponse, err: unknown, onUnexpected?: (err: unknown) => void): number {
  let status: Status;
  if (isStatusError(err)) status = err.status;
  else {
    onUnexpected?.(err);
    status = internalError('an unexpected error occurred; see the server log').status;
  }
  const headers: Record<string, string> = {};
  const retry = status.details?.retryAfterSeconds;
  if (retry !== undefined) headers['retry-after'] = String(retry);
  if (res.headersSent) {
    (res as ServerResponse).destroy();
    return status.code;
  }
  sendJson(req, res, status.code, status, 'json', headers);
  return status.code;
}

export function successStatus(details?: Record<string, unknown>): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}
