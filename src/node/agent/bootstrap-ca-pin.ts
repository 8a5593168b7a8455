// Discovery of the cluster CA for a joining agent, as kubeadm's --discovery-token-ca-cert-hash:
// the pin is `sha256:<hex>` of the CA certificate's SubjectPublicKeyInfo. The agent reads the
// certificate chain from the server's TLS handshake without trusting it, finds the CA in it whose
// key matches the pin and that signed the serving certificate, and from then on verifies the
// server against that CA only. Nothing secret (the join token) is sent before the pin holds.

import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';

export const CA_HASH_PREFIX = 'sha256:';

/** `sha256:<hex>` of the certificate's DER SubjectPublicKeyInfo. */
export function caCertHash(certPem: string | Buffer): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return CA_HASH_PREFIX + createHash('sha256').update(spki).digest('hex');
}

/** A pin normalised to lower-case `sha256:<64 hex>`, or an error message. */
export function parseCaCertHash(pin: string): { hash: string } | { error: string } {
  const value = pin.trim().toLowerCase();
  if (!value.startsWith(CA_HASH_PREFIX)) return { error: `unsupported CA cert hash "${pin}": only sha256:<hex> is supported` };
  if (!/^[0-9a-f]{64}$/.test(value.slice(CA_HASH_PREFIX.length))) return { error: `CA cert hash "${pin}" is not 64 hex digits` };
  return { hash: value };
}

function toPem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

/**
 * Picks the CA certificate (PEM) out of a presented chain (leaf first): one whose key matches the
 * pin and that issued the leaf. Throws with a message fit for the user otherwise.
 */
export function pinnedCaFromChain(chain: readonly Buffer[], pin: string): string {
  const parsed = parseCaCertHash(pin);
  if ('error' in parsed) throw new Error(parsed.error);
  const [leafDer] = chain;
  if (leafDer === undefined) throw new Error('the server presented no certificate');
  const leaf = new X509Certificate(leafDer);
  const seen: string[] = [];
  for (const der of chain) {
    const hash = caCertHash(der);
    seen.push(hash);
    if (hash !== parsed.hash) continue;
    const ca = new X509Certificate(der);
    if (!ca.ca) throw new Error(`the certificate matching the CA cert hash is not a CA (${ca.subject})`);
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) throw new Error('the server certificate is not signed by the pinned CA');
    return toPem(der);
  }
  throw new Error(`the server's CA does not match --discovery-token-ca-cert-hash ${pin} (the server presented ${seen.join(', ')})`);
}

/** Every certificate of the peer's chain, leaf first, without repeating the self-signed root. */
function chainOf(peer: DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  let cur: DetailedPeerCertificate | undefined = peer;
  while (cur?.raw && !out.some((b) => b.equals(cur!.raw))) {
    out.push(cur.raw);
    cur = cur.issuerCertificate;
  }
  return out;
}

/** The certificate chain `server` (an https URL) presents, leaf first, read without verifying it. */
export async function presentedChain(server: string, signal?: AbortSignal): Promise<Buffer[]> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise<Buffer[]>((resolve, reject) => {
    const socket = connect({ host, port: Number(url.port || 443), rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] });
    const fail = (err: Error): void => {
      socket.destroy();
      reject(new Error(`cannot reach ${server}: ${err.message}`));
    };
    signal?.addEventListener('abort', () => fail(new Error('aborted')), { once: true });
    socket.setTimeout(10_000, () => fail(new Error('timed out')));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.end();
      resolve(chain);
    });
  });
}

/** Reads the server's chain and returns the CA (PEM) that matches the pin. */
export async function discoverPinnedCa(server: string, pin: string, signal?: AbortSignal): Promise<string> {
  return pinnedCaFromChain(await presentedChain(server, signal), pin);
}

/** The root of the server's chain, trusted blindly (only for --discovery-token-unsafe-skip-ca-verification). */
export async function discoverUnpinnedCa(server: string, signal?: AbortSignal): Promise<string> {
  const chain = await presentedChain(server, signal);
  const root = chain.at(-1);
  if (root === undefined) throw new Error(`${server} presented no certificate`);
  return pinnedCaFromChain(chain, caCertHash(root));
}
