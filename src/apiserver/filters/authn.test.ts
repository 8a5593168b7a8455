import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authenticator, bearerToken, type AuthnRequest, type TokenAuthenticator, type UserInfo } from './authn.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** A stand-in for a TLS socket that counts how often its certificate is read. */
function fakeSocket(options: { authorized: boolean; subject?: Record<string, string | string[]>; eku?: string[] }) {
  const socket = {
    authorized: options.authorized,
    reads: 0,
    getPeerCertificate() {
      socket.reads++;
      if (options.subject === undefined) return {};
      return { subject: options.subject, ...(options.eku ? { ext_key_usage: options.eku } : {}) };
    },
  };
  return socket;
}

function request(socket: object, headers: AuthnRequest['headers'] = {}, session?: object): AuthnRequest {
  return session === undefined ? { socket, headers } : { socket, headers, stream: { session } };
}

function tokens(map: Record<string, UserInfo>): TokenAuthenticator {
  return { authenticate: async (token) => map[token] };
}

describe('bearerToken', () => {
  it('parses the Authorization header as Kubernetes does', () => {
    assert.equal(bearerToken({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(bearerToken({ authorization: '  bearer abc  ' }), 'abc');
    assert.equal(bearerToken({ authorization: 'Bearer abc def' }), 'abc');
    assert.equal(bearerToken({ authorization: ['Bearer first', 'Bearer second'] }), 'first');
    assert.equal(bearerToken({ authorization: 'Bearer  abc' }), undefined);
    assert.equal(bearerToken({ authorization: 'Bearer' }), undefined);
    assert.equal(bearerToken({ authorization: 'Basic YTpi' }), undefined);
    assert.equal(bearerToken({}), undefined);
  });
});

describe('Authenticator', () => {
  it('maps a verified client certificate to CN and O, adding system:authenticated', async () => {
    const authn = new Authenticator();
    const socket = fakeSocket({ authorized: true, subject: { CN: 'admin', O: ['system:masters', 'ops'] }, eku: [CLIENT_AUTH] });
    assert.deepEqual(await authn.authenticate(request(socket)), {
      username: 'admin',
      groups: ['system:masters', 'ops', 'system:authenticated'],
    });
    const single = fakeSocket({ authorized: true, subject: { CN: 'bob', O: 'dev' } });
    assert.deepEqual(await authn.authenticate(request(single)), { username: 'bob', groups: ['dev', 'system:authenticated'] });
  });

  it('ignores certificates the TLS layer did not verify, without a CN, or not for client auth', async () => {
    const authn = new Authenticator();
    const cases = [
      fakeSocket({ authorized: false, subject: { CN: 'mallory', O: 'system:masters' } }),
      fakeSocket({ authorized: true, subject: { O: 'system:masters' } }),
      fakeSocket({ authorized: true, subject: { CN: 'server' }, eku: [SERVER_AUTH] }),
      fakeSocket({ authorized: false }),
      {}, // a plain TCP socket
    ];
    for (const socket of cases) assert.equal(await authn.authenticate(request(socket)), undefined);
  });

  it('reads the certificate once per connection, keyed on the HTTP/2 session', async () => {
    const authn = new Authenticator();
    const socket = fakeSocket({ authorized: true, subject: { CN: 'admin' } });
    const session = {};
    // The HTTP/2 compatibility API hands out a new socket proxy per stream.
    const first = await authn.authenticate(request(socket, {}, session));
    const second = await authn.authenticate(request({ ...socket }, {}, session));
    assert.equal(socket.reads, 1);
    assert.deepEqual(first, second);
    assert.notEqual(first, second, 'each caller gets its own copy');

    const plain = fakeSocket({ authorized: true, subject: { CN: 'admin' } });
    await authn.authenticate(request(plain));
    await authn.authenticate(request(plain));
    assert.equal(plain.reads, 1);

    const anonymous = fakeSocket({ authorized: false });
    await authn.authenticate(request(anonymous));
    await authn.authenticate(request(anonymous));
    assert.equal(anonymous.reads, 1);
  });

  it('tries token authenticators in order and keeps the first identity', async () => {
    const authn = new Authenticator({
      tokenAuthenticators: [
        tokens({ a: { username: 'from-first', groups: [] } }),
        tokens({ a: { username: 'shadowed', groups: [] }, b: { username: 'from-second', uid: '7', groups: ['system:authenticated'], extra: { scopes: ['x'] } } }),
      ],
    });
    const socket = fakeSocket({ authorized: false });
    assert.deepEqual(await authn.authenticate(request(socket, { authorization: 'Bearer a' })), {
      username: 'from-first',
      groups: ['system:authenticated'],
    });
    assert.deepEqual(await authn.authenticate(request(socket, { authorization: 'Bearer b' })), {
      username: 'from-second',
      uid: '7',
      groups: ['system:authenticated'],
      extra: { scopes: ['x'] },
    });
    assert.equal(await authn.authenticate(request(socket, { authorization: 'Bearer c' })), undefined);
    assert.equal(await authn.authenticate(request(socket)), undefined);
  });

  it('prefers the client certificate over a bearer token', async () => {
    const authn = new Authenticator({ tokenAuthenticators: [tokens({ t: { username: 'token-user', groups: [] } })] });
    const socket = fakeSocket({ authorized: true, subject: { CN: 'cert-user' } });
    const user = await authn.authenticate(request(socket, { authorization: 'Bearer t' }));
    assert.equal(user?.username, 'cert-user');
  });

  it('skips a failing token authenticator and accepts later additions', async () => {
    const authn = new Authenticator({
      tokenAuthenticators: [{ authenticate: async () => Promise.reject(new Error('backend down')) }],
    });
    const socket = fakeSocket({ authorized: false });
    const req = request(socket, { authorization: 'Bearer t' });
    assert.equal(await authn.authenticate(req), undefined);
    authn.addTokenAuthenticator(tokens({ t: { username: 'late', groups: [] } }));
    assert.equal((await authn.authenticate(req))?.username, 'late');
  });
});
