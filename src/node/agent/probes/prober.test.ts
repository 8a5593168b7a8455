import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from './grpc-health.ts';
import { resolvePort, runAction } from './prober.ts';

const target = { podIP: '127.0.0.1', containerId: 'c1' };
const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

test('httpGet: 200–399 succeed, others fail; path and headers are sent', async (t) => {
  const seen: { url: string; header: string | undefined; ua: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', header: req.headers['x-probe'] as string | undefined, ua: req.headers['user-agent'] });
    const code = Number(req.url?.slice(1).split('?')[0]) || 200;
    if (req.url === '/hang') return;
    res.writeHead(code).end('ok');
  });
  const port = await listen(server);
  t.after(() => server.close());
  t.after(() => server.closeAllConnections());
  for (const [path, want] of [['/200', 'success'], ['/302', 'success'], ['/399', 'success'], ['/404', 'failure'], ['/500', 'failure']] as const) {
    const r = await runAction({ httpGet: { path, port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target, 1000);
    assert.equal(r.result, want, path);
  }
  assert.equal(seen[0]!.header, 'yes');
  assert.match(seen[0]!.ua ?? '', /^kube-probe\//);
  const slow = await runAction({ httpGet: { path: '/hang', port } }, target, 200);
  assert.equal(slow.result, 'failure');
  // a named port resolves against the container's ports
  const named = await runAction({ httpGet: { path: '/200', port: 'web' } }, { ...target, ports: [{ name: 'web', containerPort: port }] }, 1000);
  assert.equal(named.result, 'success');
});

test('httpGet to a closed port fails', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  assert.equal((await runAction({ httpGet: { port } }, target, 1000)).result, 'failure');
});

test('tcpSocket: connect succeeds, refused fails', async (t) => {
  const server = net.createServer((s) => s.end());
  const port = await listen(server);
  t.after(() => server.close());
  assert.equal((await runAction({ tcpSocket: { port } }, target, 1000)).result, 'success');
  const closed = net.createServer();
  const closedPort = await listen(closed);
  await new Promise<void>((r) => closed.close(() => r()));
  assert.equal((await runAction({ tcpSocket: { port: closedPort } }, target, 1000)).result, 'failure');
});

test('exec: exit code 0 succeeds; no exec function fails', async () => {
  const exec = async (_id: string, cmd: readonly string[]) => ({ exitCode: cmd[0] === 'ok' ? 0 : 1, output: cmd.join(' ') });
  assert.equal((await runAction({ exec: { command: ['ok'] } }, { ...target, exec }, 1000)).result, 'success');
  assert.equal((await runAction({ exec: { command: ['bad'] } }, { ...target, exec }, 1000)).result, 'failure');
  assert.equal((await runAction({ exec: { command: ['ok'] } }, target, 1000)).result, 'failure');
  const hang = async () => new Promise<{ exitCode: number; output: string }>(() => undefined);
  assert.equal((await runAction({ exec: { command: ['ok'] } }, { ...target, exec: hang }, 100)).result, 'failure');
});

test('grpc: health Check over h2c', async (t) => {
  const services: Record<string, number> = { '': 1, down: 2 };
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      assert.equal(headers[':path'], '/grpc.health.v1.Health/Check');
      const body = Buffer.concat(chunks).subarray(5);
      const service = body.length > 2 ? body.subarray(2).toString() : '';
      const status = services[service];
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(status === undefined ? { 'grpc-status': '5', 'grpc-message': 'unknown service' } : { 'grpc-status': '0' }));
      if (status === undefined) return stream.end();
      const msg = Buffer.from([0x08, status]);
      const head = Buffer.alloc(5);
      head.writeUInt32BE(msg.length, 1);
      stream.end(Buffer.concat([head, msg]));
    });
  });
  const port = await listen(server as unknown as net.Server);
  t.after(() => server.close());
  assert.equal((await runAction({ grpc: { port } }, target, 2000)).result, 'success');
  assert.equal((await runAction({ grpc: { port, service: 'down' } }, target, 2000)).result, 'failure');
  const missing = await runAction({ grpc: { port, service: 'nope' } }, target, 2000);
  assert.equal(missing.result, 'failure');
  assert.match(missing.output, /code = 5/);
});

test('grpc framing', () => {
  assert.deepEqual([...encodeHealthCheckRequest('')], [0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeHealthCheckRequest('ab')], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1])), 1);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
});

test('resolvePort', () => {
  assert.equal(resolvePort(80), 80);
  assert.equal(resolvePort('8080'), 8080);
  assert.equal(resolvePort('http', [{ name: 'http', containerPort: 81 }]), 81);
  assert.equal(resolvePort('nope'), undefined);
  assert.equal(resolvePort(0), undefined);
});
