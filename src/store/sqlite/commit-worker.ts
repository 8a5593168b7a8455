// The writer thread of the SQLite store, started by worker-committer.ts. It owns the write
// connection: each batch it is sent is validated and inserted in one transaction and answered only
// after COMMIT returned (WAL fsynced); compaction runs here too, between batches, on the same
// connection. Messages are handled one at a time in arrival order, so batches commit in the order
// the store sent them.

import { parentPort, workerData } from 'node:worker_threads';
import { InlineCommitter } from './committer.ts';
import { LogDb } from './log-db.ts';
import { transferables } from './write-batch.ts';
import { serializeError, type WriterConfig, type WriterReply, type WriterRequest } from './writer-protocol.ts';

const config = (workerData as { sqliteWriter?: WriterConfig } | undefined)?.sqliteWriter;
if (parentPort === null || config === undefined) throw new Error('commit-worker.ts runs only as the SQLite store writer thread');
const port = parentPort;
// Opening errors (locked, unreadable) end the thread with an 'error' the starter reports.
const db = new LogDb(config.file, config.busyTimeoutMs);
let committer: InlineCommitter;
try {
  committer = new InlineCommitter(db);
} catch (err) {
  db.close();
  throw err;
}
const post = (reply: WriterReply, transfer?: ArrayBuffer[]): void => port.postMessage(reply, transfer);
const fail = (id: number) => (err: unknown) => post({ t: 'fail', id, error: serializeError(err) });

port.on('message', (msg: WriterRequest) => {
  switch (msg.t) {
    case 'batch':
      committer.commit(msg.req).then((outcome) => post({ t: 'done', id: msg.id, value: outcome }, transferables(outcome)), fail(msg.id));
      return;
    case 'compact':
      committer.compact(msg.target).then((stats) => post({ t: 'done', id: msg.id, value: stats }), fail(msg.id));
      return;
    case 'close':
      void committer.close().then(() => {
        db.close();
        post({ t: 'done', id: msg.id, value: undefined });
        port.close(); // nothing else keeps the thread alive: it exits
      });
      return;
  }
});
post({ t: 'ready', revision: committer.revision, compacted: committer.compacted });
