import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from '../../machinery/status-error.ts';
import { negotiate, prefersProtobuf } from './negotiate.ts';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('negotiate', () => {
  it('serves JSON when the client states no preference or accepts anything', () => {
    for (const accept of [undefined, '', '*/*', 'application/*', 'application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;q=0.9']) {
      assert.deepEqual(negotiate(accept, true), { kind: 'object', format: 'json' }, String(accept));
    }
  });

  it('serves YAML when asked', () => {
    assert.deepEqual(negotiate('application/yaml', true), { kind: 'object', format: 'yaml' });
    assert.deepEqual(negotiate('application/yaml, application/json', true), { kind: 'object', format: 'yaml' }, 'the client order decides');
  });

  it('serves server-side Tables in the version asked for, first acceptable entry wins', () => {
    assert.deepEqual(negotiate(KUBECTL_GET, true), { kind: 'table', version: 'v1' });
    assert.deepEqual(negotiate('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json', true), { kind: 'table', version: 'v1beta1' });
    assert.deepEqual(negotiate('application/json; as=Table; v=v1; g=meta.k8s.io', true), { kind: 'table', version: 'v1' }, 'spaces around parameters');
  });

  it('serves PartialObjectMetadata for metadata-only clients', () => {
    assert.deepEqual(negotiate('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1', true), { kind: 'metadata', version: 'v1' });
    assert.deepEqual(negotiate('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1,application/json', true), { kind: 'metadata', version: 'v1beta1' });
  });

  it('skips transforms it cannot produce and falls back to the next entry', () => {
    assert.deepEqual(negotiate(KUBECTL_GET, false), { kind: 'object', format: 'json' }, 'transforms not allowed here');
    assert.deepEqual(negotiate('application/json;as=Table;v=v2;g=meta.k8s.io,application/json', true), { kind: 'object', format: 'json' });
    assert.deepEqual(negotiate('application/json;as=Table;v=v1;g=example.com,application/yaml', true), { kind: 'object', format: 'yaml' });
    assert.deepEqual(negotiate('application/json;as=Other;v=v1;g=meta.k8s.io,*/*', true), { kind: 'object', format: 'json' });
  });

  it('answers protobuf only when the client lists it before JSON', () => {
    assert.deepEqual(negotiate('application/vnd.kubernetes.protobuf,application/json', true), { kind: 'object', format: 'protobuf' });
    assert.deepEqual(negotiate('application/json,application/vnd.kubernetes.protobuf', true), { kind: 'object', format: 'json' });
    assert.deepEqual(negotiate('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json', true), { kind: 'table', version: 'v1' });
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf,application/json'), true);
    assert.equal(prefersProtobuf('application/vnd.kubernetes.protobuf;stream=watch'), true);
    assert.equal(prefersProtobuf('application/json, application/vnd.kubernetes.protobuf'), false);
    assert.equal(prefersProtobuf('application/json;as=Table;v=v1;g=meta.k8s.io,application/vnd.kubernetes.protobuf'), true, 'transforms do not count for plain objects');
    assert.equal(prefersProtobuf(undefined), false);
    assert.equal(prefersProtobuf('text/html'), false);
  });

  it('answers 406 Not Acceptable when nothing in the Accept header can be served', () => {
    for (const accept of ['application/vnd.kubernetes.protobuf-other', 'text/html', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
      assert.throws(
        () => negotiate(accept, accept.includes('Table') ? false : true),
        (err: unknown) => isStatusError(err) && err.code === 406 && err.reason === 'NotAcceptable',
        accept,
      );
    }
  });
});
