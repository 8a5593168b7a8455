// Watch responses: headers flushed at once, one JSON event per line (or length-prefixed protobuf
// WatchEvent frames for clients that prefer protobuf), bookmarks, timeouts, Table events when
// asked, and cut-off of watchers too slow to keep up (bounded memory).

import { apiVersionOf, type KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { canEncodeKubeProtobuf, encodeKubeProtobuf, encodeWatchFrame, PROTOBUF_WATCH_MEDIA_TYPE, ProtobufError } from '../../machinery/protobuf/index.ts';
import type { CachedObject, WatchEventType } from '../../store/watch-cache.ts';
import { negotiate } from '../http/negotiate.ts';
import type { ServerResponse } from 'node:http';
import type { ListOptions } from './list-options.ts';
import type { ResourceCall } from './resource-handler.ts';
import { partialMetadata, printerOf, tableRow } from './table.ts';

/** A watcher with more than this many bytes queued in its socket is dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 15_000;
const DEFAULT_TIMEOUT_S = 1800;

export async function serveWatch(call: ResourceCall, options: ListOptions): Promise<void> {
  const { served, req } = call;
  const res = call.res as ServerResponse;
  const shape = negotiate(req.headers.accept, true);
  const def = served.def;
  // Protobuf: each frame is a WatchEvent whose object is the object's own "k8s\0" envelope.
  const protobuf = shape.kind === 'object' && shape.format === 'protobuf' && canEncodeKubeProtobuf({ apiVersion: apiVersionOf(def.group, def.version), kind: def.kind });
  const protoFrame = (type: string, obj: object): Buffer => Buffer.from(encodeWatchFrame(type, encodeKubeProtobuf(obj as Record<string, unknown>)));
  const printer = shape.kind === 'table' ? printerOf(served) : undefined;
  let sentColumns = false;

  const encode = (type: WatchEventType | 'BOOKMARK', entry: CachedObject<KubeObject>): string | Buffer => {
    if (shape.kind === 'table' && printer) {
      const obj = served.fromStorage(entry.object);
      const table = {
        kind: 'Table',
        apiVersion: `meta.k8s.io/${shape.version}`,
        metadata: { resourceVersion: obj.metadata.resourceVersion },
        columnDefinitions: sentColumns ? [] : printer.columns,
        rows: [tableRow(printer, obj, { version: shape.version, includeObject: options.includeObject, withColumns: true }, Date.now())],
      };
      sentColumns = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    if (shape.kind === 'metadata') return `{"type":"${type}","object":${JSON.stringify(partialMetadata(entry.object, shape.version))}}\n`;
    if (protobuf) return protoFrame(type, served.fromStorage(entry.object));
    if (!served.converter) return entry.frame(type);
    const out = served.fromStorage(entry.object);
    if (out === entry.object) return entry.frame(type);
    return `{"type":"${type}","object":${JSON.stringify(out)}}\n`;
  };

  let open = true;
  const sink = (type: WatchEventType, entry: CachedObject<KubeObject>): boolean => {
    if (!open) return false;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      finish();
      return false;
    }
    let frame: string | Buffer;
    try {
      frame = encode(type, entry);
    } catch (err) {
      // An object the protobuf message cannot carry: end the stream; the client re-lists.
      if (!(err instanceof ProtobufError)) throw err;
      finish();
      return false;
    }
    res.write(frame);
    return true;
  };

  // No content-length: HTTP/1.1 answers chunked, HTTP/2 streams DATA frames.
  res.writeHead(200, { 'content-type': protobuf ? PROTOBUF_WATCH_MEDIA_TYPE : 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();

  let watcher: { close(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  let lastRevision = 0;
  const bookmark = (): void => {
    if (!open || !options.allowWatchBookmarks) return;
    const rv = served.store.cache.revision;
    if (rv === lastRevision) return;
    lastRevision = rv;
    const obj = { kind: def.kind, apiVersion: apiVersionOf(def.group, def.version), metadata: { resourceVersion: String(rv) } };
    res.write(protobuf ? protoFrame('BOOKMARK', obj) : `{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
  };
  const finish = (): void => {
    if (!open) return;
    open = false;
    for (const t of timers) clearTimeout(t);
    watcher?.close();
    call.onWatch?.(-1);
    res.end();
  };
  call.onWatch?.(1);
  req.on('close', finish);
  res.on('error', finish);
  try {
    // When the cache ends the watch (too slow, or it lost history), the client must re-list: end the stream.
    watcher = await served.store.watch(options.resourceVersion, { namespace: call.info.namespace, matches: options.matches }, sink, finish);
  } catch (err) {
    if (isStatusError(err)) {
      // Upstream reports a watch that cannot start (410 Expired) as an ERROR event.
      res.write(protobuf ? protoFrame('ERROR', err.status) : `{"type":"ERROR","object":${JSON.stringify(err.status)}}\n`);
      finish();
      return;
    }
    finish();
    throw err;
  }
  const timeout = (options.timeoutSeconds && options.timeoutSeconds > 0 ? options.timeoutSeconds : DEFAULT_TIMEOUT_S) * 1000;
  timers.push(setTimeout(() => {
    bookmark();
    finish();
  }, timeout));
  if (options.allowWatchBookmarks) {
    const tick = (): void => {
      bookmark();
      if (open) timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS).unref());
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS).unref());
  }
}
