import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  labelSelectorFromSet,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorToString,
  validateLabelSelector,
} from './labels.ts';
import { isStatusError } from './status-error.ts';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.status.reason, 'BadRequest');
    assert.match(err.status.message ?? '', pattern);
    return true;
  });
}

describe('parseLabelSelector', () => {
  it('parses every operator and prints the canonical form sorted by key', () => {
    const sel = parseLabelSelector(' z = 1 , y==2,x!=3, w in (b, a,b), v notin (c), u, !t, s>5, r<7 ');
    assert.equal(sel.toString(), 'r<7,s>5,!t,u,v notin (c),w in (a,b),x!=3,y==2,z=1');
    assert.deepEqual(
      sel.requirements().map((r) => [r.key, r.operator, r.values]),
      [
        ['r', 'lt', ['7']],
        ['s', 'gt', ['5']],
        ['t', '!', []],
        ['u', 'exists', []],
        ['v', 'notin', ['c']],
        ['w', 'in', ['a', 'b']],
        ['x', '!=', ['3']],
        ['y', '==', ['2']],
        ['z', '=', ['1']],
      ],
    );
    assert.equal(parseLabelSelector(sel.toString()).toString(), sel.toString());
  });

  it('treats the empty string as everything', () => {
    const sel = parseLabelSelector('');
    assert.ok(sel.isEverything());
    assert.ok(sel.matches(undefined));
    assert.ok(parseLabelSelector('   ').isEverything());
    assert.equal(sel.toString(), '');
  });

  it('accepts empty values, prefixed keys and keywords used as values', () => {
    assert.deepEqual(parseLabelSelector('a=').requirements()[0]?.values, ['']);
    assert.deepEqual(parseLabelSelector('x in (foo,,baz)').requirements()[0]?.values, ['', 'baz', 'foo']);
    assert.deepEqual(parseLabelSelector('x in ()').requirements()[0]?.values, ['']);
    assert.deepEqual(parseLabelSelector('x in (in,notin)').requirements()[0]?.values, ['in', 'notin']);
    assert.equal(parseLabelSelector('app.kubernetes.io/name=web').requiredExactMatch('app.kubernetes.io/name'), 'web');
  });

  it('matches like upstream', () => {
    const labels = { app: 'web', tier: 'front', replicas: '3' };
    const cases: Array<[string, boolean]> = [
      ['app=web', true],
      ['app==web,tier=front', true],
      ['app=db', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['app in (web,db)', true],
      ['missing in (x)', false],
      ['app notin (web)', false],
      ['missing notin (x)', true],
      ['tier', true],
      ['missing', false],
      ['!missing', true],
      ['!app', false],
      ['replicas>2', true],
      ['replicas<3', false],
      ['app>1', false],
      ['missing<5', false],
      ['constructor', false],
      ['!toString', true],
    ];
    for (const [s, want] of cases) assert.equal(parseLabelSelector(s).matches(labels), want, s);
    assert.equal(parseLabelSelector('a!=b').matches(undefined), true);
    assert.equal(parseLabelSelector('a=b').matches(undefined), false);
  });

  it('reports exact matches for index lookups', () => {
    const sel = parseLabelSelector('a in (x),b=y,c in (p,q),d!=z');
    assert.equal(sel.requiredExactMatch('a'), 'x');
    assert.equal(sel.requiredExactMatch('b'), 'y');
    assert.equal(sel.requiredExactMatch('c'), undefined);
    assert.equal(sel.requiredExactMatch('d'), undefined);
    assert.equal(sel.requiredExactMatch('e'), undefined);
  });

  it('rejects bad syntax with upstream messages', () => {
    rejects(() => parseLabelSelector('a b'), /unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt/);
    rejects(() => parseLabelSelector('a=b c'), /^found 'c', expected: ',' or 'end of string'$/);
    rejects(() => parseLabelSelector('a=b,'), /found '', expected: identifier after ','/);
    rejects(() => parseLabelSelector(',a'), /found ',', expected: !, identifier, or 'end of string'/);
    rejects(() => parseLabelSelector('a in b'), /unable to parse requirement: found 'b' expected: '\('/);
    rejects(() => parseLabelSelector('a in (b'), /unable to parse requirement: found '', expected: ',' or '\)'/);
    rejects(() => parseLabelSelector('a in (b c)'), /expected: ',' or '\)'/);
    rejects(() => parseLabelSelector('a=(b)'), /unable to parse requirement: found '\(', expected: identifier/);
    rejects(() => parseLabelSelector('!a=b'), /found '=', expected: ',' or 'end of string'/);
    rejects(() => parseLabelSelector('a!b'), /found '!', expected: in, notin, =, ==, !=, gt, lt/);
    rejects(() => parseLabelSelector('=b'), /found '=', expected: !, identifier/);
  });

  it('rejects invalid keys and values', () => {
    rejects(() => parseLabelSelector('-a=b'), /unable to parse requirement: Invalid value: "-a": name part must consist of/);
    rejects(() => parseLabelSelector('Example.com/a=b'), /prefix part a lowercase RFC 1123 subdomain/);
    rejects(() => parseLabelSelector(`${'k'.repeat(64)}=b`), /name part must be no more than 63 characters/);
    rejects(() => parseLabelSelector('a/b/c'), /must consist of alphanumeric characters/);
    rejects(() => parseLabelSelector('a=b$'), /a valid label must be an empty string or consist of/);
    rejects(() => parseLabelSelector(`a in (${'v'.repeat(64)})`), /must be no more than 63 characters/);
    rejects(() => parseLabelSelector('a>b'), /the value must be an integer/);
  });
});

describe('selectorFromLabelSelector', () => {
  it('nil matches nothing, empty matches everything', () => {
    assert.equal(selectorFromLabelSelector(null).matches({ a: 'b' }), false);
    assert.ok(selectorFromLabelSelector(undefined).isNothing());
    assert.equal(selectorFromLabelSelector({}).matches({ a: 'b' }), true);
    assert.ok(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).isEverything());
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'app=web,env notin (dev),!legacy,team,tier in (edge,front)');
    assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', env: 'dev' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'edge' }), false);
    assert.equal(sel.requiredExactMatch('app'), 'web');
  });

  it('throws a 400 for invalid selectors', () => {
    rejects(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
    rejects(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
    rejects(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /must be empty/);
    rejects(() => selectorFromLabelSelector({ matchLabels: { 'bad key': 'x' } }), /key: Invalid value/);
  });

  it('prints the Scale selector string', () => {
    assert.equal(selectorToString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
    assert.equal(selectorToString(undefined), '');
  });

  it('labelSelectorFromSet matches the set exactly', () => {
    const sel = labelSelectorFromSet({ b: '2', a: '1' });
    assert.equal(sel.toString(), 'a=1,b=2');
    assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
    assert.equal(sel.matches({ a: '1' }), false);
    assert.ok(labelSelectorFromSet(undefined).isEverything());
  });
});

describe('validateLabelSelector', () => {
  it('accepts a valid selector and nil', () => {
    assert.deepEqual(validateLabelSelector(undefined, 'spec.selector'), []);
    assert.deepEqual(
      validateLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, 'spec.selector'),
      [],
    );
  });

  it('reports operator and value problems at their paths', () => {
    const errs = validateLabelSelector(
      {
        matchLabels: { 'bad key': 'ok', good: 'bad value' },
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Gt', values: ['1'] },
          { key: '-d', operator: 'NotIn', values: ['ok', '-bad'] },
        ],
      },
      'spec.selector',
    );
    assert.deepEqual(
      errs.map((e) => [e.type, e.field]),
      [
        ['FieldValueInvalid', 'spec.selector.matchLabels'],
        ['FieldValueInvalid', 'spec.selector.matchLabels'],
        ['FieldValueRequired', 'spec.selector.matchExpressions[0].values'],
        ['FieldValueForbidden', 'spec.selector.matchExpressions[1].values'],
        ['FieldValueInvalid', 'spec.selector.matchExpressions[2].operator'],
        ['FieldValueInvalid', 'spec.selector.matchExpressions[3].key'],
        ['FieldValueInvalid', 'spec.selector.matchExpressions[3].values[1]'],
      ],
    );
    assert.match(errs[2]!.message, /must be specified when `operator` is 'In' or 'NotIn'/);
    assert.match(errs[4]!.message, /Invalid value: "Gt": not a valid selector operator/);
  });
});
