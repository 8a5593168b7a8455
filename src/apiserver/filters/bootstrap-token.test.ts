import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import type { ObjectGetter } from '../auth/object-getter.ts';
import {
  BootstrapTokenAuthenticator,
  bootstrapTokenData,
  bootstrapTokenSecret,
  formatBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
} from './bootstrap-token.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const TOKEN = { id: 'abcdef', secret: '0123456789abcdef' };

test('tokens are [a-z0-9]{6}.[a-z0-9]{16}; anything else is not a bootstrap token', () => {
  for (let i = 0; i < 50; i++) {
    const t = formatBootstrapToken(generateBootstrapToken());
    assert.match(t, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.deepEqual(parseBootstrapToken(t) && formatBootstrapToken(parseBootstrapToken(t)!), t);
  }
  assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), TOKEN);
  for (const bad of ['ABCDEF.0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef0123456789abcdef', 'eyJhbGciOi.x.y', '']) {
    assert.equal(parseBootstrapToken(bad), undefined, bad);
  }
});

test('the Secret has the upstream name, type and fields, with an RFC3339 expiration', () => {
  const secret = bootstrapTokenSecret(TOKEN, { ttlMs: 3_600_000, now: NOW });
  assert.equal(secret.metadata.name, 'bootstrap-token-abcdef');
  assert.equal(secret.metadata.namespace, 'kube-system');
  assert.equal(secret['type'], 'bootstrap.kubernetes.io/token');
  const data = bootstrapTokenData(secret);
  assert.equal(data['token-id'], 'abcdef');
  assert.equal(data['token-secret'], '0123456789abcdef');
  assert.equal(data['usage-bootstrap-authentication'], 'true');
  assert.equal(data['expiration'], '2026-01-01T01:00:00Z');
  assert.equal(bootstrapTokenData(bootstrapTokenSecret(TOKEN, { ttlMs: 0, now: NOW }))['expiration'], undefined);
});

function authenticator(secrets: KubeObject[], now = NOW): { authn: BootstrapTokenAuthenticator; reads: string[] } {
  const reads: string[] = [];
  const getObject: ObjectGetter = async (_group, kind, namespace, name) => {
    reads.push(`${kind}/${namespace}/${name}`);
    return secrets.find((s) => s.metadata.name === name && s.metadata.namespace === namespace);
  };
  return { authn: new BootstrapTokenAuthenticator({ getObject, now: () => now }), reads };
}

test('a valid unexpired token is system:bootstrap:<id> in system:bootstrappers plus extra groups', async () => {
  const { authn } = authenticator([bootstrapTokenSecret(TOKEN, { ttlMs: 60_000, now: NOW, extraGroups: ['system:bootstrappers:worker'] })]);
  assert.deepEqual(await authn.authenticate('abcdef.0123456789abcdef'), {
    username: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:worker'],
  });
});

test('expired, unknown, wrong secret, deleted, wrong type and bad extra groups are refused', async () => {
  const valid = bootstrapTokenSecret(TOKEN, { ttlMs: 60_000, now: NOW });
  assert.equal(await authenticator([valid], new Date(NOW.getTime() + 60_000)).authn.authenticate('abcdef.0123456789abcdef'), undefined, 'expired');
  assert.equal(await authenticator([valid]).authn.authenticate('zzzzzz.0123456789abcdef'), undefined, 'unknown id');
  assert.equal(await authenticator([valid]).authn.authenticate('abcdef.0123456789abcdee'), undefined, 'wrong secret');
  assert.equal(await authenticator([]).authn.authenticate('abcdef.0123456789abcdef'), undefined, 'deleted');
  assert.equal(await authenticator([{ ...valid, type: 'Opaque' }]).authn.authenticate('abcdef.0123456789abcdef'), undefined, 'wrong type');
  const noAuth = structuredClone(valid);
  (noAuth['data'] as Record<string, string>)['usage-bootstrap-authentication'] = Buffer.from('false').toString('base64');
  assert.equal(await authenticator([noAuth]).authn.authenticate('abcdef.0123456789abcdef'), undefined, 'not for authentication');
  const escalating = bootstrapTokenSecret(TOKEN, { ttlMs: 60_000, now: NOW, extraGroups: ['system:masters'] });
  assert.equal(await authenticator([escalating]).authn.authenticate('abcdef.0123456789abcdef'), undefined, 'extra group outside system:bootstrappers:');
});

test('tokens of another shape are left to other authenticators without a lookup', async () => {
  const { authn, reads } = authenticator([]);
  assert.equal(await authn.authenticate('eyJhbGciOiJSUzI1NiJ9.e30.sig'), undefined);
  assert.deepEqual(reads, []);
});
