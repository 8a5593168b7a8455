import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { API_AUDIENCES, SERVICE_ACCOUNT_ISSUER, ServiceAccountJwt, type IssueRequest } from './service-account-jwt.ts';
import { ecKeyPem, fakeClock } from './testing.ts';

const request: IssueRequest = {
  namespace: 'prod',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
  audiences: API_AUDIENCES,
  expirationSeconds: 3600,
};

describe('ServiceAccountJwt', () => {
  const key = ecKeyPem();

  it('issues an ES256 token with upstream claims and verifies it', async () => {
    const clock = fakeClock();
    const jwt = new ServiceAccountJwt({ privateKeyPem: key, now: clock.now });
    const issued = await jwt.issue({ ...request, pod: { name: 'web-0', uid: 'pod-uid' } });
    assert.equal(issued.expirationTimestamp.toISOString(), '2026-05-01T11:00:00.000Z');
    const header = decodeProtectedHeader(issued.token);
    assert.equal(header.alg, 'ES256');
    assert.match(header.kid ?? '', /^[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(issued.token);
    const iat = Date.parse('2026-05-01T10:00:00Z') / 1000;
    assert.deepEqual(
      { ...claims, jti: undefined },
      {
        'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'robot', uid: 'sa-uid' }, pod: { name: 'web-0', uid: 'pod-uid' } },
        iss: SERVICE_ACCOUNT_ISSUER,
        sub: 'system:serviceaccount:prod:robot',
        aud: [SERVICE_ACCOUNT_ISSUER],
        iat,
        nbf: iat,
        exp: iat + 3600,
        jti: undefined,
      },
    );
    assert.equal(claims.jti, issued.id);

    const verified = await jwt.verify(issued.token, API_AUDIENCES);
    assert.equal(verified.kind, 'valid');
    assert.deepEqual(verified.kind === 'valid' && verified.claims.kubernetes.pod, { name: 'web-0', uid: 'pod-uid' });
    assert.deepEqual(verified.kind === 'valid' && verified.claims.audiences, [SERVICE_ACCOUNT_ISSUER]);
  });

  it('rejects a token once it expired (past the one-minute leeway)', async () => {
    const clock = fakeClock();
    const jwt = new ServiceAccountJwt({ privateKeyPem: key, now: clock.now });
    const { token } = await jwt.issue({ ...request, expirationSeconds: 600 });
    clock.advance(600 + 30);
    assert.equal((await jwt.verify(token, API_AUDIENCES)).kind, 'valid');
    clock.advance(31);
    assert.deepEqual(await jwt.verify(token, API_AUDIENCES), { kind: 'rejected', error: 'service account token has expired' });
  });

  it('rejects a token not yet valid', async () => {
    const clock = fakeClock();
    const jwt = new ServiceAccountJwt({ privateKeyPem: key, now: clock.now });
    const { token } = await jwt.issue(request);
    clock.advance(-120);
    assert.deepEqual(await jwt.verify(token, API_AUDIENCES), { kind: 'rejected', error: 'service account token is not valid yet' });
  });

  it('accepts a token only for an audience it names, reporting the ones that matched', async () => {
    const jwt = new ServiceAccountJwt({ privateKeyPem: key });
    const { token } = await jwt.issue({ ...request, audiences: ['vault', 'nats'] });
    assert.deepEqual(await jwt.verify(token, API_AUDIENCES), {
      kind: 'rejected',
      error: 'token audiences ["vault" "nats"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]',
    });
    const verified = await jwt.verify(token, ['nats', 'other']);
    assert.deepEqual(verified.kind === 'valid' && verified.claims.audiences, ['nats']);
  });

  it('rejects a tampered payload or signature, and a token signed by another key', async () => {
    const jwt = new ServiceAccountJwt({ privateKeyPem: key });
    const { token } = await jwt.issue(request);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    assert.deepEqual(await jwt.verify(`${header}.${forged}.${signature}`, API_AUDIENCES), { kind: 'rejected', error: 'service account token signature is invalid' });
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    assert.equal((await jwt.verify(`${header}.${payload}.${flipped}`, API_AUDIENCES)).kind, 'rejected');

    const other = new ServiceAccountJwt({ privateKeyPem: ecKeyPem() });
    const { token: foreignKey } = await other.issue(request);
    assert.deepEqual(await jwt.verify(foreignKey, API_AUDIENCES), { kind: 'rejected', error: 'service account token signature is invalid' });
  });

  it('rejects validly signed tokens whose kubernetes.io claim does not match the subject', async () => {
    const jwt = new ServiceAccountJwt({ privateKeyPem: key });
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, sub: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(SERVICE_ACCOUNT_ISSUER).setSubject(sub).setAudience([...API_AUDIENCES]).setIssuedAt(now).setExpirationTime(now + 600).sign(createPrivateKey(key));
    const mismatched = await sign({ 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'robot', uid: 'u' } } }, 'system:serviceaccount:prod:admin');
    assert.deepEqual(await jwt.verify(mismatched, API_AUDIENCES), { kind: 'rejected', error: 'service account token claims are malformed' });
    const missing = await sign({}, 'system:serviceaccount:prod:robot');
    assert.equal((await jwt.verify(missing, API_AUDIENCES)).kind, 'rejected');
  });

  it('leaves tokens of other issuers and non-JWTs to other authenticators', async () => {
    const jwt = new ServiceAccountJwt({ privateKeyPem: key });
    const other = new ServiceAccountJwt({ privateKeyPem: key, issuer: 'https://issuer.example' });
    const { token } = await other.issue(request);
    assert.deepEqual(await jwt.verify(token, API_AUDIENCES), { kind: 'foreign' });
    assert.deepEqual(await jwt.verify('abc123.static-token', API_AUDIENCES), { kind: 'foreign' });
    assert.deepEqual(await jwt.verify('', API_AUDIENCES), { kind: 'foreign' });
  });

  it('signs with RS256 when the key is RSA', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const jwt = new ServiceAccountJwt({ privateKeyPem: rsa });
    const { token } = await jwt.issue(request);
    assert.equal(decodeProtectedHeader(token).alg, 'RS256');
    assert.equal((await jwt.verify(token, API_AUDIENCES)).kind, 'valid');
  });
});
