import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, humanDuration, listWithMore, rfc3339, selectorString, since } from './format.ts';
import { DAY, HOUR, MIN, NOW, SEC, ago } from './test-helpers.ts';

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-3 * SEC, '<invalid>'],
    [-1.5 * SEC, '0s'],
    [0, '0s'],
    [5 * SEC, '5s'],
    [119 * SEC, '119s'],
    [2 * MIN, '2m'],
    [3 * MIN + 20 * SEC, '3m20s'],
    [9 * MIN + 59 * SEC, '9m59s'],
    [10 * MIN + 30 * SEC, '10m'],
    [179 * MIN, '179m'],
    [3 * HOUR, '3h'],
    [4 * HOUR, '4h'],
    [7 * HOUR + 59 * MIN, '7h59m'],
    [8 * HOUR + 30 * MIN, '8h'],
    [47 * HOUR, '47h'],
    [2 * DAY, '2d'],
    [2 * DAY + 3 * HOUR, '2d3h'],
    [7 * DAY + 23 * HOUR, '7d23h'],
    [10 * DAY, '10d'],
    [729 * DAY, '729d'],
    [730 * DAY, '2y'],
    [731 * DAY, '2y1d'],
    [8 * 365 * DAY, '8y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('timestamps', () => {
  it('prints <unknown> for an absent or unparseable time', () => {
    assert.equal(since(undefined, NOW), '<unknown>');
    assert.equal(since('yesterday-ish', NOW), '<unknown>');
    assert.equal(since(ago(90 * SEC), NOW), '90s');
  });

  it('formats creation time as RFC 3339 without fractions', () => {
    assert.equal(rfc3339('2024-03-04T05:06:07.123Z'), '2024-03-04T05:06:07Z');
    assert.equal(rfc3339('2024-03-04T07:06:07+02:00'), '2024-03-04T05:06:07Z');
    assert.equal(rfc3339(undefined), '0001-01-01T00:00:00Z');
  });
});

describe('labels and selectors', () => {
  it('formats label maps sorted by key', () => {
    assert.equal(formatLabels({ tier: 'web', app: 'nginx' }), 'app=nginx,tier=web');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });

  it('formats label selectors like metav1.FormatLabelSelector', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'bad', operator: 'NotIn', values: ['x'] },
      ],
    };
    assert.equal(formatLabelSelector(sel), 'app=web,bad notin (x),!canary,env in (dev,prod),zone');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] }), '<error>');
    assert.equal(selectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), undefined);
  });

  it('lists the first items and counts the rest', () => {
    assert.equal(listWithMore(['a', 'b', 'c', 'd', 'e'], 3), 'a,b,c + 2 more...');
    assert.equal(listWithMore(['a'], 3), 'a');
    assert.equal(listWithMore([], 3), '<unset>');
  });
});
