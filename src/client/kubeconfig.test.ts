import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadKubeconfig } from './kubeconfig.ts';
import { readWatchEvents } from './watch-stream.ts';

describe('loadKubeconfig', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'strata-kubeconfig-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const doc = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'admin',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': 'ca.crt' } }],
    users: [
      { name: 'admin', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } },
      { name: 'bot', user: { tokenFile: 'token' } },
    ],
    contexts: [{ name: 'admin', context: { cluster: 'c', user: 'admin' } }, { name: 'bot', context: { cluster: 'c', user: 'bot' } }],
  };

  it('reads embedded certificates, files relative to the kubeconfig, and token files', async () => {
    await writeFile(join(dir, 'ca.crt'), 'CA');
    await writeFile(join(dir, 'token'), 'abc\n');
    await writeFile(join(dir, 'config'), stringify(doc));
    assert.deepEqual(await loadKubeconfig(join(dir, 'config')), { server: 'https://127.0.0.1:6443', caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' });
    assert.deepEqual(await loadKubeconfig(join(dir, 'config'), 'bot'), { server: 'https://127.0.0.1:6443', caPem: 'CA', token: 'abc' });
    await assert.rejects(loadKubeconfig(join(dir, 'config'), 'nope'), /context "nope" not found/);
  });
});

describe('readWatchEvents', () => {
  it('splits JSON lines across arbitrary chunk boundaries, including inside multi-byte characters', async () => {
    const text = '{"type":"ADDED","object":{"metadata":{"name":"é"}}}\n\n{"type":"DELETED","object":{"metadata":{"name":"b"}}}';
    const bytes = Buffer.from(text);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const events = [];
    for await (const ev of readWatchEvents(chunks())) events.push(ev);
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'é'], ['DELETED', 'b']]);
  });
});
