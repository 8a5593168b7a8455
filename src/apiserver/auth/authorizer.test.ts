import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResourcePath } from '../http/request-info.ts';
import { AllowAuthenticated, isAuthenticated } from './authorizer.ts';
import { forbiddenError, requestAttributes } from './request-attributes.ts';

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

function attributesFor(method: string, url: string, user = admin) {
  const parsed = new URL(url, 'https://localhost');
  return requestAttributes(user, method, parsed.pathname, parseResourcePath(parsed.pathname, method, parsed.searchParams));
}

describe('AllowAuthenticated', () => {
  const authorizer = new AllowAuthenticated();

  it('allows every request of an authenticated user', () => {
    assert.deepEqual(authorizer.authorize(attributesFor('DELETE', '/apis/apps/v1/namespaces/a/deployments/web')), { allowed: true });
    assert.deepEqual(authorizer.authorize(attributesFor('GET', '/version')), { allowed: true });
  });

  it('refuses anonymous subjects and subjects that name nobody', () => {
    const ask = (user: { username: string; groups: string[] }) => authorizer.authorize({ ...attributesFor('GET', '/api/v1/pods'), user });
    assert.equal(ask({ username: 'system:anonymous', groups: [] }).allowed, false);
    assert.equal(ask({ username: 'x', groups: ['system:unauthenticated'] }).allowed, false);
    assert.equal(ask({ username: '', groups: [] }).allowed, false);
    // A SubjectAccessReview subject is a user or a group of users somebody authenticated.
    assert.equal(ask({ username: 'bob', groups: [] }).allowed, true);
    assert.equal(ask({ username: '', groups: ['devs'] }).allowed, true);
    assert.equal(isAuthenticated({ username: 'system:anonymous', groups: ['system:authenticated'] }), true);
  });

  it('lists everything as the rules of an authenticated user, nothing for the anonymous one', () => {
    assert.deepEqual(authorizer.rulesFor(admin), {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    });
    assert.deepEqual(authorizer.rulesFor({ username: 'system:anonymous', groups: [] }), { resourceRules: [], nonResourceRules: [], incomplete: false });
  });
});

describe('requestAttributes', () => {
  it('describes resource requests with upstream verbs', () => {
    const a = attributesFor('GET', '/apis/apps/v1/namespaces/prod/deployments/web/scale');
    assert.deepEqual({ ...a, user: undefined }, {
      user: undefined,
      verb: 'get',
      resourceRequest: true,
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'prod',
      name: 'web',
      path: '/apis/apps/v1/namespaces/prod/deployments/web/scale',
    });
    assert.equal(attributesFor('GET', '/api/v1/pods?watch=true').verb, 'watch');
    assert.equal(attributesFor('DELETE', '/api/v1/namespaces/a/pods').verb, 'deletecollection');
  });

  it('puts a namespace object in its own namespace', () => {
    const a = attributesFor('GET', '/api/v1/namespaces/prod');
    assert.equal(a.resource, 'namespaces');
    assert.equal(a.namespace, 'prod');
    assert.equal(a.name, 'prod');
  });

  it('describes non-resource requests by path and lower-case method', () => {
    const a = attributesFor('GET', '/apis/apps');
    assert.equal(a.resourceRequest, false);
    assert.equal(a.path, '/apis/apps');
    assert.equal(a.verb, 'get');
    assert.equal(attributesFor('HEAD', '/healthz').verb, 'get');
    assert.equal(attributesFor('POST', '/debug/strata/noop').verb, 'post');
  });
});

describe('forbiddenError', () => {
  const bob = { username: 'bob', groups: ['system:authenticated'] };

  it('is upstream NewForbidden for a namespaced resource', () => {
    const err = forbiddenError(attributesFor('GET', '/api/v1/namespaces/prod/pods/web', bob));
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.equal(err.message, 'pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "prod"');
    assert.deepEqual(err.status.details, { name: 'web', kind: 'pods' });
  });

  it('names the group, the subresource and the cluster scope, and appends the reason', () => {
    const err = forbiddenError(attributesFor('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', bob), 'no RBAC policy matched');
    assert.equal(
      err.message,
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "bob" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope: no RBAC policy matched',
    );
    assert.deepEqual(err.status.details, { kind: 'clusterroles', group: 'rbac.authorization.k8s.io' });
    const sub = forbiddenError(attributesFor('POST', '/api/v1/namespaces/a/serviceaccounts/x/token', bob));
    assert.match(sub.message, /cannot create resource "serviceaccounts\/token" in API group "" in the namespace "a"$/);
  });

  it('names the path of a non-resource request', () => {
    assert.equal(forbiddenError(attributesFor('GET', '/metrics', bob)).message, 'forbidden: User "bob" cannot get path "/metrics"');
  });
});
