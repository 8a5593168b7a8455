// The KubeletClient over HTTPS: the node's InternalIP (else its Hostname) and the port in
// status.daemonEndpoints.kubeletEndpoint, the API server's kubelet-client certificate as the
// caller's identity, and the agent's serving certificate verified against the cluster CA.

import { request as httpsRequest, Agent } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { KubeObject } from '../../api/types.ts';
import { failure } from '../../machinery/status-error.ts';
import type { KubeletClient, KubeletRequest, KubeletUpgrade } from './kubelet-client.ts';

export interface HttpsKubeletClientConfig {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** How long to wait for the connection and the response headers (not the body). */
  timeoutMs?: number;
}

interface NodeStatusView {
  addresses?: { type?: string; address?: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
}

/** Where a node's agent listens, or why it cannot be reached. */
export function nodeEndpoint(node: KubeObject): { host: string; port: number } {
  const status = (node['status'] ?? {}) as NodeStatusView;
  const name = node.metadata.name ?? '';
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const addresses = status.addresses ?? [];
  const host = addresses.find((a) => a.type === 'InternalIP' && a.address)?.address ?? addresses.find((a) => a.type === 'Hostname' && a.address)?.address;
  if (!host) throw failure(503, 'ServiceUnavailable', `no preferred addresses found; known addresses: [] for node "${name}"`, {});
  if (!Number.isInteger(port) || port <= 0) throw failure(503, 'ServiceUnavailable', `node "${name}" does not report a kubelet port`, {});
  return { host, port };
}

export class HttpsKubeletClient implements KubeletClient {
  readonly #agent: Agent;
  readonly #config: HttpsKubeletClientConfig;

  constructor(config: HttpsKubeletClientConfig) {
    this.#config = config;
    this.#agent = new Agent({ ca: config.caPem, cert: config.certPem, key: config.keyPem, keepAlive: true });
  }

  request(node: KubeObject, req: KubeletRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const out = this.#send(node, req, this.#agent);
      out.once('response', (res) => {
        out.setTimeout(0);
        resolve(res);
      });
      out.once('error', (err) => reject(unreachable(node, req.path, err)));
      out.end(req.body);
    });
  }

  upgrade(node: KubeObject, req: KubeletRequest): Promise<KubeletUpgrade> {
    return new Promise((resolve, reject) => {
      // An upgraded connection leaves the pool: a fresh one, not the keep-alive agent.
      const out = this.#send(node, req, new Agent({ ca: this.#config.caPem, cert: this.#config.certPem, key: this.#config.keyPem }));
      out.once('upgrade', (response, socket, head) => {
        out.setTimeout(0);
        socket.setTimeout(0);
        resolve({ switched: true, response, socket, head });
      });
      out.once('response', (response) => {
        out.setTimeout(0);
        resolve({ switched: false, response });
      });
      out.once('error', (err) => reject(unreachable(node, req.path, err)));
      out.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(node: KubeObject, req: KubeletRequest, agent: Agent): ClientRequest {
    const { host, port } = nodeEndpoint(node);
    const out = httpsRequest({
      host,
      port,
      method: req.method ?? 'GET',
      path: req.path,
      headers: req.headers ?? {},
      agent,
      // The serving certificate names the node's addresses; an IP is checked against its IP SANs.
      servername: isIP(host) ? '' : host,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    out.setTimeout(this.#config.timeoutMs ?? 30_000, () => out.destroy(new Error('timed out waiting for the node agent')));
    return out;
  }
}

/** Upstream's wording for an agent that cannot be reached: the URL, then why. */
function unreachable(node: KubeObject, path: string, err: Error): Error {
  if (err.name === 'AbortError') return err;
  return failure(500, 'InternalError', `Get "https://${describe(node)}${path}": ${err.message}`);
}

function describe(node: KubeObject): string {
  try {
    const { host, port } = nodeEndpoint(node);
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  } catch {
    return node.metadata.name ?? '';
  }
}
