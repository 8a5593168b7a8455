// Public surface of the agent's streaming: exec, attach and port-forward over WebSocket and
// SPDY/3.1, as kubectl speaks them through the API server's proxy.

export { streamingRoutes, type StreamingDeps } from './routes.ts';
export { REMOTECOMMAND_PROTOCOLS, PORTFORWARD_PROTOCOL, PORTFORWARD_TUNNEL_PROTOCOL, Channel } from './protocols.ts';
