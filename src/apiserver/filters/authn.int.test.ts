// A real TLS server configured as the API server will be (HTTP/2 with HTTP/1.1 fallback, client
// certificates requested but verified by the Authenticator) answering with the identity it sees.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ensurePki, writeKubeconfig, type Pki } from '../pki/index.ts';
import { StaticTokenAuthenticator } from './authn-static-token.ts';
import { Authenticator, type UserInfo } from './authn.ts';

interface Credentials {
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

interface Answer {
  status: number;
  user: UserInfo | null;
}

describe('Authenticator behind a TLS server', () => {
  let dir: string;
  let pki: Pki;
  let foreign: Pki;
  let server: Http2SecureServer;
  let port: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-authn-'));
    pki = await ensurePki(join(dir, 'cluster'), { sans: [] });
    foreign = await ensurePki(join(dir, 'foreign'), { sans: [] });
    const authn = new Authenticator({
      tokenAuthenticators: [new StaticTokenAuthenticator([['s3cret', { username: 'bootstrap', groups: ['system:bootstrappers'] }]])],
    });
    server = createSecureServer(
      {
        allowHTTP1: true,
        requestCert: true,
        rejectUnauthorized: false,
        ca: [pki.caCertPem],
        cert: pki.serverCertPem,
        key: pki.serverKeyPem,
      },
      (req, res) => {
        authn.authenticate(req).then(
          (user) => {
            res.writeHead(user === undefined ? 401 : 200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(user ?? null));
          },
          (err: unknown) => {
            res.writeHead(500);
            res.end(String(err));
          },
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** One HTTP/1.1 request on a fresh connection, verifying the server against the cluster CA. */
  function get1(credentials: Credentials): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/version',
          agent: false,
          ca: credentials.ca,
          ...(credentials.cert !== undefined ? { cert: credentials.cert } : {}),
          ...(credentials.key !== undefined ? { key: credentials.key } : {}),
          ...(credentials.token !== undefined ? { headers: { authorization: `Bearer ${credentials.token}` } } : {}),
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, user: JSON.parse(body) as UserInfo | null }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Several HTTP/2 streams on one session (one TLS connection). */
  async function get2(credentials: Credentials, streams: number): Promise<Answer[]> {
    const session = http2Connect(`https://127.0.0.1:${port}`, {
      ca: credentials.ca,
      ...(credentials.cert !== undefined ? { cert: credentials.cert } : {}),
      ...(credentials.key !== undefined ? { key: credentials.key } : {}),
    });
    try {
      const one = (): Promise<Answer> =>
        new Promise((resolve, reject) => {
          const stream = session.request({ ':path': '/version' });
          let status = 0;
          let body = '';
          stream.setEncoding('utf8');
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status, user: JSON.parse(body) as UserInfo | null }));
          stream.on('error', reject);
        });
      return await Promise.all(Array.from({ length: streams }, one));
    } finally {
      session.close();
    }
  }

  const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

  it('authenticates the admin client certificate over HTTP/1.1', async () => {
    assert.deepEqual(await get1({ ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem }), {
      status: 200,
      user: ADMIN,
    });
  });

  it('authenticates the admin client certificate on every HTTP/2 stream', async () => {
    const answers = await get2({ ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem }, 3);
    assert.deepEqual(answers, [
      { status: 200, user: ADMIN },
      { status: 200, user: ADMIN },
      { status: 200, user: ADMIN },
    ]);
  });

  it('authenticates a node certificate issued later', async () => {
    const node = await pki.issueClientCertificate('system:node:worker-1', ['system:nodes'], 1);
    assert.deepEqual(await get1({ ca: pki.caCertPem, cert: node.certPem, key: node.keyPem }), {
      status: 200,
      user: { username: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] },
    });
  });

  it('leaves a client without a certificate anonymous', async () => {
    assert.deepEqual(await get1({ ca: pki.caCertPem }), { status: 401, user: null });
    assert.deepEqual(await get2({ ca: pki.caCertPem }, 2), [
      { status: 401, user: null },
      { status: 401, user: null },
    ]);
  });

  it('rejects a client certificate signed by another CA', async () => {
    const credentials = { ca: pki.caCertPem, cert: foreign.adminCertPem, key: foreign.adminKeyPem };
    assert.deepEqual(await get1(credentials), { status: 401, user: null });
    assert.deepEqual(await get2(credentials, 1), [{ status: 401, user: null }]);
  });

  it('authenticates a static bearer token and rejects an unknown one', async () => {
    assert.deepEqual(await get1({ ca: pki.caCertPem, token: 's3cret' }), {
      status: 200,
      user: { username: 'bootstrap', groups: ['system:bootstrappers', 'system:authenticated'] },
    });
    assert.deepEqual(await get1({ ca: pki.caCertPem, token: 'wrong' }), { status: 401, user: null });
  });

  it('connects with the credentials of the written admin kubeconfig', async () => {
    const path = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(path, {
      server: `https://127.0.0.1:${port}`,
      caCertPem: pki.caCertPem,
      clientCertPem: pki.adminCertPem,
      clientKeyPem: pki.adminKeyPem,
    });
    const config = parse(await readFile(path, 'utf8'));
    const context = config.contexts.find((c: { name: string }) => c.name === config['current-context']).context;
    const cluster = config.clusters.find((c: { name: string }) => c.name === context.cluster).cluster;
    const user = config.users.find((u: { name: string }) => u.name === context.user).user;
    const decode = (value: string): string => Buffer.from(value, 'base64').toString('utf8');
    assert.equal(cluster.server, `https://127.0.0.1:${port}`);
    assert.deepEqual(
      await get1({
        ca: decode(cluster['certificate-authority-data']),
        cert: decode(user['client-certificate-data']),
        key: decode(user['client-key-data']),
      }),
      { status: 200, user: ADMIN },
    );
  });
});
