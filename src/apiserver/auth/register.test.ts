import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { MemoryStore } from '../../store/index.ts';
import { ApiRegistry } from '../api-registry.ts';
import { Authenticator } from '../filters/authn.ts';
import { ServiceAllocator } from '../registry/allocator.ts';
import { strategyFor } from '../registry/strategies/index.ts';
import { AllowAuthenticated } from './authorizer.ts';
import { registryObjectGetter } from './object-getter.ts';
import { registerAuthResources } from './register.ts';
import { ServiceAccountJwt } from './service-account-jwt.ts';
import { ServiceAccountTokens } from './service-account-tokens.ts';
import { ecKeyPem } from './testing.ts';

const ctx = { user: 'admin', dryRun: false, fieldManager: undefined, now: new Date() };

async function open() {
  const store = new MemoryStore();
  const registry = new ApiRegistry(store);
  const authenticator = new Authenticator();
  const tokens = new ServiceAccountTokens({ jwt: new ServiceAccountJwt({ privateKeyPem: ecKeyPem() }), getObject: registryObjectGetter(registry) });
  const allocator = new ServiceAllocator(store, { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] });
  for (const def of BUILTIN_RESOURCES) registry.add(def, strategyFor(def, { allocator }));
  registerAuthResources(registry, { authenticator, authorizer: new AllowAuthenticated(), tokens });
  await registry.start();
  return {
    registry,
    tokens,
    async [Symbol.asyncDispose]() {
      for (const s of registry.stores()) s.cache.close();
      await store.close();
    },
  };
}

describe('registerAuthResources', () => {
  it('serves every review kind as a computed resource and serviceaccounts/token', async () => {
    await using env = await open();
    const reviews = [
      ['authentication.k8s.io', 'selfsubjectreviews', false],
      ['authentication.k8s.io', 'tokenreviews', false],
      ['authorization.k8s.io', 'selfsubjectaccessreviews', false],
      ['authorization.k8s.io', 'selfsubjectrulesreviews', false],
      ['authorization.k8s.io', 'subjectaccessreviews', false],
      ['authorization.k8s.io', 'localsubjectaccessreviews', true],
    ] as const;
    for (const [group, plural, namespaced] of reviews) {
      const served = env.registry.lookup(group, 'v1', plural);
      assert.ok(served?.virtual, `${plural}.${group} is computed`);
      assert.deepEqual(served.def.verbs, ['create']);
      assert.equal(served.def.namespaced, namespaced);
    }
    const sa = env.registry.lookup('', 'v1', 'serviceaccounts');
    assert.deepEqual(sa?.def.subresources.find((s) => s.name === 'token'), { name: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] });
    assert.ok(env.registry.subresource('', 'serviceaccounts', 'token'));
    assert.equal(env.registry.subresource('', 'pods', 'token'), undefined);
  });

  it('issues tokens for ServiceAccounts in the registry and revokes them with the ServiceAccount', async () => {
    await using env = await open();
    const sas = env.registry.forKind('', 'ServiceAccount')!;
    await sas.store.create('default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } }, ctx);
    const admin = { username: 'admin', groups: ['system:authenticated'] };
    const answer = await env.registry.subresource('', 'serviceaccounts', 'token')!.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {} }, admin, 'default', 'robot');
    const token = (answer['status'] as { token: string }).token;
    assert.equal((await env.tokens.authenticate(token))?.username, 'system:serviceaccount:default:robot');
    await sas.store.delete('default', 'robot', {}, ctx);
    // Revocation is as fresh as the watch cache (upstream reads through its informer cache too).
    await sas.store.cache.waitFresh();
    assert.equal(await env.tokens.authenticate(token), undefined);
  });
});
