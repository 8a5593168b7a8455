// Syntax checks for names, labels, annotations and other identifiers, with the exact messages
// upstream apimachinery returns, plus ObjectMeta and LabelSelector validation built on them.
// The is* checks return a list of problems (empty when valid); validate* return FieldErrors.

import { fieldErrors, type FieldError } from './status-error.ts';

// ---- message builders ---------------------------------------------------------------------------

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';

// ---- DNS names ----------------------------------------------------------------------------------

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
export const DNS1123_LABEL_MAX_LENGTH = 63;

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);
export const DNS1035_LABEL_MAX_LENGTH = 63;

const WILDCARD_SUBDOMAIN_FMT = `\\*\\.${DNS1123_SUBDOMAIN_FMT}`;
const WILDCARD_SUBDOMAIN_ERR = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const WILDCARD_SUBDOMAIN_RE = new RegExp(`^${WILDCARD_SUBDOMAIN_FMT}$`);

/** Go measures string length in bytes; so do we, so that multi-byte input is judged the same way. */
function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    // A valid subdomain that is not a label can only be failing because of its dots.
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!WILDCARD_SUBDOMAIN_RE.test(value)) errs.push(regexError(WILDCARD_SUBDOMAIN_ERR, WILDCARD_SUBDOMAIN_FMT, '*.example.com'));
  return errs;
}

// ---- qualified names (label keys) and label values ----------------------------------------------

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MAX_LENGTH = 63;

/** A label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a valid label key ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
export const LABEL_VALUE_MAX_LENGTH = 63;

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- other identifiers ---------------------------------------------------------------------------

/** Names used as URL or storage path segments (RBAC objects): anything but ".", "..", "/" and "%". */
export function isPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return isPathSegmentPrefix(name);
}

export function isPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  if (name.includes('/')) errs.push(`may not contain '/'`);
  if (name.includes('%')) errs.push(`may not contain '%'`);
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

/** IANA service names: at most 15 of [-a-z0-9], at least one letter, no leading/trailing/double '-'. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPercent(percent: string): string[] {
  return /^[0-9]+%$/.test(percent) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

export function isHTTPHeaderName(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value) ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

function chDirPrefixErrors(value: string): string[] {
  if (value === '.') return [`must not be '.'`];
  if (value === '..') return [`must not be '..'`];
  if (value.startsWith('..')) return [`must not start with '..'`];
  return [];
}

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';

/** Keys of ConfigMap and Secret data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!/^[-._a-zA-Z0-9]+$/.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...chDirPrefixErrors(value));
  return errs;
}

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';

/** The strict (pre-1.32) environment variable name rule. */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${ENV_VAR_NAME_FMT}$`).test(value)) {
    errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  }
  errs.push(...chDirPrefixErrors(value));
  return errs;
}

/** The relaxed rule upstream enables by default since 1.32: printable ASCII other than '='. */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

// ---- IP addresses --------------------------------------------------------------------------------

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(value: string): boolean {
  return IPV4_RE.test(value);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':') || value.includes('%')) return false;
  let rest = value;
  let groupsNeeded = 8;
  const lastColon = rest.lastIndexOf(':');
  const tail = rest.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    rest = rest.slice(0, lastColon + 1) + '0:0';
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const parse = (s: string): string[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    return parts.every((p) => group.test(p)) ? parts : undefined;
  };
  const head = parse(halves[0] ?? '');
  if (!head) return false;
  if (halves.length === 1) return head.length === groupsNeeded;
  const back = parse(halves[1] ?? '');
  if (!back) return false;
  groupsNeeded -= 1; // "::" stands for at least one group of zeros
  return head.length + back.length <= groupsNeeded;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/** The problems with an IP address string, phrased like upstream validation.IsValidIP. */
export function isValidIP(value: string): string[] {
  if (isIP(value)) return [];
  return ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

export function isValidCIDR(value: string): string[] {
  const slash = value.indexOf('/');
  if (slash > 0) {
    const ip = value.slice(0, slash);
    const bits = value.slice(slash + 1);
    const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
    if (max > 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= max) return [];
  }
  return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
}

// ---- name validators -----------------------------------------------------------------------------

/**
 * Validates an object name; `prefix` is true when checking a generateName, which may end in a
 * dash because random characters are appended to it.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
export const nameIsPathSegment: NameValidator = (name, prefix) => (prefix ? isPathSegmentPrefix(name) : isPathSegmentName(name));
/** Namespaces are DNS labels. */
export const validateNamespaceName: NameValidator = nameIsDNSLabel;

// ---- metadata ------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((m) => fieldErrors.invalid(path, key, m));
}

/** Label keys and values; errors are reported against the map, as upstream does. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isRec(labels)) return [fieldErrors.typeInvalid(path, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    if (typeof v !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, v, 'label values must be strings'));
      continue;
    }
    errs.push(...isValidLabelValue(v).map((m) => fieldErrors.invalid(path, v, m)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isRec(annotations)) return [fieldErrors.typeInvalid(path, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names, except that case does not matter.
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => fieldErrors.invalid(path, k, m)));
    if (typeof v !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, v, 'annotation values must be strings'));
      continue;
    }
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [fieldErrors.typeInvalid(path, refs, 'must be a list of owner references')];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const raw of refs) {
    const ref: Rec = isRec(raw) ? raw : {};
    const apiVersion = typeof ref['apiVersion'] === 'string' ? ref['apiVersion'] : '';
    const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '';
    const name = typeof ref['name'] === 'string' ? ref['name'] : '';
    const uid = typeof ref['uid'] === 'string' ? ref['uid'] : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    // Upstream reports these against the list path, without an index.
    if (version.length === 0) errs.push(fieldErrors.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind.length === 0) errs.push(fieldErrors.invalid(`${path}.kind`, kind, 'must not be empty'));
    if (name.length === 0) errs.push(fieldErrors.invalid(`${path}.name`, name, 'must not be empty'));
    if (uid.length === 0) errs.push(fieldErrors.invalid(`${path}.uid`, uid, 'must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') errs.push(fieldErrors.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref['controller'] === true) {
      const current = `${kind}/${name}`;
      if (firstController) {
        errs.push(fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [fieldErrors.typeInvalid(path, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    if (typeof f !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, f, 'finalizers must be strings'));
      continue;
    }
    errs.push(...isQualifiedName(f).map((m) => fieldErrors.invalid(path, f, m)));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface ObjectMetaValidationOptions {
  /** Whether the kind lives in a namespace (then metadata.namespace is required). */
  namespaced: boolean;
  nameValidator: NameValidator;
}

/**
 * Validates metadata on create. A missing name is accepted when generateName is set, because the
 * registry generates the name from it.
 */
export function validateObjectMeta(meta: unknown, opts: ObjectMetaValidationOptions, path = 'metadata'): FieldError[] {
  if (!isRec(meta)) return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  const name = meta['name'];
  const generateName = meta['generateName'];
  if (typeof generateName === 'string' && generateName.length > 0) {
    errs.push(...opts.nameValidator(generateName, true).map((m) => fieldErrors.invalid(`${path}.generateName`, generateName, m)));
  }
  if (typeof name !== 'string' || name.length === 0) {
    if (typeof generateName !== 'string' || generateName.length === 0) {
      errs.push(fieldErrors.required(`${path}.name`, 'name or generateName is required'));
    }
  } else {
    errs.push(...opts.nameValidator(name, false).map((m) => fieldErrors.invalid(`${path}.name`, name, m)));
  }
  const namespace = meta['namespace'];
  const hasNamespace = typeof namespace === 'string' && namespace.length > 0;
  if (opts.namespaced) {
    if (!hasNamespace) errs.push(fieldErrors.required(`${path}.namespace`, ''));
    else errs.push(...validateNamespaceName(namespace, false).map((m) => fieldErrors.invalid(`${path}.namespace`, namespace, m)));
  } else if (hasNamespace) {
    errs.push(fieldErrors.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  const generation = meta['generation'];
  if (typeof generation === 'number' && generation < 0) errs.push(fieldErrors.invalid(`${path}.generation`, generation, IS_NEGATIVE_ERROR_MSG));
  errs.push(...validateLabels(meta['labels'], `${path}.labels`));
  errs.push(...validateAnnotations(meta['annotations'], `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta['ownerReferences'], `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta['finalizers'], `${path}.finalizers`));
  return errs;
}

/**
 * Validates metadata on update: the create rules that still apply, plus no new finalizers once the
 * object is being deleted. Name, namespace, uid and timestamps are kept by the registry.
 */
export function validateObjectMetaUpdate(meta: unknown, oldMeta: unknown, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: Rec = isRec(meta) ? meta : {};
  const old: Rec = isRec(oldMeta) ? oldMeta : {};
  if (typeof old['deletionTimestamp'] === 'string' && old['deletionTimestamp'] !== '') {
    const before = new Set(Array.isArray(old['finalizers']) ? old['finalizers'] : []);
    const added = (Array.isArray(m['finalizers']) ? m['finalizers'] : []).filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(fieldErrors.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify([...new Set(added)].sort())}`));
    }
  }
  const generation = m['generation'];
  const oldGeneration = old['generation'];
  if (typeof generation === 'number' && typeof oldGeneration === 'number' && generation < oldGeneration) {
    errs.push(fieldErrors.invalid(`${path}.generation`, generation, 'must not be decremented'));
  }
  errs.push(...validateLabels(m['labels'], `${path}.labels`));
  errs.push(...validateAnnotations(m['annotations'], `${path}.annotations`));
  errs.push(...validateOwnerReferences(m['ownerReferences'], `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m['finalizers'], `${path}.finalizers`));
  return errs;
}

// ---- label selectors -----------------------------------------------------------------------------

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector: matchLabels plus matchExpressions with In/NotIn/Exists/DoesNotExist. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (!isRec(selector)) return [fieldErrors.typeInvalid(path, selector, 'must be a label selector')];
  const errs = validateLabels(selector['matchLabels'], `${path}.matchLabels`);
  const exprs = selector['matchExpressions'];
  if (exprs === undefined || exprs === null) return errs;
  if (!Array.isArray(exprs)) return [...errs, fieldErrors.typeInvalid(`${path}.matchExpressions`, exprs, 'must be a list')];
  exprs.forEach((raw, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr: Rec = isRec(raw) ? raw : {};
    const operator = expr['operator'];
    const values = Array.isArray(expr['values']) ? expr['values'] : [];
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof expr['key'] === 'string' ? expr['key'] : '';
    errs.push(...validateLabelName(key, `${p}.key`));
    values.forEach((v, j) => {
      const s = typeof v === 'string' ? v : String(v);
      errs.push(...isValidLabelValue(s).map((m) => fieldErrors.invalid(`${p}.values[${j}]`, v, m)));
    });
  });
  return errs;
}

/** Whether a label selector (in its structured form) selects a label set. Invalid selectors match nothing. */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!isRec(selector)) return false;
  const set = labels ?? {};
  const matchLabels = isRec(selector['matchLabels']) ? selector['matchLabels'] : {};
  for (const [k, v] of Object.entries(matchLabels)) {
    if (set[k] !== v) return false;
  }
  const exprs = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : [];
  for (const raw of exprs) {
    if (!isRec(raw)) return false;
    const key = String(raw['key'] ?? '');
    const values = Array.isArray(raw['values']) ? raw['values'] : [];
    const has = Object.hasOwn(set, key);
    switch (raw['operator']) {
      case 'In':
        if (!has || !values.includes(set[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(set[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when a structured selector has neither matchLabels nor matchExpressions. */
export function isEmptyLabelSelector(selector: unknown): boolean {
  if (!isRec(selector)) return true;
  const ml = isRec(selector['matchLabels']) ? Object.keys(selector['matchLabels']).length : 0;
  const me = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'].length : 0;
  return ml + me === 0;
}
