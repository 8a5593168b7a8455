import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from '../../client/index.ts';
import { kubeletAttributes, subjectAccessReviewAuthorizer } from './agent-auth.ts';

test('paths map to the nodes subresources the kubelet authorizer uses', () => {
  assert.deepEqual(kubeletAttributes('GET', '/stats/summary'), { verb: 'get', subresource: 'stats' });
  assert.deepEqual(kubeletAttributes('GET', '/metrics/cadvisor'), { verb: 'get', subresource: 'metrics' });
  assert.deepEqual(kubeletAttributes('GET', '/logs/syslog'), { verb: 'get', subresource: 'log' });
  assert.deepEqual(kubeletAttributes('GET', '/containerLogs/ns/p/c'), { verb: 'get', subresource: 'proxy' });
  assert.deepEqual(kubeletAttributes('POST', '/exec/ns/p/c'), { verb: 'create', subresource: 'proxy' });
});

function fakeClient(allowed: (spec: Record<string, unknown>) => boolean): { client: RestClient; reviews: Record<string, unknown>[] } {
  const reviews: Record<string, unknown>[] = [];
  const client = {
    async create(_ref: unknown, obj: { spec: Record<string, unknown> }) {
      reviews.push(obj.spec);
      return { ...obj, status: { allowed: allowed(obj.spec) } };
    },
  } as unknown as RestClient;
  return { client, reviews };
}

test('masters and the API server pass without a review; others are asked about, answers cached', async () => {
  let now = 0;
  const { client, reviews } = fakeClient((spec) => spec['user'] === 'alice');
  const authorize = subjectAccessReviewAuthorizer(client, 'n1', () => now);
  assert.equal((await authorize({ user: 'admin', groups: ['system:masters'] }, 'GET', '/containerLogs/a/b/c')).allowed, true);
  assert.equal((await authorize({ user: 'kube-apiserver-kubelet-client', groups: [] }, 'POST', '/exec/a/b/c')).allowed, true);
  assert.equal(reviews.length, 0);

  assert.equal((await authorize({ user: 'alice', groups: ['system:authenticated'] }, 'GET', '/stats/summary')).allowed, true);
  assert.deepEqual(reviews[0], { user: 'alice', groups: ['system:authenticated'], resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1' } });
  const bob = await authorize({ user: 'bob', groups: ['system:authenticated'] }, 'GET', '/containerLogs/a/b/c');
  assert.equal(bob.allowed, false);
  assert.equal(bob.reason, 'Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)');
  await authorize({ user: 'bob', groups: ['system:authenticated'] }, 'GET', '/containerLogs/a/b/c');
  assert.equal(reviews.length, 2, 'the denial is cached');
  now += 31_000;
  await authorize({ user: 'bob', groups: ['system:authenticated'] }, 'GET', '/containerLogs/a/b/c');
  assert.equal(reviews.length, 3, 'a denial is asked again after 30 s');
});
