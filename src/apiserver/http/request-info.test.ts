import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from '../../machinery/status-error.ts';
import { parseResourcePath, type ResourceRequestInfo } from './request-info.ts';

function parse(path: string, method = 'GET'): ResourceRequestInfo | undefined {
  const url = new URL(path, 'https://strata.local');
  return parseResourcePath(url.pathname, method, url.searchParams);
}

function info(partial: Partial<ResourceRequestInfo> & Pick<ResourceRequestInfo, 'resource' | 'verb'>): ResourceRequestInfo {
  return { group: '', version: 'v1', namespace: undefined, name: undefined, subresource: undefined, ...partial };
}

describe('parseResourcePath', () => {
  it('leaves non-resource paths to other handlers', () => {
    for (const path of ['/', '/version', '/healthz', '/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/openapi/v2', '/openapi/v3/apis/apps/v1']) {
      assert.equal(parse(path), undefined, path);
    }
    assert.equal(parse('/api/v1/namespaces/ns/pods/name/log/extra'), undefined, 'too deep');
  });

  it('parses core and named-group paths, cluster-scoped and namespaced', () => {
    assert.deepEqual(parse('/api/v1/nodes'), info({ resource: 'nodes', verb: 'list' }));
    assert.deepEqual(parse('/api/v1/nodes/n1'), info({ resource: 'nodes', name: 'n1', verb: 'get' }));
    assert.deepEqual(parse('/api/v1/pods'), info({ resource: 'pods', verb: 'list' }), 'all namespaces');
    assert.deepEqual(parse('/api/v1/namespaces/default/pods'), info({ namespace: 'default', resource: 'pods', verb: 'list' }));
    assert.deepEqual(parse('/api/v1/namespaces/default/pods/web'), info({ namespace: 'default', resource: 'pods', name: 'web', verb: 'get' }));
    assert.deepEqual(
      parse('/api/v1/namespaces/default/pods/web/log'),
      info({ namespace: 'default', resource: 'pods', name: 'web', subresource: 'log', verb: 'get' }),
    );
    assert.deepEqual(
      parse('/apis/apps/v1/namespaces/prod/deployments/api/scale', 'PUT'),
      info({ group: 'apps', namespace: 'prod', resource: 'deployments', name: 'api', subresource: 'scale', verb: 'update' }),
    );
    assert.deepEqual(parse('/apis/rbac.authorization.k8s.io/v1/clusterroles/admin'), info({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin', verb: 'get' }));
  });

  it('treats the namespace object itself and its subresources as namespaces', () => {
    assert.deepEqual(parse('/api/v1/namespaces'), info({ resource: 'namespaces', verb: 'list' }));
    assert.deepEqual(parse('/api/v1/namespaces/kube-system'), info({ resource: 'namespaces', name: 'kube-system', verb: 'get' }));
    assert.deepEqual(parse('/api/v1/namespaces/team/status', 'PUT'), info({ resource: 'namespaces', name: 'team', subresource: 'status', verb: 'update' }));
    assert.deepEqual(parse('/api/v1/namespaces/team/finalize', 'PUT'), info({ resource: 'namespaces', name: 'team', subresource: 'finalize', verb: 'update' }));
    // A namespace may be called "status": that is a get of that namespace.
    assert.deepEqual(parse('/api/v1/namespaces/status'), info({ resource: 'namespaces', name: 'status', verb: 'get' }));
    // Only the core group has the namespace object.
    assert.deepEqual(parse('/apis/example.com/v1/namespaces/team/status'), info({ group: 'example.com', namespace: 'team', resource: 'status', verb: 'list' }));
  });

  it('names verbs as upstream does', () => {
    const verb = (path: string, method: string) => parse(path, method)?.verb;
    assert.equal(verb('/api/v1/namespaces/d/pods', 'GET'), 'list');
    assert.equal(verb('/api/v1/namespaces/d/pods', 'HEAD'), 'list');
    assert.equal(verb('/api/v1/namespaces/d/pods/p', 'GET'), 'get');
    assert.equal(verb('/api/v1/namespaces/d/pods', 'POST'), 'create');
    assert.equal(verb('/api/v1/namespaces/d/pods/p/eviction', 'POST'), 'create');
    assert.equal(verb('/api/v1/namespaces/d/pods/p', 'PUT'), 'update');
    assert.equal(verb('/api/v1/namespaces/d/pods/p', 'PATCH'), 'patch');
    assert.equal(verb('/api/v1/namespaces/d/pods/p', 'DELETE'), 'delete');
    assert.equal(verb('/api/v1/namespaces/d/pods', 'DELETE'), 'deletecollection');
    assert.equal(verb('/api/v1/namespaces/d/pods', 'OPTIONS'), 'options');
  });

  it('recognises watches by query parameter and by the deprecated /watch/ prefix', () => {
    assert.equal(parse('/api/v1/namespaces/d/pods?watch=true')?.verb, 'watch');
    assert.equal(parse('/api/v1/namespaces/d/pods?watch=1')?.verb, 'watch');
    assert.equal(parse('/api/v1/namespaces/d/pods?watch=false')?.verb, 'list');
    assert.equal(parse('/api/v1/namespaces/d/pods/p?watch=true')?.verb, 'watch');
    assert.equal(parse('/api/v1/namespaces/d/pods?watch=true', 'POST')?.verb, 'create');
    assert.deepEqual(parse('/api/v1/watch/namespaces/d/pods'), info({ namespace: 'd', resource: 'pods', verb: 'watch' }));
    assert.deepEqual(parse('/api/v1/watch/namespaces/d/pods/p'), info({ namespace: 'd', resource: 'pods', name: 'p', verb: 'watch' }));
    assert.deepEqual(parse('/api/v1/watch/namespaces/d'), info({ resource: 'namespaces', name: 'd', verb: 'watch' }));
    assert.deepEqual(parse('/apis/apps/v1/watch/deployments'), info({ group: 'apps', resource: 'deployments', verb: 'watch' }));
  });

  it('decodes percent-encoded segments and answers 400 for malformed ones', () => {
    assert.equal(parse('/api/v1/namespaces/d/configmaps/a%3Ab')?.name, 'a:b');
    assert.equal(parse('/api/v1/namespaces/d/configmaps/a%2Fb')?.name, 'a/b', 'an encoded slash stays inside the segment');
    assert.throws(
      () => parseResourcePath('/api/v1/namespaces/d/configmaps/%zz', 'GET', new URLSearchParams()),
      (err: unknown) => isStatusError(err) && err.code === 400,
    );
  });
});
