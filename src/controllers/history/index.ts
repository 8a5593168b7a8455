// ControllerRevision history shared by the StatefulSet and DaemonSet controllers: content hashes
// and names, ordering and truncation, and the writes (create with collision handling, renumber,
// delete).

export * from './hash.ts';
export * from './revisions.ts';
export * from './history-client.ts';
