// Upstream's root-ca-cert-publisher: every Active namespace has a ConfigMap `kube-root-ca.crt`
// whose `ca.crt` is the cluster CA, so workloads can verify the API server. Edits are reverted,
// deletions re-created. Keys are namespace names.

import type { KubeObject } from '../../api/types.ts';
import type { Informer, RestClient } from '../../client/index.ts';
import { isAlreadyExists, isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';
import { isActive, isTerminating } from './serviceaccounts-controller.ts';
import { common, type ControllerContext } from '../runtime/context.ts';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' } as const;

export class RootCaPublisher implements Reconciler {
  readonly #client: RestClient;
  readonly #caPem: string;
  readonly #namespaces: Informer;
  readonly #configMaps: Informer;

  constructor(client: RestClient, caPem: string, namespaces: Informer, configMaps: Informer) {
    this.#client = client;
    this.#caPem = caPem;
    this.#namespaces = namespaces;
    this.#configMaps = configMaps;
  }

  async reconcile(namespace: string, signal: AbortSignal): Promise<void> {
    if (!isActive(this.#namespaces.lister.get(undefined, namespace))) return;
    const data = { 'ca.crt': this.#caPem };
    const current = this.#configMaps.lister.get(namespace, ROOT_CA_CONFIGMAP);
    try {
      if (!current) {
        const cm: KubeObject = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data,
        };
        await this.#client.create({ ...CONFIGMAPS, namespace }, cm, { signal });
        return;
      }
      const currentData = (current['data'] ?? {}) as Record<string, string>;
      const dataOk = Object.keys(currentData).length === 1 && currentData['ca.crt'] === this.#caPem;
      if (dataOk && current.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      const copy = structuredClone(current);
      copy['data'] = data;
      copy.metadata.annotations = { ...copy.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION };
      // A Conflict means the cache is stale: the error requeues and the next look sees the new version.
      await this.#client.update({ ...CONFIGMAPS, namespace }, copy, { signal });
    } catch (err) {
      if (isAlreadyExists(err) || isNotFound(err) || isTerminating(err)) return;
      throw err;
    }
  }
}

export function rootCaPublisher(ctx: ControllerContext, caPem: string): Controller {
  const namespaces = ctx.informers.informerFor(NAMESPACES);
  const configMaps = ctx.informers.informerFor(CONFIGMAPS, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
  return new Controller({ name: 'root-ca-cert-publisher', reconciler: new RootCaPublisher(ctx.client, caPem, namespaces, configMaps), ...common(ctx) })
    .watch(namespaces, (ns) => ns.metadata.name)
    .watch(configMaps, (cm) => cm.metadata.namespace);
}
