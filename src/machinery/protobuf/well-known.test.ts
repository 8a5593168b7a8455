import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatMicroTime, formatTime, parseDuration, parseTimestamp, ProtobufError } from './well-known.ts';

describe('hand-marshalled meta types', () => {
  it('formats and parses times as Go does', () => {
    assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(1_700_000_000), '2023-11-14T22:13:20Z');
    assert.equal(formatMicroTime(1_700_000_000, 5_000), '2023-11-14T22:13:20.000005Z');
    // Against Date over four centuries, leap days and the epoch's both sides included.
    for (let t = -2_208_988_800; t < 10_000_000_000; t += 86_399 * 37 + 13) {
      assert.equal(formatTime(t), new Date(t * 1000).toISOString().replace(/\.000Z$/, 'Z'), String(t));
    }
    assert.deepEqual(parseTimestamp('2023-11-14T22:13:20Z'), { seconds: 1_700_000_000, nanos: 0 });
    assert.deepEqual(parseTimestamp('2023-11-14T23:13:20.123456+01:00'), { seconds: 1_700_000_000, nanos: 123_456_000 });
    assert.deepEqual(parseTimestamp('1969-12-31T23:59:59Z'), { seconds: -1, nanos: 0 });
    for (const bad of ['', 'yesterday', '2023-11-14', '2023-13-14T22:13:20Z']) assert.throws(() => parseTimestamp(bad), ProtobufError, bad);
  });

  it("formats durations like Go's time.Duration.String", () => {
    const cases: [bigint, string][] = [
      [0n, '0s'], [1n, '1ns'], [1_500n, '1.5µs'], [300_000_000n, '300ms'], [1_000_000_000n, '1s'], [90_500_000_000n, '1m30.5s'],
      [3_600_000_000_000n, '1h0m0s'], [3_723_000_000_000n, '1h2m3s'], [-5_000_000_000n, '-5s'], [72n * 3_600_000_000_000n, '72h0m0s'],
    ];
    for (const [ns, text] of cases) {
      assert.equal(formatDuration(ns), text);
      assert.equal(parseDuration(text), ns, text);
    }
  });

  it("parses Go's duration syntax", () => {
    assert.equal(parseDuration('1.5h'), 5_400_000_000_000n);
    assert.equal(parseDuration('2h45m'), 9_900_000_000_000n);
    assert.equal(parseDuration('10us'), 10_000n);
    assert.equal(parseDuration('0'), 0n);
    for (const bad of ['', '5', 'h', '1d', '1.s2']) assert.throws(() => parseDuration(bad), ProtobufError, bad);
  });
});
