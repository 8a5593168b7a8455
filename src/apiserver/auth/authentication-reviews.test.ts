import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { Authenticator } from '../filters/authn.ts';
import { StaticTokenAuthenticator } from '../filters/authn-static-token.ts';
import { selfSubjectReview, tokenReview } from './authentication-reviews.ts';
import { API_AUDIENCES, SERVICE_ACCOUNT_ISSUER, ServiceAccountJwt } from './service-account-jwt.ts';
import { ServiceAccountTokens } from './service-account-tokens.ts';
import { ecKeyPem, fakeClock, FakeObjects } from './testing.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const review = (kind: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'authentication.k8s.io/v1', kind, metadata: {}, spec });

describe('SelfSubjectReview', () => {
  it('reports the caller', async () => {
    const clock = fakeClock();
    const answer = await selfSubjectReview(clock.now).create(review('SelfSubjectReview'), { ...admin, uid: 'u-1', extra: { scopes: ['a'] } }, undefined);
    assert.equal(answer.kind, 'SelfSubjectReview');
    assert.equal(answer.metadata.creationTimestamp, '2026-05-01T10:00:00Z');
    assert.deepEqual(answer['status'], { userInfo: { username: 'admin', uid: 'u-1', groups: ['system:masters', 'system:authenticated'], extra: { scopes: ['a'] } } });
    const plain = await selfSubjectReview().create(review('SelfSubjectReview'), admin, undefined);
    assert.deepEqual(plain['status'], { userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });
  });
});

describe('TokenReview', () => {
  function setup() {
    const objects = new FakeObjects();
    objects.put('ServiceAccount', 'prod', 'robot', 'sa-1');
    const tokens = new ServiceAccountTokens({ jwt: new ServiceAccountJwt({ privateKeyPem: ecKeyPem() }), getObject: objects.getter });
    const authenticator = new Authenticator({ tokenAuthenticators: [new StaticTokenAuthenticator([['static-secret', { username: 'bootstrap', groups: ['system:bootstrappers'] }]])] });
    authenticator.addTokenAuthenticator(tokens);
    const handler = tokenReview({ authenticator, tokens });
    const ask = async (spec: Record<string, unknown>) => (await handler.create(review('TokenReview', spec), admin, undefined))['status'];
    const issue = (audiences = API_AUDIENCES) => tokens.issue({ namespace: 'prod', serviceAccount: { name: 'robot', uid: 'sa-1' }, audiences, expirationSeconds: 3600 });
    return { objects, ask, issue };
  }

  it('authenticates a ServiceAccount token for the API audience', async () => {
    const { ask, issue } = setup();
    const { token, id } = await issue();
    assert.deepEqual(await ask({ token }), {
      authenticated: true,
      user: {
        username: 'system:serviceaccount:prod:robot',
        uid: 'sa-1',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:prod', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${id}`] },
      },
      audiences: [SERVICE_ACCOUNT_ISSUER],
    });
  });

  it('checks the audiences it is asked about', async () => {
    const { ask, issue } = setup();
    const { token } = await issue(['vault']);
    assert.deepEqual(((await ask({ token, audiences: ['vault', 'x'] })) as Record<string, unknown>)['audiences'], ['vault']);
    assert.deepEqual(await ask({ token }), {
      user: {},
      error: 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]',
    });
  });

  it('reports why a ServiceAccount token no longer holds', async () => {
    const { ask, issue, objects } = setup();
    const { token } = await issue();
    objects.delete('ServiceAccount', 'prod', 'robot');
    assert.deepEqual(await ask({ token }), { user: {}, error: 'serviceaccounts "robot" not found' });
  });

  it('authenticates other tokens through the server authenticator, for API audiences only', async () => {
    const { ask } = setup();
    assert.deepEqual(await ask({ token: 'static-secret' }), {
      authenticated: true,
      user: { username: 'bootstrap', groups: ['system:bootstrappers', 'system:authenticated'] },
      audiences: [SERVICE_ACCOUNT_ISSUER],
    });
    assert.deepEqual(await ask({ token: 'static-secret', audiences: ['vault'] }), {
      user: {},
      error: 'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]',
    });
    assert.deepEqual(await ask({ token: 'garbage' }), { user: {} });
  });

  it('needs a token', async () => {
    const { ask } = setup();
    await assert.rejects(ask({}), (err: unknown) => isStatusError(err) && err.code === 400 && err.message === 'token is required for TokenReview in authentication');
    await assert.rejects(ask({ token: 7 }), (err: unknown) => isStatusError(err) && err.code === 422 && /spec\.token/.test(err.message));
  });
});
