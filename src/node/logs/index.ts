// Container logs on the node: reading CRI-format log files like the kubelet, and the agent route that serves them.

export { containerLogsRoute, pickContainer, type PodLookup } from './container-logs-route.ts';
export { logContainerFromStatus } from './log-container-status.ts';
export { readContainerLogs, tailStart, type LogReadOptions, type LogSource, type LogSink } from './log-reader.ts';
export { parseContainerLogQuery, type ContainerLogQuery } from './log-query.ts';
export { parseCriLogLine, formatRfc3339Nano, parseRfc3339Ns, type CriLogEntry } from './cri-log-line.ts';
