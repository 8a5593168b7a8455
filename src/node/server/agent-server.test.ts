import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { pino } from 'pino';
import { createCertificateAuthority, issueCertificate } from '../../apiserver/pki/certificates.ts';
import { AgentServer } from './agent-server.ts';

async function pki() {
  const now = new Date();
  const ca = await createCertificateAuthority('test-ca', 1, now);
  const serving = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'server', subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }], days: 1, now });
  const carol = await issueCertificate(ca, { commonName: 'carol', usage: 'client', days: 1, now });
  return { ca, serving, carol };
}

function get(port: number, path: string, ca: string, client?: { certPem: string; keyPem: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the agent server authenticates, authorizes and dispatches by the first path segment', async () => {
  const { ca, serving, carol } = await pki();
  const seen: string[] = [];
  const server = new AgentServer(
    { port: 0, bind: '127.0.0.1', tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem } },
    {
      routes: [{ prefix: 'echo', http: (_req, res, parts, _url, caller) => { seen.push(`${caller.user}:${parts.join('/')}`); res.end(parts.join('/')); } }],
      authorize: async (caller, _method, path) => ({ allowed: !path.startsWith('/echo/secret'), reason: `Forbidden (user=${caller.user}, verb=get, resource=nodes, subresource=proxy)` }),
      logger: pino({ level: 'silent' }),
    },
  );
  const { port } = await server.listen();
  try {
    assert.equal((await get(port, '/echo/a/b%20c', ca.certPem)).status, 401);
    const ok = await get(port, '/echo/a/b%20c', ca.certPem, carol);
    assert.deepEqual(ok, { status: 200, body: 'a/b c' });
    assert.deepEqual(seen, ['carol:a/b c']);
    const denied = await get(port, '/echo/secret', ca.certPem, carol);
    assert.equal(denied.status, 403);
    assert.equal(denied.body, 'Forbidden (user=carol, verb=get, resource=nodes, subresource=proxy)');
    assert.equal((await get(port, '/other', ca.certPem, carol)).status, 404);
  } finally {
    await server.close();
  }
});

test('two routes may not claim one prefix', () => {
  const route = { prefix: 'x', http: () => undefined };
  assert.throws(() => new AgentServer({ port: 0, bind: '127.0.0.1', tls: { certPem: '', keyPem: '', caPem: '' } }, { routes: [route, route], authorize: async () => ({ allowed: true, reason: '' }), logger: pino({ level: 'silent' }) }), /two agent routes/);
});

test('a renewed serving certificate is used for new connections', async () => {
  const { ca, serving, carol } = await pki();
  const server = new AgentServer(
    { port: 0, bind: '127.0.0.1', tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem } },
    { routes: [{ prefix: 'x', http: (_req, res) => void res.end('x') }], authorize: async () => ({ allowed: true, reason: '' }), logger: pino({ level: 'silent' }) },
  );
  const { port } = await server.listen();
  const servedSerial = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/x', ca: ca.certPem, cert: carol.certPem, key: carol.keyPem, agent: false }, (res) => {
        resolve((res.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber);
        res.resume();
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const before = await servedSerial();
    const renewed = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'server', subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }], days: 1, now: new Date() });
    server.setCertificate(renewed.certPem, renewed.keyPem);
    const after = await servedSerial();
    assert.notEqual(after, before);
    assert.equal(after.toLowerCase(), new (await import('node:crypto')).X509Certificate(renewed.certPem).serialNumber.toLowerCase());
  } finally {
    await server.close();
  }
});
