// Upstream's csrsigning controller for the kube-apiserver client signers and the kubelet serving
// signer: an approved CSR for kubernetes.io/kube-apiserver-client-kubelet,
// kubernetes.io/kube-apiserver-client or kubernetes.io/kubelet-serving gets a
// certificate signed by the cluster CA for the requested subject and public key, valid for one
// year or spec.expirationSeconds (at least 10 minutes, never beyond the CA), written to
// status.certificate as PEM.

import type { KubeObject } from '../../api/types.ts';
import type { Informer, RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { loadCertificateAuthority, type CertificateAuthority } from '../../apiserver/pki/certificates.ts';
import { x509 } from '../../apiserver/pki/x509.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { API_CLIENT_SIGNER, CSRS, csrSpec, csrStatus, isApproved, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, parseCsrRequest } from './csr.ts';
import { kubeletServingProblem } from './kubelet-serving.ts';

const SIGNERS = new Set([KUBELET_CLIENT_SIGNER, API_CLIENT_SIGNER, KUBELET_SERVING_SIGNER]);
export const DEFAULT_DURATION_MS = 365 * 86_400_000;
const MIN_DURATION_MS = 600_000;
const BACKDATE_MS = 5 * 60_000;

const KEY_USAGES: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
};
const EXTENDED_USAGES: Record<string, string> = { 'client auth': x509.ExtendedKeyUsage.clientAuth, 'server auth': x509.ExtendedKeyUsage.serverAuth };
/** The extended usage each signer issues (upstream's signers refuse the other kinds). */
const SIGNER_USAGE: Record<string, string> = {
  [KUBELET_CLIENT_SIGNER]: 'client auth',
  [API_CLIENT_SIGNER]: 'client auth',
  [KUBELET_SERVING_SIGNER]: 'server auth',
};
const SAN_OID = '2.5.29.17';

/** The certificate's lifetime: spec.expirationSeconds (floored at 10 min) or a year. */
export function certificateDurationMs(expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined) return DEFAULT_DURATION_MS;
  return Math.min(DEFAULT_DURATION_MS, Math.max(MIN_DURATION_MS, expirationSeconds * 1000));
}

/** Signs the CSR's request with the CA; throws when the request or its usages are unacceptable. */
export async function signCsr(csr: KubeObject, ca: CertificateAuthority, now: Date): Promise<string> {
  const request = parseCsrRequest(csr);
  if (request === undefined) throw new Error('spec.request is not a PEM certificate request');
  if (!(await request.verify())) throw new Error('the request signature does not verify');
  const spec = csrSpec(csr);
  const signerUsage = SIGNER_USAGE[spec.signerName ?? ''] ?? 'client auth';
  let keyUsage = 0;
  const extended: string[] = [];
  for (const usage of spec.usages ?? []) {
    if (KEY_USAGES[usage] !== undefined) keyUsage |= KEY_USAGES[usage];
    else if (usage === signerUsage && EXTENDED_USAGES[usage] !== undefined) extended.push(EXTENDED_USAGES[usage]);
    else throw new Error(`usage ${usage} is not allowed for signer ${spec.signerName ?? ''}`);
  }
  if (extended.length === 0) throw new Error(`usages must include ${signerUsage}`);
  // A serving certificate carries the names the node asked for, once they passed the signer's rules.
  const sans: x509.Extension[] = [];
  if (spec.signerName === KUBELET_SERVING_SIGNER) {
    const problem = kubeletServingProblem(request, spec.usages ?? []);
    if (problem !== undefined) throw new Error(problem);
    const requested = request.getExtension(SAN_OID);
    if (requested) sans.push(new x509.SubjectAlternativeNameExtension(new x509.SubjectAlternativeNameExtension(requested.rawData).names.toJSON(), false));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '7'),
    subject: request.subjectName,
    issuer: ca.cert.subjectName,
    publicKey: request.publicKey,
    signingKey: ca.signer.privateKey,
    signingAlgorithm: ca.signer.algorithm,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(Math.min(now.getTime() + certificateDurationMs(spec.expirationSeconds), ca.cert.notAfter.getTime())),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage || x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(extended, false),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
      ...sans,
    ],
  });
  return cert.toString('pem') + '\n';
}

export class CsrSigner implements Reconciler {
  readonly #client: RestClient;
  readonly #csrs: Informer;
  readonly #ca: Promise<CertificateAuthority>;
  readonly #now: () => Date;

  constructor(client: RestClient, csrs: Informer, ca: Promise<CertificateAuthority>, now: () => Date) {
    this.#client = client;
    this.#csrs = csrs;
    this.#ca = ca;
    this.#now = now;
  }

  async reconcile(name: string, signal: AbortSignal): Promise<void> {
    const csr = this.#csrs.lister.get(undefined, name);
    if (!csr || !SIGNERS.has(csrSpec(csr).signerName ?? '') || !isApproved(csr)) return;
    if (csrStatus(csr).certificate) return;
    const copy = structuredClone(csr);
    const status = (copy['status'] = { ...csrStatus(csr) });
    try {
      status.certificate = Buffer.from(await signCsr(csr, await this.#ca, this.#now())).toString('base64');
    } catch (err) {
      // A request that can never be signed is marked Failed rather than retried forever.
      const now = this.#now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      status.conditions = [...(status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: (err as Error).message, lastUpdateTime: now, lastTransitionTime: now }];
    }
    try {
      await this.#client.updateStatus(CSRS, copy, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export function csrSigningController(ctx: ControllerContext, caCertPem: string, caKeyPem: string): Controller {
  const csrs = ctx.informers.informerFor(CSRS);
  const now = ctx.clock ? () => new Date(ctx.clock!.now()) : () => new Date();
  const ca = loadCertificateAuthority(caCertPem, caKeyPem);
  ca.catch(() => {}); // surfaced by every reconcile that awaits it
  return new Controller({ name: 'csrsigning', reconciler: new CsrSigner(ctx.client, csrs, ca, now), ...common(ctx) }).watch(csrs, (csr) => csr.metadata.name);
}
