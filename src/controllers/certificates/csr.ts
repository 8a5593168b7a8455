// Shared facts about CertificateSigningRequests for the approving and signing controllers:
// signer names, condition lookups and the decoding of spec.request (base64 PEM PKCS#10).

import type { KubeObject } from '../../api/types.ts';
import { x509 } from '../../apiserver/pki/x509.ts';

export const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const API_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CsrSpec {
  request?: string;
  signerName?: string;
  expirationSeconds?: number;
  usages?: string[];
  username?: string;
  groups?: string[];
}

export function csrSpec(csr: KubeObject): CsrSpec {
  return (csr['spec'] ?? {}) as CsrSpec;
}

export function csrStatus(csr: KubeObject): { conditions?: CsrCondition[]; certificate?: string } {
  return (csr['status'] ?? {}) as { conditions?: CsrCondition[]; certificate?: string };
}

export function hasCondition(csr: KubeObject, type: string): boolean {
  return (csrStatus(csr).conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Approved and not denied or failed: the signer may act. */
export function isApproved(csr: KubeObject): boolean {
  return hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied') && !hasCondition(csr, 'Failed');
}

/** The parsed PKCS#10 request, or undefined when spec.request is not one. */
export function parseCsrRequest(csr: KubeObject): x509.Pkcs10CertificateRequest | undefined {
  const request = csrSpec(csr).request;
  if (typeof request !== 'string' || request === '') return undefined;
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(request, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
