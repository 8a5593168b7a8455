// Reads a kubeconfig (the shape kubectl reads) into the connection settings of a RestClient:
// server URL, CA, and either a client certificate/key or a bearer token.

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClientConfig {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** Default timeout of non-watch requests, ms (30 s). */
  requestTimeoutMs?: number;
  userAgent?: string;
}

type Entry = Record<string, unknown>;

function pick(list: unknown, name: string, field: string): Entry {
  const found = Array.isArray(list) ? (list as Entry[]).find((e) => e?.name === name) : undefined;
  const value = found?.[field];
  if (!value || typeof value !== 'object') throw new Error(`kubeconfig: ${field} "${name}" not found`);
  return value as Entry;
}

async function material(entry: Entry, dataKey: string, fileKey: string, base: string): Promise<string | undefined> {
  const data = entry[dataKey];
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  const file = entry[fileKey];
  if (typeof file === 'string') return readFile(isAbsolute(file) ? file : resolve(base, file), 'utf8');
  return undefined;
}

/** Loads the current (or the named) context of a kubeconfig file. */
export async function loadKubeconfig(path: string, context?: string): Promise<ClientConfig> {
  const doc = parse(await readFile(path, 'utf8')) as Entry;
  const base = dirname(path);
  const ctxName = context ?? (doc['current-context'] as string | undefined);
  if (!ctxName) throw new Error('kubeconfig: no current-context');
  const ctx = pick(doc.contexts, ctxName, 'context');
  const cluster = pick(doc.clusters, String(ctx.cluster), 'cluster');
  const user = ctx.user === undefined ? {} : pick(doc.users, String(ctx.user), 'user');
  if (typeof cluster.server !== 'string') throw new Error(`kubeconfig: cluster "${String(ctx.cluster)}" has no server`);
  const config: ClientConfig = { server: cluster.server };
  const ca = await material(cluster, 'certificate-authority-data', 'certificate-authority', base);
  if (ca) config.caPem = ca;
  if (cluster['insecure-skip-tls-verify'] === true) config.insecureSkipTlsVerify = true;
  const cert = await material(user, 'client-certificate-data', 'client-certificate', base);
  const key = await material(user, 'client-key-data', 'client-key', base);
  if (cert && key) {
    config.certPem = cert;
    config.keyPem = key;
  }
  const token = typeof user.token === 'string' ? user.token : await material(user, '', 'tokenFile', base);
  if (token) config.token = token.trim();
  return config;
}
