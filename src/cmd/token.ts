// `strata token create|list|delete`: join tokens for `strata agent`, stored as bootstrap-token
// Secrets in kube-system (as kubeadm's). Deleting a token's Secret revokes it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../api/types.ts';
import { loadKubeconfig, RestClient } from '../client/index.ts';
import {
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  bootstrapTokenData,
  bootstrapTokenSecret,
  formatBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
} from '../apiserver/filters/bootstrap-token.ts';
import { caCertHash } from '../node/agent/bootstrap-ca-pin.ts';
import { isNotFound } from '../machinery/status-error.ts';
import { parseDuration } from './duration-flag.ts';

const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' } as const;

/** Creates a join token valid for `ttlMs` (0: forever); returns it as `<id>.<secret>`. */
export async function createJoinToken(client: RestClient, ttlMs: number, description?: string): Promise<string> {
  const token = generateBootstrapToken();
  await client.create(SECRETS, bootstrapTokenSecret(token, { ttlMs, now: new Date(), ...(description !== undefined ? { description } : {}) }));
  return formatBootstrapToken(token);
}

/** The command an operator runs on a worker machine to join. */
export function joinCommand(server: string, token: string, caPem: string): string {
  return `strata agent --server ${server} --token ${token} --discovery-token-ca-cert-hash ${caCertHash(caPem)}`;
}

export interface TokenFlags {
  kubeconfig?: string;
}

function kubeconfigPath(flags: TokenFlags): string {
  return flags.kubeconfig ?? process.env['KUBECONFIG'] ?? join('.strata', 'kubeconfig');
}

async function adminClient(flags: TokenFlags): Promise<RestClient> {
  return RestClient.fromKubeconfig(kubeconfigPath(flags), { userAgent: 'strata-token' });
}

export async function runTokenCreate(flags: TokenFlags & { ttl: string; description?: string; printJoinCommand?: boolean }): Promise<void> {
  const ttlMs = flags.ttl === '0' ? 0 : parseDuration(flags.ttl, '--ttl');
  const client = await adminClient(flags);
  try {
    const token = await createJoinToken(client, ttlMs, flags.description);
    if (flags.printJoinCommand) {
      const config = await loadKubeconfig(kubeconfigPath(flags));
      const caPem = config.caPem ?? (await readFile(join('.strata', 'pki', 'ca.crt'), 'utf8'));
      process.stdout.write(`${joinCommand(config.server, token, caPem)}\n`);
    } else {
      process.stdout.write(`${token}\n`);
    }
  } finally {
    client.close();
  }
}

export async function runTokenList(flags: TokenFlags): Promise<void> {
  const client = await adminClient(flags);
  try {
    const list = await client.list<KubeObject>(SECRETS, { fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const rows = [['TOKEN', 'EXPIRES', 'DESCRIPTION']];
    for (const secret of list.items) {
      if (!secret.metadata.name?.startsWith(BOOTSTRAP_TOKEN_SECRET_PREFIX)) continue;
      const data = bootstrapTokenData(secret);
      // Like kubeadm, the secret part is shown only as stars: listing must not leak credentials.
      rows.push([`${data['token-id'] ?? '?'}.****************`, data['expiration'] ?? '<forever>', data['description'] ?? '']);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd()).join('\n') + '\n');
  } finally {
    client.close();
  }
}

export async function runTokenDelete(tokens: string[], flags: TokenFlags): Promise<void> {
  const client = await adminClient(flags);
  try {
    for (const raw of tokens) {
      const id = parseBootstrapToken(raw)?.id ?? (/^[a-z0-9]{6}$/.test(raw) ? raw : undefined);
      if (id === undefined) throw new Error(`"${raw}" is neither a token nor a token id`);
      try {
        await client.delete({ ...SECRETS, name: BOOTSTRAP_TOKEN_SECRET_PREFIX + id });
      } catch (err) {
        if (isNotFound(err)) throw new Error(`token ${id} not found`);
        throw err;
      }
      process.stdout.write(`bootstrap token "${id}" deleted\n`);
    }
  } finally {
    client.close();
  }
}
