// Writes a kubeconfig with embedded credentials (the admin kubeconfig, and later node agents'),
// in the shape kubectl and client libraries read: base64 PEM in the *-data fields.

import { stringify } from 'yaml';
import { writeFileAtomic } from './write-file-atomic.ts';

export interface KubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  user?: string;
  context?: string;
}

export function renderKubeconfig(options: KubeconfigOptions): string {
  const clusterName = options.clusterName ?? 'strata';
  const user = options.user ?? 'admin';
  const context = options.context ?? 'strata';
  const base64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: { server: options.server, 'certificate-authority-data': base64(options.caCertPem) },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': base64(options.clientCertPem),
          'client-key-data': base64(options.clientKeyPem),
        },
      },
    ],
    contexts: [{ name: context, context: { cluster: clusterName, user } }],
    'current-context': context,
    preferences: {},
  }, { lineWidth: 0 });
}

/** Writes the kubeconfig atomically with mode 0600: it holds a private key. */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(options), 0o600);
}
