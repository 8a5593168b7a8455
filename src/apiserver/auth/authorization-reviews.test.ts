import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError, type StatusError } from '../../machinery/status-error.ts';
import type { UserInfo } from '../filters/authn.ts';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview } from './authorization-reviews.ts';
import { AllowAuthenticated, type AuthorizationAttributes, type Authorizer } from './authorizer.ts';

const admin: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const review = (kind: string, spec: unknown, metadata: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'authorization.k8s.io/v1', kind, metadata, spec });

/** Records what it was asked; allows only reading pods, explicitly denies secrets. */
class RecordingAuthorizer implements Authorizer {
  readonly asked: AuthorizationAttributes[] = [];
  authorize(a: AuthorizationAttributes) {
    this.asked.push(a);
    if (a.resource === 'secrets') return { allowed: false, denied: true, reason: 'secrets are off limits' };
    if (a.resource === 'pods' && a.verb === 'get') return { allowed: true, reason: 'pods are public' };
    return { allowed: false };
  }
  rulesFor(_user: UserInfo, namespace: string) {
    return { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: true, evaluationError: `partial for ${namespace}` };
  }
}

async function invalid(promise: Promise<unknown>, pattern: RegExp): Promise<StatusError> {
  let caught: StatusError | undefined;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, 422, err.message);
    assert.match(err.message, pattern);
    caught = err;
    return true;
  });
  return caught as StatusError;
}

describe('SelfSubjectAccessReview', () => {
  it('asks the authorizer about the caller', async () => {
    const authorizer = new RecordingAuthorizer();
    const handler = selfSubjectAccessReview(authorizer);
    const spec = { resourceAttributes: { namespace: 'prod', verb: 'get', resource: 'pods', name: 'web' } };
    const answer = await handler.create(review('SelfSubjectAccessReview', spec), admin, undefined);
    assert.deepEqual(answer['spec'], spec);
    assert.deepEqual(answer['status'], { allowed: true, reason: 'pods are public' });
    assert.deepEqual(authorizer.asked[0], {
      user: admin, verb: 'get', resourceRequest: true, group: '', version: '', resource: 'pods', subresource: '', namespace: 'prod', name: 'web', path: '',
    });
    const denied = await handler.create(review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'list', resource: 'secrets' } }), admin, undefined);
    assert.deepEqual(denied['status'], { allowed: false, denied: true, reason: 'secrets are off limits' });
    const path = await handler.create(review('SelfSubjectAccessReview', { nonResourceAttributes: { path: '/healthz', verb: 'get' } }), admin, undefined);
    assert.deepEqual(path['status'], { allowed: false });
    assert.equal(authorizer.asked[2]?.resourceRequest, false);
    assert.equal(authorizer.asked[2]?.path, '/healthz');
  });

  it('answers yes to anything for an authenticated caller under AllowAuthenticated', async () => {
    const answer = await selfSubjectAccessReview(new AllowAuthenticated()).create(review('SelfSubjectAccessReview', { resourceAttributes: { verb: 'create', group: 'apps', resource: 'deployments' } }), admin, undefined);
    assert.deepEqual(answer['status'], { allowed: true });
  });

  it('needs exactly one of resourceAttributes and nonResourceAttributes', async () => {
    const handler = selfSubjectAccessReview(new AllowAuthenticated());
    const none = await invalid(handler.create(review('SelfSubjectAccessReview', {}), admin, undefined), /^SelfSubjectAccessReview\.authorization\.k8s\.io "" is invalid: spec\.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified$/);
    assert.equal(none.status.details?.causes?.[0]?.field, 'spec.resourceAttributes');
    await invalid(handler.create(review('SelfSubjectAccessReview', { resourceAttributes: {}, nonResourceAttributes: {} }), admin, undefined), /spec\.nonResourceAttributes: .*cannot be specified in combination with resourceAttributes/);
    await invalid(handler.create(review('SelfSubjectAccessReview', { resourceAttributes: { verb: 3 } }), admin, undefined), /spec\.resourceAttributes\.verb/);
    await invalid(handler.create(review('SelfSubjectAccessReview', 'x'), admin, undefined), /spec: /);
  });
});

describe('SubjectAccessReview', () => {
  it('asks about the subject in the spec, not the caller', async () => {
    const authorizer = new RecordingAuthorizer();
    const spec = { user: 'bob', groups: ['devs'], uid: 'b-1', extra: { scope: ['x'] }, resourceAttributes: { verb: 'get', resource: 'pods' } };
    const answer = await subjectAccessReview(authorizer).create(review('SubjectAccessReview', spec), admin, undefined);
    assert.deepEqual(answer['status'], { allowed: true, reason: 'pods are public' });
    assert.deepEqual(authorizer.asked[0]?.user, { username: 'bob', groups: ['devs'], uid: 'b-1', extra: { scope: ['x'] } });
  });

  it('needs a user or a group', async () => {
    const handler = subjectAccessReview(new AllowAuthenticated());
    await invalid(handler.create(review('SubjectAccessReview', { resourceAttributes: { verb: 'get' } }), admin, undefined), /spec\.user: Invalid value: "": at least one of user or group must be specified/);
    const groupOnly = await handler.create(review('SubjectAccessReview', { groups: ['devs'], resourceAttributes: { verb: 'get' } }), admin, undefined);
    assert.deepEqual(groupOnly['status'], { allowed: true });
  });
});

describe('LocalSubjectAccessReview', () => {
  const handler = localSubjectAccessReview(new AllowAuthenticated());

  it('answers within the namespace of the URL', async () => {
    const answer = await handler.create(review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'prod', verb: 'get', resource: 'pods' } }), admin, 'prod');
    assert.deepEqual(answer['status'], { allowed: true });
    assert.equal(answer.metadata.namespace, 'prod');
  });

  it('refuses another namespace in the attributes or the body, and non-resource attributes', async () => {
    await invalid(handler.create(review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'dev', verb: 'get' } }), admin, 'prod'), /spec\.resourceAttributes\.namespace: Invalid value: "dev": must match metadata\.namespace/);
    await invalid(handler.create(review('LocalSubjectAccessReview', { user: 'bob', nonResourceAttributes: { path: '/x', verb: 'get' } }), admin, 'prod'), /spec\.nonResourceAttributes: .*disallowed on this kind of request/);
    await assert.rejects(handler.create(review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: { namespace: 'prod' } }, { namespace: 'dev' }), admin, 'prod'), (err: unknown) => isStatusError(err) && err.code === 400);
    await assert.rejects(handler.create(review('LocalSubjectAccessReview', { user: 'bob', resourceAttributes: {} }), admin, undefined), (err: unknown) => isStatusError(err) && err.code === 400);
  });
});

describe('SelfSubjectRulesReview', () => {
  it('reports the authorizer rules for the caller in a namespace', async () => {
    const answer = await selfSubjectRulesReview(new AllowAuthenticated()).create(review('SelfSubjectRulesReview', { namespace: 'default' }), admin, undefined);
    assert.deepEqual(answer['status'], {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    });
    const partial = await selfSubjectRulesReview(new RecordingAuthorizer()).create(review('SelfSubjectRulesReview', { namespace: 'prod' }), admin, undefined);
    assert.deepEqual(partial['status'], { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: true, evaluationError: 'partial for prod' });
  });

  it('needs a namespace', async () => {
    await assert.rejects(selfSubjectRulesReview(new AllowAuthenticated()).create(review('SelfSubjectRulesReview', {}), admin, undefined), (err: unknown) => isStatusError(err) && err.code === 400 && err.message === 'no namespace on request');
  });
});
