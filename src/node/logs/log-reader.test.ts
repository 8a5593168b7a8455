import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339Nano, parseCriLogLine } from './cri-log-line.ts';
import { parseContainerLogQuery } from './log-query.ts';
import { readContainerLogs, type LogReadOptions } from './log-reader.ts';

const T0 = Date.parse('2026-11-24T06:00:00Z');
const at = (s: number): string => `${new Date(T0 + s * 1000).toISOString().slice(0, 19)}.${String(s).padStart(3, '0')}000000Z`;

function fixture(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  const path = join(dir, 'container.log');
  writeFileSync(path, [
    `${at(1)} stdout F one`,
    `${at(2)} stderr F two`,
    `${at(3)} stdout P thr`,
    `${at(3)} stdout F ee`,
    `${at(4)} stdout F four`,
    '',
  ].join('\n'));
  return { dir, path };
}

async function read(path: string, opts: Partial<LogReadOptions>, running = async () => false, signal = new AbortController().signal): Promise<string> {
  const out: Buffer[] = [];
  await readContainerLogs({ path, running }, { follow: false, timestamps: false, ...opts }, async (c) => void out.push(c), signal, 10);
  return Buffer.concat(out).toString();
}

test('the whole log joins partial entries and keeps both streams in order', async () => {
  const { dir, path } = fixture();
  try {
    assert.equal(await read(path, {}), 'one\ntwo\nthree\nfour\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('tailLines counts entries from the end; 0 gives nothing', async () => {
  const { dir, path } = fixture();
  try {
    assert.equal(await read(path, { tailLines: 1 }), 'four\n');
    assert.equal(await read(path, { tailLines: 3 }), 'three\nfour\n');
    assert.equal(await read(path, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('since skips older entries; timestamps prefix each entry in RFC 3339 nano; limitBytes cuts the output', async () => {
  const { dir, path } = fixture();
  try {
    assert.equal(await read(path, { sinceNs: BigInt(T0 + 2000) * 1_000_000n + 2_000_000n }), 'two\nthree\nfour\n');
    assert.equal(await read(path, { sinceNs: BigInt(T0 + 2500) * 1_000_000n }), 'three\nfour\n');
    assert.equal(await read(path, { timestamps: true, tailLines: 1 }), '2026-11-24T06:00:04.004Z four\n');
    assert.equal(await read(path, { limitBytes: 6 }), 'one\ntw');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('follow streams new entries, carries on into a rotated file and ends when the container stops', async () => {
  const { dir, path } = fixture();
  try {
    let running = true;
    const out: string[] = [];
    const done = readContainerLogs({ path, running: async () => running }, { follow: true, timestamps: false, tailLines: 1 }, async (c) => void out.push(c.toString()), new AbortController().signal, 10);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, `${at(5)} stdout F five\n`);
    await new Promise((r) => setTimeout(r, 50));
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${at(6)} stdout F six\n`);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, `${at(7)} stdout F seven\n`);
    running = false;
    await done;
    assert.equal(out.join(''), 'four\nfive\nsix\nseven\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('follow ends when the caller goes away', async () => {
  const { dir, path } = fixture();
  try {
    const ac = new AbortController();
    const done = read(path, { follow: true }, async () => true, ac.signal);
    setTimeout(() => ac.abort(), 50);
    assert.equal(await done, 'one\ntwo\nthree\nfour\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('CRI lines parse; malformed ones are not entries; times print like Go RFC3339Nano', () => {
  const e = parseCriLogLine(Buffer.from('2026-11-24T06:00:00.123456789Z stderr F hello world'));
  assert.equal(e?.stream, 'stderr');
  assert.equal(e?.content.toString(), 'hello world');
  assert.equal(e?.partial, false);
  assert.equal(parseCriLogLine(Buffer.from('garbage')), undefined);
  assert.equal(parseCriLogLine(Buffer.from('2026-11-24T06:00:00Z stdin F x')), undefined);
  assert.equal(formatRfc3339Nano(BigInt(T0) * 1_000_000n), '2026-11-24T06:00:00Z');
  assert.equal(formatRfc3339Nano(BigInt(T0) * 1_000_000n + 120_000_000n), '2026-11-24T06:00:00.12Z');
});

test('query options are checked like PodLogOptions', () => {
  const q = (s: string) => parseContainerLogQuery(new URLSearchParams(s), T0);
  assert.deepEqual(q('follow=true&tailLines=5&timestamps=1'), { follow: true, previous: false, timestamps: true, tailLines: 5 });
  assert.deepEqual(q('sinceSeconds=10'), { follow: false, previous: false, timestamps: false, sinceNs: BigInt(T0 - 10_000) * 1_000_000n });
  assert.deepEqual(q('sinceTime=2026-11-24T06:00:00Z'), { follow: false, previous: false, timestamps: false, sinceNs: BigInt(T0) * 1_000_000n });
  assert.match((q('tailLines=-1') as { error: string }).error, /greater than or equal to 0/);
  assert.match((q('limitBytes=0') as { error: string }).error, /greater than 0/);
  assert.match((q('sinceSeconds=5&sinceTime=2026-11-24T06:00:00Z') as { error: string }).error, /at most one/);
  assert.match((q('follow=maybe') as { error: string }).error, /invalid boolean/);
});
