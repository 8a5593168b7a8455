import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_AUDIENCES, ServiceAccountJwt } from './service-account-jwt.ts';
import { ServiceAccountTokens } from './service-account-tokens.ts';
import { ecKeyPem, fakeClock, FakeObjects } from './testing.ts';

function setup() {
  const clock = fakeClock();
  const objects = new FakeObjects();
  const tokens = new ServiceAccountTokens({ jwt: new ServiceAccountJwt({ privateKeyPem: ecKeyPem(), now: clock.now }), getObject: objects.getter, now: clock.now });
  objects.put('ServiceAccount', 'prod', 'robot', 'sa-1');
  const issue = (extra: Partial<Parameters<ServiceAccountTokens['issue']>[0]> = {}) =>
    tokens.issue({ namespace: 'prod', serviceAccount: { name: 'robot', uid: 'sa-1' }, audiences: API_AUDIENCES, expirationSeconds: 3600, ...extra });
  return { clock, objects, tokens, issue };
}

describe('ServiceAccountTokens', () => {
  it('authenticates a live ServiceAccount as system:serviceaccount:<ns>:<name>', async () => {
    const { tokens, issue } = setup();
    const issued = await issue();
    assert.deepEqual(await tokens.authenticate(issued.token), {
      username: 'system:serviceaccount:prod:robot',
      uid: 'sa-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:prod'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${issued.id}`] },
    });
  });

  it('stops accepting the token when the ServiceAccount is deleted or re-created', async () => {
    const { tokens, objects, issue } = setup();
    const { token } = await issue();
    objects.delete('ServiceAccount', 'prod', 'robot');
    assert.equal(await tokens.authenticate(token), undefined);
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'serviceaccounts "robot" not found' });
    objects.put('ServiceAccount', 'prod', 'robot', 'sa-2');
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'service account UID (sa-2) does not match claim (sa-1)' });
  });

  it('confirms a cache miss or another uid with a consistent read before refusing', async () => {
    const { tokens, objects, issue } = setup();
    const { token } = await issue();
    // The watch cache still holds a previous incarnation; the store has the one the token names.
    objects.stale.set('ServiceAccount/prod/robot', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', uid: 'old' } });
    assert.equal((await tokens.authenticate(token))?.username, 'system:serviceaccount:prod:robot');
    assert.deepEqual(objects.consistentReads, ['ServiceAccount/prod/robot']);
  });

  it('refuses expired tokens, and tokens for other audiences on the API path', async () => {
    const { tokens, clock, issue } = setup();
    const { token } = await issue({ expirationSeconds: 600 });
    const vault = await issue({ audiences: ['vault'] });
    assert.equal(await tokens.authenticate(vault.token), undefined);
    const forVault = await tokens.check(vault.token, ['vault']);
    assert.deepEqual(forVault.kind === 'authenticated' && forVault.audiences, ['vault']);
    clock.advance(3600);
    assert.equal(await tokens.authenticate(token), undefined);
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'service account token has expired' });
  });

  it('ties a bound token to its pod and node, reporting them as user extra', async () => {
    const { tokens, objects, issue } = setup();
    objects.put('Pod', 'prod', 'web-0', 'pod-1');
    objects.put('Node', undefined, 'n1', 'node-1');
    const { token } = await issue({ pod: { name: 'web-0', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } });
    const user = await tokens.authenticate(token);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['web-0']);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-1']);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/node-name'], ['n1']);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/node-uid'], ['node-1']);
    objects.put('Pod', 'prod', 'web-0', 'pod-2');
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'pod UID (pod-2) does not match service account pod ref claim (pod-1)' });
    objects.delete('Pod', 'prod', 'web-0');
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'pods "web-0" not found' });
  });

  it('keeps a token valid for a minute after its bound secret was marked for deletion', async () => {
    const { tokens, objects, clock, issue } = setup();
    const secret = objects.put('Secret', 'prod', 's', 'secret-1');
    const { token } = await issue({ secret: { name: 's', uid: 'secret-1' } });
    secret.metadata.deletionTimestamp = clock.now().toISOString();
    clock.advance(30);
    assert.equal((await tokens.check(token, API_AUDIENCES)).kind, 'authenticated');
    clock.advance(60);
    assert.deepEqual(await tokens.check(token, API_AUDIENCES), { kind: 'rejected', error: 'service account token has been invalidated' });
  });

  it('leaves garbage and foreign tokens to the other authenticators', async () => {
    const { tokens } = setup();
    assert.deepEqual(await tokens.check('not-a-jwt', API_AUDIENCES), { kind: 'foreign' });
    assert.equal(await tokens.authenticate('not-a-jwt'), undefined);
  });
});
