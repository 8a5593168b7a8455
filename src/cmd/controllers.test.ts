import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disabledControllers, parseDuration } from './controllers.ts';

describe('controller manager flags', () => {
  it('parses Go durations and refuses anything else', () => {
    assert.equal(parseDuration('15s', 'f'), 15_000);
    assert.equal(parseDuration('500ms', 'f'), 500);
    assert.equal(parseDuration('1m30s', 'f'), 90_000);
    assert.equal(parseDuration('1.5s', 'f'), 1500);
    for (const bad of ['', '15', 's', '15 s', '10x', '-1s']) assert.throws(() => parseDuration(bad, '--flag'), /invalid --flag/);
  });

  it('selects controllers as --controllers does: *, names, and -name', () => {
    assert.deepEqual(disabledControllers('*'), []);
    assert.deepEqual(disabledControllers(undefined), []);
    assert.deepEqual(disabledControllers('*,-namespace'), ['namespace']);
    assert.ok(disabledControllers('namespace').includes('serviceaccount'));
    assert.ok(!disabledControllers('namespace').includes('namespace'));
    assert.throws(() => disabledControllers('*,-nope'), /unknown controller "nope"/);
  });
});
