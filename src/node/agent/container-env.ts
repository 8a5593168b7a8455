// A container's environment as upstream's makeEnvironmentVariables builds it: envFrom sources
// first (ConfigMaps and Secrets, with a prefix; keys that are no valid env var names are skipped
// and reported), then env entries in order, each literal value expanded against what is defined
// so far (or against the Service env vars); valueFrom reads ConfigMap and Secret keys (missing and not optional: the container
// cannot be configured, CreateContainerConfigError), downward-API fields and container resources.
// Service env vars come last, for the names the container does not define itself.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import type { KeyValue } from '../runtime/cri.ts';
import { DownwardApiError, fieldValue, resourceValue, type PodRuntimeFacts } from './downward-values.ts';
import { expand } from './env-expansion.ts';
import type { ObjectSource } from './object-source.ts';
import type { AgentPod, ContainerSpec } from './pod-types.ts';

/** The container's config cannot be made (upstream's CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerConfigError';
  }
}

export interface EnvSources {
  objects?: ObjectSource;
  /** The node's allocatable (limits a container leaves unset). */
  allocatable?: Readonly<Record<string, unknown>>;
  /** A warning event about the pod (InvalidEnvironmentVariableNames). */
  warn?(reason: string, message: string): void;
  /** The Service env vars of the pod (service-env.ts): defaults the container's own env overrides. */
  services?: ReadonlyMap<string, string>;
}

interface ConfigMapLike extends KubeObject {
  data?: Record<string, string>;
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export async function resolveEnv(pod: AgentPod, spec: ContainerSpec, facts: PodRuntimeFacts, sources: EnvSources): Promise<KeyValue[]> {
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  const fetched = new Map<string, Record<string, string> | undefined>();
  /** The data of a ConfigMap or Secret (Secret values decoded); undefined when missing and optional. */
  const dataOf = async (kind: 'configmap' | 'secret', name: string, optional: boolean): Promise<Record<string, string> | undefined> => {
    const key = `${kind}/${name}`;
    if (fetched.has(key)) return fetched.get(key);
    if (!sources.objects) throw new ContainerConfigError(`couldn't get ${kind === 'configmap' ? 'configMap' : 'secret'} ${ns}/${name}, no kubeClient defined`);
    let data: Record<string, string> | undefined;
    try {
      const obj = await sources.objects.get<ConfigMapLike>(kind, ns, name);
      data = kind === 'secret' ? decode(obj.data) : { ...(obj.data ?? {}) };
    } catch (err) {
      if (!(isNotFound(err) && optional)) throw new ContainerConfigError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    fetched.set(key, data);
    return data;
  };

  for (const from of spec.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const name = ref.name ?? '';
    const data = await dataOf(kind, name, ref.optional === true);
    if (!data) continue;
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = `${from.prefix ?? ''}${k}`;
      if (!ENV_VAR_NAME.test(key)) {
        invalid.push(key);
        continue;
      }
      env.set(key, v);
    }
    if (invalid.length > 0) {
      sources.warn?.('InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind === 'configmap' ? 'configMap' : 'secret'} ${ns}/${name} were skipped since they are considered invalid environment variable names.`);
    }
  }

  for (const e of spec.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env.set(e.name, expand(e.value ?? '', (n) => env.get(n) ?? sources.services?.get(n)));
      continue;
    }
    try {
      if (from.fieldRef) env.set(e.name, fieldValue(pod, from.fieldRef.fieldPath, facts));
      else if (from.resourceFieldRef) env.set(e.name, resourceValue(pod, spec, from.resourceFieldRef, sources.allocatable ?? {}));
    } catch (err) {
      if (err instanceof DownwardApiError) throw new ContainerConfigError(err.message, { cause: err });
      throw err;
    }
    const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
    if (!keyRef) continue;
    const kind = from.configMapKeyRef ? 'configmap' : 'secret';
    const optional = keyRef.optional === true;
    const data = await dataOf(kind, keyRef.name ?? '', optional);
    if (!data) continue;
    const value = data[keyRef.key];
    if (value === undefined) {
      if (optional) continue;
      throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${keyRef.name ?? ''}`);
    }
    env.set(e.name, value);
  }
  for (const [k, v] of sources.services ?? []) if (!env.has(k)) env.set(k, v);
  return [...env].map(([key, value]) => ({ key, value }));
}

/** command and args with `$(VAR)` references to the container's env expanded. */
export function expandCommand(spec: ContainerSpec, env: readonly KeyValue[]): { command?: string[]; args?: string[] } {
  const map = new Map(env.map((e) => [e.key, e.value]));
  const lookup = (n: string): string | undefined => map.get(n);
  return {
    ...(spec.command ? { command: spec.command.map((c) => expand(c, lookup)) } : {}),
    ...(spec.args ? { args: spec.args.map((a) => expand(a, lookup)) } : {}),
  };
}

function decode(data: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}
