// ConfigMap and Secret validation: key syntax, the 1 MiB size limit, typed secrets, and the
// `immutable: true` contract.

import { isConfigMapKey } from '../../machinery/index.ts';
import { deepEqual, fieldErrors, has, immutable, isRec, key, type Errs, type Rec } from './fields.ts';

/** Upstream MaxSecretSize, which also bounds ConfigMaps. */
export const MAX_CONFIG_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';
const REDACTED = '<secret contents redacted>';
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of standard base64 data (line breaks ignored, as Go's decoder does), or undefined. */
function decoded(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const compact = value.replace(/[\r\n]/g, '');
  return BASE64_RE.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

function base64Length(value: unknown): number | undefined {
  return decoded(value)?.length;
}

function keyErrors(k: string, path: string): Errs {
  return isConfigMapKey(k).map((m) => fieldErrors.invalid(key(path, k), k, m));
}

export function validateConfigMap(cm: Rec): Errs {
  const errs: Errs = [];
  const data = isRec(cm['data']) ? cm['data'] : {};
  const binaryData = isRec(cm['binaryData']) ? cm['binaryData'] : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...keyErrors(k, 'data'));
    // Own keys only: `in` would also find Object.prototype's (`constructor`, `__proto__`).
    if (Object.hasOwn(binaryData, k)) errs.push(fieldErrors.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
    else errs.push(fieldErrors.typeInvalid(key('data', k), v, 'must be a string'));
  }
  for (const [k, v] of Object.entries(binaryData)) {
    errs.push(...keyErrors(k, 'binaryData'));
    const len = base64Length(v);
    if (len === undefined) errs.push(fieldErrors.invalid(key('binaryData', k), '<binary data>', 'illegal base64 data'));
    else total += len;
  }
  // Reported against the whole object, as upstream does.
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('', MAX_CONFIG_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: Rec, old: Rec): Errs {
  const errs: Errs = [];
  if (old['immutable'] === true) {
    if (cm['immutable'] !== true) errs.push(fieldErrors.forbidden('immutable', IMMUTABLE_MSG));
    if (!deepEqual(cm['data'], old['data'])) errs.push(fieldErrors.forbidden('data', IMMUTABLE_MSG));
    if (!deepEqual(cm['binaryData'], old['binaryData'])) errs.push(fieldErrors.forbidden('binaryData', IMMUTABLE_MSG));
  }
  return errs;
}

const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

function requireKey(data: Rec, k: string, errs: Errs): boolean {
  if (k in data) return true;
  errs.push(fieldErrors.required(key('data', k), ''));
  return false;
}

function requireJSON(data: Rec, stringData: Rec, k: string, errs: Errs): void {
  if (!requireKey({ ...data, ...stringData }, k, errs)) return;
  const raw = stringData[k];
  try {
    JSON.parse(typeof raw === 'string' ? raw : (decoded(data[k])?.toString('utf8') ?? ''));
  } catch (err) {
    errs.push(fieldErrors.invalid(key('data', k), REDACTED, err instanceof Error ? err.message : 'invalid JSON'));
  }
}

export function validateSecret(secret: Rec): Errs {
  const errs: Errs = [];
  const data = isRec(secret['data']) ? secret['data'] : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...keyErrors(k, 'data'));
    const len = base64Length(v);
    if (len === undefined) errs.push(fieldErrors.invalid(key('data', k), REDACTED, 'illegal base64 data'));
    else total += len;
  }
  // stringData is normally folded into data by defaulting; count it if it is still here.
  const stringData = isRec(secret['stringData']) ? secret['stringData'] : {};
  for (const [k, v] of Object.entries(stringData)) {
    errs.push(...keyErrors(k, 'stringData'));
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
  }
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('data', MAX_CONFIG_SIZE));
  const merged: Rec = { ...data, ...Object.fromEntries(Object.keys(stringData).map((k) => [k, ''])) };
  switch (secret['type']) {
    case 'kubernetes.io/service-account-token': {
      const annotations = isRec(secret['metadata']) && isRec(secret['metadata']['annotations']) ? secret['metadata']['annotations'] : {};
      const sa = annotations[SERVICE_ACCOUNT_NAME_ANNOTATION];
      if (typeof sa !== 'string' || sa === '') errs.push(fieldErrors.required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`, ''));
      break;
    }
    case 'kubernetes.io/dockercfg':
      requireJSON(data, stringData, '.dockercfg', errs);
      break;
    case 'kubernetes.io/dockerconfigjson':
      requireJSON(data, stringData, '.dockerconfigjson', errs);
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in merged) && !('password' in merged)) {
        errs.push(fieldErrors.required(key('data', 'username'), ''), fieldErrors.required(key('data', 'password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
    {
      const fromString = stringData['ssh-privatekey'];
      const length = typeof fromString === 'string' ? fromString.length : (decoded(data['ssh-privatekey'])?.length ?? 0);
      if (length === 0) errs.push(fieldErrors.required(key('data', 'ssh-privatekey'), ''));
      break;
    }
    case 'kubernetes.io/tls':
      requireKey(merged, 'tls.crt', errs);
      requireKey(merged, 'tls.key', errs);
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Rec, old: Rec): Errs {
  const errs = immutable(secret['type'], old['type'], 'type');
  if (old['immutable'] === true) {
    if (secret['immutable'] !== true) errs.push(fieldErrors.forbidden('immutable', IMMUTABLE_MSG));
    if (!deepEqual(secret['data'], old['data'])) errs.push(fieldErrors.forbidden('data', IMMUTABLE_MSG));
    if (has(secret, 'stringData') && !deepEqual(secret['stringData'], {})) errs.push(fieldErrors.forbidden('stringData', IMMUTABLE_MSG));
  }
  return errs;
}
