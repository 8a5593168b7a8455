import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isPathSegmentName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from './validation.ts';
import { isIP, isValidCIDR } from './ip.ts';
import { labelSelectorMatches, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta-validation.ts';

const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

describe('DNS names', () => {
  it('accepts RFC 1123 labels and rejects the rest with upstream messages', () => {
    assert.deepEqual(isDNS1123Label('my-name'), []);
    assert.deepEqual(isDNS1123Label('123-abc'), []);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('Foo'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  it('accepts subdomains up to 253 characters', () => {
    assert.deepEqual(isDNS1123Subdomain('example.com'), []);
    assert.deepEqual(isDNS1123Subdomain('-bad'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.equal(isDNS1123Subdomain(`${'a'.repeat(250)}.com`)[0], 'must be no more than 253 characters');
  });

  it('requires DNS-1035 labels to start with a letter', () => {
    assert.deepEqual(isDNS1035Label('abc-123'), []);
    assert.equal(isDNS1035Label('1abc').length, 1);
    assert.match(isDNS1035Label('1abc')[0] ?? '', /^a DNS-1035 label must consist/);
  });

  it('lets generateName prefixes end in a dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
    assert.deepEqual(nameIsPathSegment('system:admin', false), []);
    assert.deepEqual(isPathSegmentName('..'), [`may not be '..'`]);
    assert.deepEqual(isPathSegmentName('a/b%c'), [`may not contain '/'`, `may not contain '%'`]);
  });
});

describe('qualified names and label values', () => {
  it('accepts prefixed and plain keys', () => {
    assert.deepEqual(isQualifiedName('app'), []);
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('My_Key.1'), []);
  });

  it('explains bad prefixes and names', () => {
    assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
    assert.match(isQualifiedName('Bad_Prefix/name')[0] ?? '', /^prefix part a lowercase RFC 1123 subdomain/);
    assert.match(isQualifiedName('a/b/c')[0] ?? '', /^a valid label key must consist of/);
    assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', isQualifiedName('a/')[1]]);
    assert.equal(isQualifiedName(`${'x'.repeat(64)}`)[0], 'name part must be no more than 63 characters');
  });

  it('allows empty label values but not bad characters', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('v1.2_3'), []);
    assert.match(isValidLabelValue('has space')[0] ?? '', /^a valid label must be an empty string/);
  });
});

describe('ports, keys, env names, IPs', () => {
  it('checks port numbers and IANA names', () => {
    assert.deepEqual(isValidPortNum(80), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
    assert.equal(isValidPortName('a-very-long-port-name').length, 1);
  });

  it('checks config keys, percents and env names', () => {
    assert.deepEqual(isConfigMapKey('app.properties'), []);
    assert.deepEqual(isConfigMapKey('..data'), [`must not start with '..'`]);
    assert.equal(isConfigMapKey('a/b').length, 1);
    assert.deepEqual(isValidPercent('25%'), []);
    assert.equal(isValidPercent('25').length, 1);
    assert.deepEqual(isEnvVarName('MY_VAR'), []);
    assert.equal(isEnvVarName('1VAR').length, 1);
    assert.deepEqual(isRelaxedEnvVarName('1 VAR'), []);
    assert.equal(isRelaxedEnvVarName('A=B').length, 1);
    assert.equal(isRelaxedEnvVarName('').length, 1);
  });

  it('recognises IPv4, IPv6 and CIDRs', () => {
    for (const ok of ['10.0.0.1', '::1', '2001:db8::ffff', '::ffff:1.2.3.4', 'fe80::1:2:3:4:5:6', '1:2:3:4:5:6:7:8']) assert.equal(isIP(ok), true, ok);
    for (const bad of ['256.1.1.1', '1.2.3', 'None', '1:2:3:4:5:6:7:8:9', '1::2::3', 'abc']) assert.equal(isIP(bad), false, bad);
    assert.deepEqual(isValidCIDR('10.0.0.0/8'), []);
    assert.deepEqual(isValidCIDR('2001:db8::/64'), []);
    assert.equal(isValidCIDR('10.0.0.0/33').length, 1);
  });
});

describe('validateObjectMeta', () => {
  const opts = { namespaced: true, nameValidator: nameIsDNSSubdomain };

  it('accepts a well-formed namespaced object', () => {
    assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default', labels: { app: 'web' } }, opts), []);
  });

  it('requires name or generateName and the namespace', () => {
    const errs = validateObjectMeta({}, opts);
    assert.deepEqual(fields(errs), ['metadata.name', 'metadata.namespace']);
    assert.equal(errs[0]?.type, 'FieldValueRequired');
    assert.match(errs[0]?.message ?? '', /name or generateName is required$/);
    assert.deepEqual(validateObjectMeta({ generateName: 'web-', namespace: 'ns' }, opts), []);
  });

  it('forbids a namespace on cluster-scoped kinds', () => {
    const errs = validateObjectMeta({ name: 'n1', namespace: 'x' }, { namespaced: false, nameValidator: nameIsDNSSubdomain });
    assert.deepEqual(fields(errs), ['metadata.namespace']);
    assert.equal(errs[0]?.type, 'FieldValueForbidden');
  });

  it('validates labels, annotations, owner references and finalizers', () => {
    const errs = validateObjectMeta(
      {
        name: 'Bad_Name',
        namespace: 'default',
        labels: { 'bad key!': 'ok', good: 'bad value!' },
        annotations: { 'Example.com/Key': 'fine', big: 'x'.repeat(256 * 1024) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: '', uid: '' }],
        finalizers: ['example.com/cleanup', 'bad finalizer'],
      },
      opts,
    );
    assert.deepEqual(fields(errs), [
      'metadata.name',
      'metadata.labels',
      'metadata.labels',
      'metadata.annotations',
      'metadata.ownerReferences.name',
      'metadata.ownerReferences.uid',
      'metadata.finalizers',
    ]);
    assert.equal(errs[3]?.type, 'FieldValueTooLong');
  });

  it('rejects two controller owner references', () => {
    const refs = [
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
    const errs = validateObjectMeta({ name: 'x', namespace: 'y', ownerReferences: refs }, opts);
    assert.match(errs[0]?.message ?? '', /Only one reference can have Controller set to true. Found "true" in references for A\/a and B\/b/);
  });

  it('forbids new finalizers while deleting', () => {
    const errs = validateObjectMetaUpdate(
      { name: 'x', finalizers: ['a.io/x', 'b.io/y'] },
      { name: 'x', finalizers: ['a.io/x'], deletionTimestamp: '2024-01-01T00:00:00Z' },
    );
    assert.deepEqual(fields(errs), ['metadata.finalizers']);
    assert.equal(errs[0]?.type, 'FieldValueForbidden');
  });
});

describe('label selectors', () => {
  it('validates operators and values', () => {
    const errs = validateLabelSelector(
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: [] },
          { key: 'env', operator: 'Exists', values: ['x'] },
          { key: 'x', operator: 'Near' },
        ],
      },
      'spec.selector',
    );
    assert.deepEqual(fields(errs), ['spec.selector.matchExpressions[0].values', 'spec.selector.matchExpressions[1].values', 'spec.selector.matchExpressions[2].operator']);
  });

  it('matches label sets', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
    assert.equal(labelSelectorMatches(sel, { app: 'web', tier: 'fe' }), true);
    assert.equal(labelSelectorMatches(sel, { app: 'web', tier: 'db' }), false);
    assert.equal(labelSelectorMatches(sel, { app: 'api' }), false);
    assert.equal(labelSelectorMatches({}, { any: 'thing' }), true);
  });
});
