// Event tables for core/v1 and events.k8s.io/v1. Both groups share one storage, and upstream
// prints both through the core printer, so the events.k8s.io field names (regarding, note,
// deprecated*) are read as fallbacks. Columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, with
// SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME shown only with -o wide.

import { int, isInt, isRec, rec, str } from './access.ts';
import { parseTime, since } from './format.ts';
import { column, nameOf, printer, type TablePrinter } from './types.ts';
import type { KubeObject } from '../types.ts';

export const eventPrinter: TablePrinter = printer(
  [
    column('Last Seen', 'string', 'Time since the event was last observed.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'Short machine-readable reason for the event.'),
    column('Object', 'string', 'The object the event is about.'),
    column('Subobject', 'string', 'Field path within the object, such as a container.', { wide: true }),
    column('Source', 'string', 'Component (and host) that reported the event.', { wide: true }),
    column('Message', 'string', 'Human-readable description of the event.'),
    column('First Seen', 'string', 'Time since the event was first observed.', { wide: true }),
    column('Count', 'string', 'Number of times the event occurred.', { wide: true }),
    column('Name', 'string', 'Name of the event object.', { wide: true, format: 'name' }),
  ],
  eventCells,
);

function firstDefined(obj: KubeObject, ...keys: string[]): unknown {
  for (const k of keys) {
    const v = obj[k];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function eventCells(ev: KubeObject, nowMs: number): unknown[] {
  const involved = rec(firstDefined(ev, 'involvedObject', 'regarding'));
  const source = rec(firstDefined(ev, 'source', 'deprecatedSource'));
  const series = ev['series'];

  // A zero (absent) firstTimestamp falls back to eventTime, a zero lastTimestamp to first seen.
  const first = parseTime(firstDefined(ev, 'firstTimestamp', 'deprecatedFirstTimestamp')) ?? parseTime(ev['eventTime']);
  const firstSeen = since(first, nowMs);
  const last = parseTime(firstDefined(ev, 'lastTimestamp', 'deprecatedLastTimestamp'));
  let lastSeen = last !== undefined ? since(last, nowMs) : firstSeen;

  let count = int(firstDefined(ev, 'count', 'deprecatedCount'));
  if (isRec(series)) {
    lastSeen = since(series['lastObservedTime'], nowMs);
    count = isInt(series['count']) ? int(series['count']) : 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }

  const kind = str(involved['kind']).toLowerCase();
  const target = str(involved['name']) !== '' ? `${kind}/${str(involved['name'])}` : kind;
  return [
    lastSeen,
    str(ev['type']),
    str(ev['reason']),
    target,
    str(involved['fieldPath']),
    eventSource(
      str(source['component']) || str(firstDefined(ev, 'reportingComponent', 'reportingController')),
      str(source['host']) || str(ev['reportingInstance']),
    ),
    str(firstDefined(ev, 'message', 'note')).trim(),
    firstSeen,
    count,
    nameOf(ev),
  ];
}

/** formatEventSource: "component, host", or just the component when there is no host. */
function eventSource(component: string, instance: string): string {
  return instance === '' ? component : `${component}, ${instance}`;
}
