// A grpc probe: one unary grpc.health.v1.Health/Check call over HTTP/2 (h2c), built by hand on
// node:http2 — the request is a length-prefixed HealthCheckRequest{service}, the answer a
// HealthCheckResponse whose status 1 (SERVING) succeeds; grpc-status in the trailers must be 0.

import * as http2 from 'node:http2';
import type { ActionResult, HttpTarget } from './http-get.ts';

/** protobuf: field 1 (string service), length-delimited; gRPC frame: flag 0 + uint32 length. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  const msg = s.length > 0 ? Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The status field (1, varint) of a framed HealthCheckResponse; 0 (UNKNOWN) when absent. */
export function decodeHealthCheckResponse(frame: Buffer): number {
  if (frame.length < 5) return -1;
  const msg = frame.subarray(5, 5 + frame.readUInt32BE(1));
  let i = 0;
  while (i < msg.length) {
    const key = msg[i++]!;
    if (key === 0x08) {
      let v = 0, shift = 0, b: number;
      do {
        b = msg[i++] ?? 0;
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      return v;
    }
    return 0;
  }
  return 0;
}

const SERVING = 1;

export function grpcHealthCheck(target: HttpTarget, service: string, timeoutMs: number): Promise<ActionResult> {
  return new Promise((resolve) => {
    let done = false;
    const client = http2.connect(`http://${target.host}:${target.port}`);
    const finish = (r: ActionResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.close();
      client.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `timeout: health rpc did not complete within ${timeoutMs}ms` }), timeoutMs);
    client.on('error', (err) => finish({ result: 'failure', output: `timeout: failed to connect service "${target.host}:${target.port}" within ${timeoutMs}ms: ${err.message}` }));
    const req = client.request({
      ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'kube-probe/1.33',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    req.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    req.on('trailers', (trailers) => {
      grpcStatus = String(trailers['grpc-status'] ?? grpcStatus ?? '');
      grpcMessage = String(trailers['grpc-message'] ?? '');
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', (err) => finish({ result: 'failure', output: err.message }));
    req.on('end', () => {
      if (grpcStatus !== '0') return finish({ result: 'failure', output: `rpc error: code = ${grpcStatus ?? 'unknown'} desc = ${grpcMessage}` });
      const status = decodeHealthCheckResponse(Buffer.concat(chunks));
      finish(status === SERVING
        ? { result: 'success', output: '' }
        : { result: 'failure', output: `service unhealthy (responded with "${status === 2 ? 'NOT_SERVING' : status === 3 ? 'SERVICE_UNKNOWN' : 'UNKNOWN'}")` });
    });
    req.end(encodeHealthCheckRequest(service));
  });
}
