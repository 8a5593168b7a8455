import { strict as assert } from 'node:assert';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PayloadPathError, writeAtomically, type Payload } from './atomic-writer.ts';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

describe('atomic writer', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'strata-aw-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lays out a timestamped dir, ..data and per-key symlinks', () => {
    assert.equal(writeAtomically(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o400)]]), new Date('2026-11-24T08:40:00Z')), true);
    const ts = readlinkSync(join(dir, '..data'));
    assert.match(ts, /^\.\.2026_11_24_08_40_00\.\d{9}$/);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal(statSync(join(dir, 'sub', 'b')).mode & 0o777, 0o400);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', ts, 'a', 'sub'].sort());
  });

  it('writes nothing for an unchanged payload and swaps everything on a change', () => {
    const p: Payload = new Map([['a', file('1')], ['b', file('2')]]);
    writeAtomically(dir, p);
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(writeAtomically(dir, new Map(p)), false);
    assert.equal(readlinkSync(join(dir, '..data')), first);
    assert.equal(writeAtomically(dir, new Map([['a', file('1', 0o600)]])), true, 'a mode change is a change');
    assert.equal(writeAtomically(dir, new Map([['a', file('3')], ['c', file('4')]])), true);
    const second = readlinkSync(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '3');
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), '4');
    assert.throws(() => lstatSync(join(dir, 'b')), 'the symlink of a removed key goes');
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('..2')), [second], 'the old timestamped dir is removed');
  });

  it('rejects paths that escape the volume or clash with its own names', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..data', '..hidden/x', '']) {
      assert.throws(() => writeAtomically(dir, new Map([[bad, file('x')]])), PayloadPathError, bad);
    }
  });
});
