// POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token: a TokenRequest answered with a
// freshly signed token (upstream pkg/registry/core/serviceaccount/storage/token.go). The
// ServiceAccount must exist; a boundObjectRef ties the token to a Pod, Secret or Node that must
// exist too, and the token dies with it.

import type { KubeObject } from '../../api/types.ts';
import { badRequest, conflict, fieldErrors, invalid, notFound, type FieldError } from '../../machinery/status-error.ts';
import type { VirtualSubresource } from '../api-registry.ts';
import type { ObjectRef } from './service-account-jwt.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const GROUP = 'authentication.k8s.io';
const BINDABLE_KINDS = ['Pod', 'Secret', 'Node'] as const;

interface BoundObjectReference {
  kind: string;
  apiVersion: string;
  name: string;
  uid: string;
}

export function tokenRequestHandler(tokens: ServiceAccountTokens, now: () => Date = () => new Date()): VirtualSubresource {
  return {
    async create(obj, _user, namespace, name) {
      if (namespace === undefined) throw badRequest('namespace is required on this type');
      const { audiences, expirationSeconds, boundObjectRef } = parseSpec(obj, namespace, name, tokens.apiAudiences);
      const serviceAccount = await tokens.getObject('', 'ServiceAccount', namespace, name, true);
      if (!serviceAccount) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
      const bound = boundObjectRef ? await resolveBoundObject(tokens, boundObjectRef, namespace, name) : {};
      const issuedAt = now();
      const issued = await tokens.issue({
        namespace,
        serviceAccount: { name, uid: serviceAccount.metadata.uid ?? '' },
        audiences,
        expirationSeconds,
        ...bound,
      });
      return {
        ...obj,
        kind: 'TokenRequest',
        apiVersion: `${GROUP}/v1`,
        metadata: { ...obj.metadata, name, namespace, creationTimestamp: timestamp(issuedAt) },
        spec: { audiences, expirationSeconds, boundObjectRef: boundObjectRef ?? null },
        status: { token: issued.token, expirationTimestamp: timestamp(issued.expirationTimestamp) },
      } satisfies KubeObject;
    },
  };
}

function parseSpec(obj: KubeObject, namespace: string, name: string, apiAudiences: readonly string[]) {
  const errs: FieldError[] = [];
  if (obj.metadata.name && obj.metadata.name !== name) errs.push(fieldErrors.invalid('metadata.name', obj.metadata.name, 'must match the service account name if specified'));
  if (obj.metadata.namespace && obj.metadata.namespace !== namespace) errs.push(fieldErrors.invalid('metadata.namespace', obj.metadata.namespace, 'must match the service account namespace if specified'));
  const spec = obj['spec'] ?? {};
  if (!isRecord(spec)) throw invalid('TokenRequest', GROUP, name, [fieldErrors.typeInvalid('spec', spec, 'must be an object')]);

  let audiences = [...apiAudiences];
  const requested = spec['audiences'];
  if (requested !== undefined && requested !== null) {
    if (!Array.isArray(requested) || requested.some((a) => typeof a !== 'string')) errs.push(fieldErrors.typeInvalid('spec.audiences', requested, 'must be a list of strings'));
    else if (requested.length > 0) audiences = requested as string[];
  }

  let expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
  const seconds = spec['expirationSeconds'];
  if (seconds !== undefined && seconds !== null) {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds)) errs.push(fieldErrors.typeInvalid('spec.expirationSeconds', seconds, 'must be an integer'));
    else if (seconds < MIN_EXPIRATION_SECONDS) errs.push(fieldErrors.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes'));
    else if (seconds > MAX_EXPIRATION_SECONDS) errs.push(fieldErrors.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds'));
    else expirationSeconds = seconds;
  }

  let boundObjectRef: BoundObjectReference | undefined;
  const ref = spec['boundObjectRef'];
  if (ref !== undefined && ref !== null) {
    if (!isRecord(ref)) errs.push(fieldErrors.typeInvalid('spec.boundObjectRef', ref, 'must be an object'));
    else {
      const field = (key: string): string => {
        const value = ref[key] ?? '';
        if (typeof value !== 'string') errs.push(fieldErrors.typeInvalid(`spec.boundObjectRef.${key}`, value, 'must be a string'));
        return typeof value === 'string' ? value : '';
      };
      boundObjectRef = { kind: field('kind'), apiVersion: field('apiVersion'), name: field('name'), uid: field('uid') };
      if (boundObjectRef.name === '') errs.push(fieldErrors.required('spec.boundObjectRef.name'));
    }
  }
  if (errs.length > 0) throw invalid('TokenRequest', GROUP, name, errs);
  return { audiences, expirationSeconds, boundObjectRef };
}

/** Looks the bound object up and returns the claims it adds (a Pod on a node also names the Node). */
async function resolveBoundObject(tokens: ServiceAccountTokens, ref: BoundObjectReference, namespace: string, serviceAccount: string): Promise<{ pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef }> {
  const kind = (BINDABLE_KINDS as readonly string[]).includes(ref.kind) && (ref.apiVersion === 'v1' || ref.apiVersion === '') ? (ref.kind as (typeof BINDABLE_KINDS)[number]) : undefined;
  if (kind === undefined) {
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
    throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(serviceAccount)} to object of type ${group}/${version}, Kind=${ref.kind}`);
  }
  const resource = `${kind.toLowerCase()}s`;
  const obj = await tokens.getObject('', kind, kind === 'Node' ? undefined : namespace, ref.name, true);
  if (!obj) throw notFound({ group: '', resource }, ref.name);
  const uid = obj.metadata.uid ?? '';
  if (ref.uid !== '' && ref.uid !== uid) {
    throw conflict({ group: '', resource: kind }, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const self = { name: ref.name, uid };
  if (kind === 'Secret') return { secret: self };
  if (kind === 'Node') return { node: self };
  const podSpec = isRecord(obj['spec']) ? obj['spec'] : {};
  const podServiceAccount = typeof podSpec['serviceAccountName'] === 'string' && podSpec['serviceAccountName'] !== '' ? podSpec['serviceAccountName'] : 'default';
  if (podServiceAccount !== serviceAccount) {
    throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(serviceAccount)} to pod running with different serviceaccount name.`);
  }
  const nodeName = podSpec['nodeName'];
  if (typeof nodeName === 'string' && nodeName !== '') {
    const node = await tokens.getObject('', 'Node', undefined, nodeName);
    if (node) return { pod: self, node: { name: nodeName, uid: node.metadata.uid ?? '' } };
  }
  return { pod: self };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
