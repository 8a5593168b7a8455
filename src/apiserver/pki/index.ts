// The API server's PKI: cluster CA, serving and client certificates, the ServiceAccount signing
// key, and kubeconfigs that carry them.

export { ensurePki, servingSubjectAltNames, PKI_FILES, DEFAULT_KUBERNETES_SERVICE_IP } from './ensure-pki.ts';
export type { EnsurePkiOptions, Pki } from './ensure-pki.ts';
export { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
export type { KubeconfigOptions } from './kubeconfig.ts';
export type { CertificateAndKey, SubjectAltName } from './certificates.ts';
export { writeFileAtomic } from './write-file-atomic.ts';
