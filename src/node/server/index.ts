// The agent's HTTPS endpoint (port 10250): server, authentication and authorization, serving
// certificate, and the route contract the node layer's parts contribute to.

export type { AgentCaller, AgentHttpHandler, AgentRoute, AgentUpgradeHandler } from './routes.ts';
export { AgentServer, DEFAULT_KUBELET_PORT, type AgentServerConfig, type AgentServerDeps } from './agent-server.ts';
export { authenticateSocket, kubeletAttributes, subjectAccessReviewAuthorizer, KUBELET_API_CLIENT, type AgentAuthorizer } from './agent-auth.ts';
export { defaultAgentRoutes, healthzRoute, podFromApi, podsRoute, type AgentRouteDeps } from './default-routes.ts';
export { ensureServingCertificate, servingCertPaths, servingCertUsable, KUBELET_SERVING_SIGNER } from './serving-cert.ts';
export { startAgentEndpoint, type AgentEndpointOptions } from './agent-endpoint.ts';
