// Authentication and authorization APIs through real kubectl: `auth whoami`, `auth can-i`
// (and --list), `create token`, using an issued ServiceAccount token as a kubeconfig credential,
// revocation by deleting the ServiceAccount, and the review kinds over raw HTTPS. kubectl 1.31
// sends these typed-client bodies as JSON; 1.33 sends protobuf.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { KUBECTL_131, KUBECTL_133, requestJson, startStrata, writeTemp, type KubectlResult } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

describe('auth APIs', { timeout: 180_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  const k131 = (args: string[]) => s.k(args, { binary: KUBECTL_131 });

  /** kubectl with a kubeconfig that carries only the server, its CA and a bearer token. */
  function kubectlWithToken(token: string, args: string[], binary = KUBECTL_131): KubectlResult {
    const ca = s.credentials().ca.toString('base64');
    const kubeconfig = writeTemp(s.dataDir, `token-${randomUUID()}.kubeconfig`, `apiVersion: v1
kind: Config
clusters: [{name: strata, cluster: {server: "${s.url}", certificate-authority-data: ${ca}}}]
users: [{name: bearer, user: {token: "${token}"}}]
contexts: [{name: bearer, context: {cluster: strata, user: bearer, namespace: default}}]
current-context: bearer
`);
    const r = spawnSync(binary, ['--kubeconfig', kubeconfig, '--cache-dir', join(s.dataDir, 'token-cache'), ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** A token signed with the cluster's service-account key, claims chosen by the test. */
  async function signed(claims: { sub: string; namespace: string; name: string; uid: string; exp: number; aud?: string[] }): Promise<string> {
    const key = createPrivateKey(readFileSync(join(s.dataDir, 'pki', 'service-account.key')));
    const iat = claims.exp - 3600;
    return new SignJWT({ 'kubernetes.io': { namespace: claims.namespace, serviceaccount: { name: claims.name, uid: claims.uid } } })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setSubject(claims.sub)
      .setAudience(claims.aud ?? [ISSUER])
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(claims.exp)
      .sign(key);
  }

  describe('kubectl 1.31 (JSON bodies)', () => {
    test('auth whoami reports the admin certificate identity', () => {
      const out = k131(['auth', 'whoami']);
      assert.match(out, /^Username\s+admin$/m);
      assert.match(out, /^Groups\s+\[system:masters system:authenticated\]$/m);
      const review = JSON.parse(k131(['auth', 'whoami', '-o', 'json'])) as { kind: string; apiVersion: string; status: { userInfo: unknown } };
      assert.equal(review.kind, 'SelfSubjectReview');
      assert.equal(review.apiVersion, 'authentication.k8s.io/v1');
      assert.deepEqual(review.status.userInfo, { username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    });

    test('auth can-i answers from the authorizer, and --list shows its rules', () => {
      assert.equal(k131(['auth', 'can-i', 'create', 'deployments']).trim(), 'yes');
      assert.equal(k131(['auth', 'can-i', 'delete', 'nodes', '--all-namespaces']).trim(), 'yes');
      assert.equal(k131(['auth', 'can-i', 'get', '/healthz']).trim(), 'yes');
      const list = k131(['auth', 'can-i', '--list']);
      const lines = list.trim().split('\n').map((l) => l.trim().split(/\s+/));
      assert.deepEqual(lines[0], ['Resources', 'Non-Resource', 'URLs', 'Resource', 'Names', 'Verbs']);
      assert.deepEqual(lines.slice(1), [['*.*', '[]', '[]', '[*]'], ['[*]', '[]', '[*]']]);
    });

    test('create token issues a JWT the server accepts as a bearer token', () => {
      k131(['create', 'serviceaccount', 'robot']);
      const uid = k131(['get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}']);
      const token = k131(['create', 'token', 'robot']).trim();
      const claims = decodeJwt(token);
      assert.equal(claims.iss, ISSUER);
      assert.equal(claims.sub, 'system:serviceaccount:default:robot');
      assert.deepEqual(claims.aud, [ISSUER]);
      assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid } });
      const lifetime = (claims.exp as number) - Math.floor(Date.now() / 1000);
      assert.ok(lifetime > 3500 && lifetime <= 3600, `default lifetime is an hour, got ${lifetime}s`);

      const pods = kubectlWithToken(token, ['get', 'pods']);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stderr, /No resources found in default namespace/);
      const whoami = kubectlWithToken(token, ['auth', 'whoami', '-o', 'json']);
      assert.equal(whoami.code, 0, whoami.stderr);
      const user = (JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> } } }).status.userInfo;
      assert.equal(user.username, 'system:serviceaccount:default:robot');
      assert.equal(user.uid, uid);
      assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
      assert.deepEqual(user.extra['authentication.kubernetes.io/credential-id'], [`JTI=${claims.jti as string}`]);
    });

    test('create token honours --audience and --duration; another audience is no API credential', () => {
      const token = k131(['create', 'token', 'robot', '--audience', 'vault', '--duration', '20m']).trim();
      const claims = decodeJwt(token);
      assert.deepEqual(claims.aud, ['vault']);
      assert.equal((claims.exp as number) - (claims.iat as number), 1200);
      const r = kubectlWithToken(token, ['get', 'pods']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/);
    });

    test('create token refuses unknown ServiceAccounts and short durations', () => {
      const missing = s.kubectl(['create', 'token', 'ghost'], { binary: KUBECTL_131 });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /serviceaccounts "ghost" not found/);
      const short = s.kubectl(['create', 'token', 'robot', '--duration', '5m'], { binary: KUBECTL_131 });
      assert.equal(short.code, 1);
      assert.match(short.stderr, /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    });

    test('a token stops working when its ServiceAccount is deleted, and a re-created one does not revive it', () => {
      k131(['create', 'serviceaccount', 'temp']);
      const token = k131(['create', 'token', 'temp']).trim();
      assert.equal(kubectlWithToken(token, ['get', 'pods']).code, 0);
      k131(['delete', 'serviceaccount', 'temp']);
      const gone = kubectlWithToken(token, ['get', 'pods']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /Unauthorized/);
      k131(['create', 'serviceaccount', 'temp']);
      assert.match(kubectlWithToken(token, ['get', 'pods']).stderr, /Unauthorized/);
    });

    test('expired, forged and garbage tokens are refused with 401', async () => {
      const uid = k131(['get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}']);
      const base = { sub: 'system:serviceaccount:default:robot', namespace: 'default', name: 'robot', uid };
      const now = Math.floor(Date.now() / 1000);
      // The control: a token minted the same way but still valid is accepted.
      const valid = await signed({ ...base, exp: now + 600 });
      assert.equal(kubectlWithToken(valid, ['get', 'pods']).code, 0);
      const expired = await signed({ ...base, exp: now - 120 });
      const [header, payload, signature] = valid.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:default:admin' })).toString('base64url')}.${signature}`;
      for (const token of [expired, forged, 'garbage-token']) {
        const r = kubectlWithToken(token, ['get', 'pods']);
        assert.equal(r.code, 1, token);
        assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/);
        const raw = await s.request('GET', '/api/v1/namespaces/default/pods', { auth: false, headers: { authorization: `Bearer ${token}` } });
        assert.equal(raw.status, 401);
      }
    });
  });

  describe('reviews over raw HTTPS', () => {
    test('TokenReview authenticates ServiceAccount tokens for the requested audiences', async () => {
      const token = k131(['create', 'token', 'robot']).trim();
      const ok = await requestJson(s, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
      assert.equal(ok.status, 201, ok.raw);
      assert.equal(ok.body.kind, 'TokenReview');
      assert.equal(ok.body.status.authenticated, true);
      assert.equal(ok.body.status.user.username, 'system:serviceaccount:default:robot');
      assert.deepEqual(ok.body.status.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
      assert.deepEqual(ok.body.status.audiences, [ISSUER]);

      const vault = await requestJson(s, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: ['vault'] } });
      assert.equal(vault.status, 201);
      assert.equal(vault.body.status.authenticated, undefined);
      assert.match(vault.body.status.error, /token audiences \["https:\/\/kubernetes\.default\.svc\.cluster\.local"\] is invalid for the target audiences \["vault"\]/);

      const garbage = await requestJson(s, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'garbage' } });
      assert.equal(garbage.status, 201);
      assert.deepEqual(garbage.body.status, { user: {} });

      const empty = await requestJson(s, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.message, 'token is required for TokenReview in authentication');
    });

    test('access reviews answer through the authorizer and validate their spec', async () => {
      const ssar = await requestJson(s, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'default' } },
      });
      assert.equal(ssar.status, 201);
      assert.deepEqual(ssar.body.status, { allowed: true });

      const sar = await requestJson(s, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'system:anonymous', nonResourceAttributes: { path: '/version', verb: 'get' } },
      });
      assert.equal(sar.status, 201);
      assert.equal(sar.body.status.allowed, false);

      const local = await requestJson(s, 'POST', '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } },
      });
      assert.equal(local.status, 201);
      assert.deepEqual(local.body.status, { allowed: true });

      const invalid = await requestJson(s, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} });
      assert.equal(invalid.status, 422);
      assert.equal(invalid.body.reason, 'Invalid');
      assert.equal(invalid.body.details.causes[0].field, 'spec.resourceAttributes');

      // Reviews are computed, never stored: nothing can be listed or read back.
      const list = await requestJson(s, 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
      assert.equal(list.status, 405);
    });

    test('the review kinds are in discovery', () => {
      const out = k131(['api-resources', '--api-group=authorization.k8s.io', '-o', 'name']).trim().split('\n').sort();
      assert.deepEqual(out, [
        'localsubjectaccessreviews.authorization.k8s.io',
        'selfsubjectaccessreviews.authorization.k8s.io',
        'selfsubjectrulesreviews.authorization.k8s.io',
        'subjectaccessreviews.authorization.k8s.io',
      ]);
      const authn = k131(['api-resources', '--api-group=authentication.k8s.io', '-o', 'name']).trim().split('\n').sort();
      assert.deepEqual(authn, ['selfsubjectreviews.authentication.k8s.io', 'tokenreviews.authentication.k8s.io']);
    });
  });

  describe('kubectl 1.33 (protobuf bodies)', () => {
    const k133 = (args: string[]) => s.k(args, { binary: KUBECTL_133 });

    test('auth whoami and auth can-i', () => {
      assert.match(k133(['auth', 'whoami']), /^Username\s+admin$/m);
      assert.equal(k133(['auth', 'can-i', 'create', 'deployments']).trim(), 'yes');
      assert.match(k133(['auth', 'can-i', '--list']), /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    });

    test('create token default', async () => {
      // The serviceaccount controller makes `default` in every namespace.
      for (let i = 0; s.kubectl(['get', 'serviceaccount', 'default']).code !== 0; i++) {
        assert.ok(i < 100, 'the default ServiceAccount appears');
        await new Promise((r) => setTimeout(r, 100));
      }
      const token = k133(['create', 'token', 'default']).trim();
      assert.equal(decodeJwt(token).sub, 'system:serviceaccount:default:default');
      const whoami = kubectlWithToken(token, ['auth', 'whoami'], KUBECTL_133);
      assert.equal(whoami.code, 0, whoami.stderr);
      assert.match(whoami.stdout, /^Username\s+system:serviceaccount:default:default$/m);
    });
  });
});
