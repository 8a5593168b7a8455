// The names both ends negotiate (WebSocket Sec-WebSocket-Protocol, or SPDY's
// X-Stream-Protocol-Version) and the channel numbers of the remotecommand protocol
// (k8s.io/apimachinery/pkg/util/remotecommand, k8s.io/apimachinery/pkg/util/httpstream/wsstream).

/** remotecommand versions, newest first: the server's order of preference. */
export const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;
export type RemoteCommandProtocol = (typeof REMOTECOMMAND_PROTOCOLS)[number];

/** WebSocket-only text variants: each message is the channel digit then base64 (browsers of old). */
export const BASE64_WS_PROTOCOLS = { 'v4.base64.channel.k8s.io': 'v4.channel.k8s.io', 'base64.channel.k8s.io': 'channel.k8s.io' } as const satisfies Record<string, RemoteCommandProtocol>;
/** Every name a remotecommand WebSocket may be opened with ('' when the client names none: binary, v1). */
export const REMOTECOMMAND_WS_PROTOCOLS: readonly string[] = [...REMOTECOMMAND_PROTOCOLS, ...Object.keys(BASE64_WS_PROTOCOLS)];

/** Port-forward over SPDY, raw or tunnelled in WebSocket messages (kubectl 1.31+). */
export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORTFORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** The older WebSocket port-forward: channel pairs (data, error) per port with a port prefix. */
export const PORTFORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'] as const;

/** Channel numbers of the WebSocket framing (first byte of each binary message). */
export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  error: 3,
  resize: 4,
  /** v5: `ff <channel>` says the peer closed that channel (stdin EOF). */
  close: 255,
} as const;

/** What each version adds: the resize stream (v3) and a Status object on the error stream (v4). */
export function protocolFeatures(p: RemoteCommandProtocol): { resize: boolean; statusJson: boolean; closeSignal: boolean } {
  const v = p === 'channel.k8s.io' ? 1 : Number(p.slice(1, 2));
  return { resize: v >= 3, statusJson: v >= 4, closeSignal: v >= 5 };
}

/** The first protocol in the client's list that the server supports (upstream lets the client's order decide). */
export function negotiate<T extends string>(offered: readonly string[], supported: readonly T[]): T | undefined {
  return offered.find((p): p is T => (supported as readonly string[]).includes(p));
}

/** Header values as a list: repeated headers and comma-separated lists are the same thing. */
export function headerList(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
