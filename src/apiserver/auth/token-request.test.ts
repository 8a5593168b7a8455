import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { API_AUDIENCES, ServiceAccountJwt } from './service-account-jwt.ts';
import { ServiceAccountTokens } from './service-account-tokens.ts';
import { ecKeyPem, fakeClock, FakeObjects } from './testing.ts';
import { tokenRequestHandler } from './token-request.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

function setup() {
  const clock = fakeClock();
  const objects = new FakeObjects();
  const tokens = new ServiceAccountTokens({ jwt: new ServiceAccountJwt({ privateKeyPem: ecKeyPem(), now: clock.now }), getObject: objects.getter, now: clock.now });
  objects.put('ServiceAccount', 'prod', 'robot', 'sa-1');
  const handler = tokenRequestHandler(tokens, clock.now);
  const request = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}, name = 'robot', namespace = 'prod') =>
    handler.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec }, admin, namespace, name);
  return { objects, tokens, request };
}

async function rejects(promise: Promise<unknown>, code: number, reason: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.reason, reason, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const status = (tr: KubeObject) => tr['status'] as { token: string; expirationTimestamp: string };

describe('TokenRequest', () => {
  it('issues a one-hour token for the API audience by default, and the server accepts it', async () => {
    const { tokens, request } = setup();
    const tr = await request();
    assert.equal(tr.kind, 'TokenRequest');
    assert.equal(tr.apiVersion, 'authentication.k8s.io/v1');
    assert.deepEqual(tr.metadata, { name: 'robot', namespace: 'prod', creationTimestamp: '2026-05-01T10:00:00Z' });
    assert.deepEqual(tr['spec'], { audiences: [...API_AUDIENCES], expirationSeconds: 3600, boundObjectRef: null });
    assert.equal(status(tr).expirationTimestamp, '2026-05-01T11:00:00Z');
    const claims = decodeJwt(status(tr).token);
    assert.equal(claims.sub, 'system:serviceaccount:prod:robot');
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'prod', serviceaccount: { name: 'robot', uid: 'sa-1' } });
    assert.equal((await tokens.authenticate(status(tr).token))?.username, 'system:serviceaccount:prod:robot');
  });

  it('honours audiences and expirationSeconds', async () => {
    const { request } = setup();
    const tr = await request({ audiences: ['vault'], expirationSeconds: 7200 });
    assert.deepEqual(tr['spec'], { audiences: ['vault'], expirationSeconds: 7200, boundObjectRef: null });
    assert.equal(status(tr).expirationTimestamp, '2026-05-01T12:00:00Z');
    assert.deepEqual(decodeJwt(status(tr).token).aud, ['vault']);
  });

  it('refuses durations under ten minutes or over 2^32 seconds with field paths', async () => {
    const { request } = setup();
    await rejects(request({ expirationSeconds: 599 }), 422, 'Invalid', /^TokenRequest\.authentication\.k8s\.io "robot" is invalid: spec\.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes$/);
    await rejects(request({ expirationSeconds: 2 ** 32 + 1 }), 422, 'Invalid', /spec\.expirationSeconds: .*larger than 2\^32 seconds/);
    await rejects(request({ expirationSeconds: 'soon' }), 422, 'Invalid', /spec\.expirationSeconds/);
    await rejects(request({ audiences: 'vault' }), 422, 'Invalid', /spec\.audiences/);
  });

  it('needs the ServiceAccount to exist and the body to name it, if at all', async () => {
    const { request } = setup();
    await rejects(request({}, {}, 'ghost'), 404, 'NotFound', /^serviceaccounts "ghost" not found$/);
    await rejects(request({}, { name: 'other' }), 422, 'Invalid', /metadata\.name: Invalid value: "other": must match the service account name if specified/);
    await rejects(request({}, { namespace: 'dev' }), 422, 'Invalid', /metadata\.namespace/);
  });

  it('binds a token to a pod of the same ServiceAccount (and its node)', async () => {
    const { objects, tokens, request } = setup();
    objects.put('Pod', 'prod', 'web-0', 'pod-1', { spec: { serviceAccountName: 'robot', nodeName: 'n1' } });
    objects.put('Node', undefined, 'n1', 'node-1');
    const ref = { kind: 'Pod', apiVersion: 'v1', name: 'web-0' };
    const tr = await request({ boundObjectRef: ref });
    assert.deepEqual((tr['spec'] as Record<string, unknown>)['boundObjectRef'], { ...ref, uid: '' });
    assert.deepEqual(decodeJwt(status(tr).token)['kubernetes.io'], {
      namespace: 'prod',
      serviceaccount: { name: 'robot', uid: 'sa-1' },
      pod: { name: 'web-0', uid: 'pod-1' },
      node: { name: 'n1', uid: 'node-1' },
    });
    assert.ok(await tokens.authenticate(status(tr).token));
    objects.delete('Pod', 'prod', 'web-0');
    assert.equal(await tokens.authenticate(status(tr).token), undefined);
  });

  it('refuses bound objects that are missing, replaced, of another ServiceAccount or not bindable', async () => {
    const { objects, request } = setup();
    objects.put('Pod', 'prod', 'other', 'pod-2', { spec: { serviceAccountName: 'default' } });
    objects.put('Secret', 'prod', 's', 'secret-1');
    await rejects(request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } }), 404, 'NotFound', /^pods "gone" not found$/);
    await rejects(request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } }), 400, 'BadRequest', /pod running with different serviceaccount name/);
    await rejects(request({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's', uid: 'stale' } }), 409, 'Conflict', /does not match the UID in record/);
    await rejects(request({ boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'x' } }), 400, 'BadRequest', /^cannot bind token for serviceaccount "robot" to object of type apps\/v1, Kind=Deployment$/);
    await rejects(request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1' } }), 422, 'Invalid', /spec\.boundObjectRef\.name: Required value/);
    const secretBound = await request({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's', uid: 'secret-1' } });
    assert.deepEqual((decodeJwt(status(secretBound).token)['kubernetes.io'] as Record<string, unknown>)['secret'], { name: 's', uid: 'secret-1' });
  });
});
