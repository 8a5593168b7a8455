import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeOutcome, execStatus } from './exec-status.ts';
import { headerList, negotiate, protocolFeatures, REMOTECOMMAND_PROTOCOLS } from './protocols.ts';
import { ResizeDecoder } from './resize-decoder.ts';

describe('remotecommand protocol versions', () => {
  it("takes the first of the client's versions the server knows (kubectl lists the newest first)", () => {
    assert.equal(negotiate(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'], REMOTECOMMAND_PROTOCOLS), 'v5.channel.k8s.io');
    assert.equal(negotiate(['v9.channel.k8s.io', 'channel.k8s.io', 'v4.channel.k8s.io'], REMOTECOMMAND_PROTOCOLS), 'channel.k8s.io');
    assert.equal(negotiate(headerList('v4.channel.k8s.io, v3.channel.k8s.io'), REMOTECOMMAND_PROTOCOLS), 'v4.channel.k8s.io');
    assert.equal(negotiate(['base64.channel.k8s.io'], REMOTECOMMAND_PROTOCOLS), undefined);
  });

  it('knows what each version adds', () => {
    assert.deepEqual(protocolFeatures('channel.k8s.io'), { resize: false, statusJson: false, closeSignal: false });
    assert.deepEqual(protocolFeatures('v3.channel.k8s.io'), { resize: true, statusJson: false, closeSignal: false });
    assert.deepEqual(protocolFeatures('v4.channel.k8s.io'), { resize: true, statusJson: true, closeSignal: false });
    assert.deepEqual(protocolFeatures('v5.channel.k8s.io'), { resize: true, statusJson: true, closeSignal: true });
  });
});

describe('exec outcome', () => {
  it('reports a non-zero exit as NonZeroExitCode with the code as an ExitCode cause (kubectl exits with it)', () => {
    const s = execStatus({ exitCode: 3 });
    assert.equal(s.status, 'Failure');
    assert.equal(s.reason, 'NonZeroExitCode');
    assert.deepEqual(s.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
    assert.deepEqual(JSON.parse(encodeOutcome({ exitCode: 0 }, true).toString()), { metadata: {}, status: 'Success' });
  });

  it('writes plain text to pre-v4 clients, and nothing on success', () => {
    assert.equal(encodeOutcome({ exitCode: 0 }, false).length, 0);
    assert.match(encodeOutcome({ exitCode: 2 }, false).toString(), /non-zero exit code/);
    assert.equal(encodeOutcome({ error: 'boom' }, false).toString(), 'boom');
  });
});

describe('resize stream', () => {
  it('finds back-to-back JSON sizes split anywhere and replays the latest to a late listener', () => {
    const d = new ResizeDecoder();
    const seen: { width: number; height: number }[] = [];
    d.on((s) => seen.push(s));
    d.push(Buffer.from('{"Width":80,"Hei'));
    d.push(Buffer.from('ght":24}{"Width":100,"Height":40}\n'));
    assert.deepEqual(seen, [{ width: 80, height: 24 }, { width: 100, height: 40 }]);
    let late: unknown;
    d.on((s) => (late = s));
    assert.deepEqual(late, { width: 100, height: 40 });
  });
});
