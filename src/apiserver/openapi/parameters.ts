// Query and path parameters of the resource operations, with Strata's own short descriptions.

import type { Parameter } from './types.ts';

function query(name: string, type: 'string' | 'integer' | 'boolean', description: string): Parameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function path(name: string, description: string): Parameter {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

export const P = {
  name: path('name', 'Name of the object.'),
  namespace: path('namespace', 'Namespace of the objects; "default" when omitted by clients.'),
  pretty: query('pretty', 'string', 'When "true", indent the JSON output.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events carrying the latest resourceVersion on a watch.'),
  continue: query('continue', 'string', 'Token from a previous paged list response to fetch the next page.'),
  fieldSelector: query('fieldSelector', 'string', 'Restrict results by field values, e.g. metadata.name=x,status.phase!=Running.'),
  labelSelector: query('labelSelector', 'string', 'Restrict results by labels, e.g. app=web,tier in (front,back).'),
  limit: query('limit', 'integer', 'Maximum number of items in one page; the response carries a continue token when more remain.'),
  resourceVersion: query('resourceVersion', 'string', 'Read at or after this version; "0" accepts any cached state.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state, ended by a bookmark.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'End a list or watch after this many seconds.'),
  watch: query('watch', 'boolean', 'Stream changes (ADDED, MODIFIED, DELETED) instead of returning a list.'),
  dryRun: query('dryRun', 'string', 'When "All", validate and run admission but do not persist the change.'),
  fieldManager: query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: query('fieldValidation', 'string', 'How to treat unknown or duplicate fields in the body: Ignore, Warn (default) or Strict.'),
  force: query('force', 'boolean', 'Server-side apply only: take ownership of fields owned by other managers instead of failing with a conflict.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately. Defaults per kind.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete an object that cannot be read from storage. Dangerous.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy=Orphan.'),
  propagationPolicy: query('propagationPolicy', 'string', 'How dependents are garbage collected: Orphan, Background or Foreground.'),
  // pods/log
  container: query('container', 'string', 'The container to read from or attach to; optional when the pod has one container.'),
  follow: query('follow', 'boolean', 'Keep streaming new log lines.'),
  insecureSkipTLSVerifyBackend: query('insecureSkipTLSVerifyBackend', 'boolean', 'Skip verifying the node agent\'s serving certificate.'),
  limitBytes: query('limitBytes', 'integer', 'Stop after this many bytes of log.'),
  previous: query('previous', 'boolean', 'Read the log of the previous, terminated instance of the container.'),
  sinceSeconds: query('sinceSeconds', 'integer', 'Only lines newer than this many seconds.'),
  sinceTime: query('sinceTime', 'string', 'Only lines newer than this RFC 3339 time.'),
  stream: query('stream', 'string', 'Which stream to read: All, Stdout or Stderr.'),
  tailLines: query('tailLines', 'integer', 'Only this many lines from the end.'),
  timestamps: query('timestamps', 'boolean', 'Prefix every line with its RFC 3339 timestamp.'),
  // exec / attach / portforward
  command: query('command', 'string', 'The command to run, one argument per occurrence of the parameter.'),
  stdin: query('stdin', 'boolean', 'Attach standard input.'),
  stdout: query('stdout', 'boolean', 'Attach standard output.'),
  stderr: query('stderr', 'boolean', 'Attach standard error.'),
  tty: query('tty', 'boolean', 'Allocate a terminal.'),
  ports: query('ports', 'integer', 'Pod port to forward, one per occurrence of the parameter.'),
} as const satisfies Record<string, Parameter>;

export const LIST_PARAMETERS: readonly Parameter[] = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];

export const WRITE_PARAMETERS: readonly Parameter[] = [P.dryRun, P.fieldManager, P.fieldValidation];

export const PATCH_PARAMETERS: readonly Parameter[] = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];

export const DELETE_PARAMETERS: readonly Parameter[] = [
  P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadErrorWithClusterBreakingPotential, P.orphanDependents, P.propagationPolicy,
];

export const DELETE_COLLECTION_PARAMETERS: readonly Parameter[] = [
  P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.ignoreStoreReadErrorWithClusterBreakingPotential,
  P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch,
  P.sendInitialEvents, P.timeoutSeconds,
];

export const LOG_PARAMETERS: readonly Parameter[] = [
  P.container, P.follow, P.insecureSkipTLSVerifyBackend, P.limitBytes, P.previous, P.sinceSeconds, P.sinceTime,
  P.stream, P.tailLines, P.timestamps,
];

export const CONNECT_PARAMETERS: Readonly<Record<string, readonly Parameter[]>> = {
  exec: [P.command, P.container, P.stderr, P.stdin, P.stdout, P.tty],
  attach: [P.container, P.stderr, P.stdin, P.stdout, P.tty],
  portforward: [P.ports],
};
