import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { writeKubeconfig } from './kubeconfig.ts';

const options = {
  server: 'https://127.0.0.1:6443',
  caCertPem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
  clientCertPem: '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n',
  clientKeyPem: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n',
};

const fromBase64 = (value: unknown): string => Buffer.from(String(value), 'base64').toString('utf8');

describe('writeKubeconfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-kubeconfig-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a kubeconfig with embedded credentials and default names', async () => {
    const path = join(dir, 'nested', 'admin.kubeconfig');
    await writeKubeconfig(path, options);

    const config = parse(await readFile(path, 'utf8'));
    assert.equal(config.apiVersion, 'v1');
    assert.equal(config.kind, 'Config');
    assert.equal(config['current-context'], 'strata');
    assert.deepEqual(config.contexts, [{ name: 'strata', context: { cluster: 'strata', user: 'admin' } }]);
    assert.equal(config.clusters.length, 1);
    assert.equal(config.clusters[0].name, 'strata');
    assert.equal(config.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(fromBase64(config.clusters[0].cluster['certificate-authority-data']), options.caCertPem);
    assert.equal(config.users.length, 1);
    assert.equal(config.users[0].name, 'admin');
    assert.equal(fromBase64(config.users[0].user['client-certificate-data']), options.clientCertPem);
    assert.equal(fromBase64(config.users[0].user['client-key-data']), options.clientKeyPem);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('uses the given cluster, user and context names', async () => {
    const path = join(dir, 'node.kubeconfig');
    await writeKubeconfig(path, { ...options, clusterName: 'prod', user: 'system:node:a', context: 'node' });
    const config = parse(await readFile(path, 'utf8'));
    assert.equal(config['current-context'], 'node');
    assert.deepEqual(config.contexts, [{ name: 'node', context: { cluster: 'prod', user: 'system:node:a' } }]);
    assert.equal(config.clusters[0].name, 'prod');
    assert.equal(config.users[0].name, 'system:node:a');
  });

  it('replaces an existing file, tightens its mode and leaves no temporary files', async () => {
    const path = join(dir, 'admin.kubeconfig');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeKubeconfig(path, { ...options, server: 'https://10.0.0.1:6443' });
    const config = parse(await readFile(path, 'utf8'));
    assert.equal(config.clusters[0].cluster.server, 'https://10.0.0.1:6443');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['admin.kubeconfig']);
  });
});
