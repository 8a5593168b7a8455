import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CriLogWriter, formatNs } from './cri-log-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-crilog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIXED = 1795500000123456789n;
const opts = { maxBytes: 0, maxFiles: 1, maxLineBytes: 16, nowNs: () => FIXED };

describe('CriLogWriter', () => {
  it('formats RFC 3339 with nanoseconds', () => {
    assert.equal(formatNs(1795500000123456789n), '2026-11-24T06:00:00.123456789Z');
    assert.equal(formatNs(1795500000000000001n), '2026-11-24T06:00:00.000000001Z');
  });

  it('writes full lines as F, joins pieces, and ends a trailing piece at end of stream', () => {
    const path = join(dir, 'a.log');
    const w = new CriLogWriter(path, opts);
    w.write('stdout', Buffer.from('hello\nwor'));
    w.write('stderr', Buffer.from('oops\n'));
    w.write('stdout', Buffer.from('ld\n\ntail'));
    w.close();
    const ts = formatNs(FIXED);
    assert.equal(readFileSync(path, 'utf8'), [`${ts} stdout F hello`, `${ts} stderr F oops`, `${ts} stdout F world`, `${ts} stdout F `, `${ts} stdout F tail`, ''].join('\n'));
  });

  it('splits a line longer than maxLineBytes into P pieces ending in F', () => {
    const path = join(dir, 'b.log');
    const w = new CriLogWriter(path, opts);
    w.write('stdout', Buffer.from('0123456789abcdef0123'));
    w.write('stdout', Buffer.from('45\n'));
    w.close();
    const tags = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
    assert.deepEqual(tags, ['stdout P 0123456789abcdef', 'stdout F 012345']);
  });

  it('rotates by size, keeping maxFiles files', () => {
    const sub = mkdtempSync(join(dir, 'rot-'));
    const path = join(sub, 'c.log');
    const w = new CriLogWriter(path, { ...opts, maxBytes: 200, maxFiles: 3, maxLineBytes: 1024 });
    for (let i = 0; i < 40; i++) w.write('stdout', Buffer.from(`line ${String(i).padStart(3, '0')}\n`));
    w.close();
    assert.deepEqual(readdirSync(sub).sort(), ['c.log', 'c.log.1', 'c.log.2']);
    for (const f of readdirSync(sub)) assert.ok(readFileSync(join(sub, f)).length <= 200, `${f} is within maxBytes`);
    const newest = readFileSync(path, 'utf8').trim().split('\n');
    assert.match(newest.at(-1) ?? '', /stdout F line 039$/);
    const prev = readFileSync(`${path}.1`, 'utf8').trim().split('\n');
    const lastPrev = Number((prev.at(-1) ?? '').slice(-3));
    const firstNew = Number((newest[0] ?? '').slice(-3));
    assert.equal(firstNew, lastPrev + 1, 'no line is lost across a rotation');
  });
});
