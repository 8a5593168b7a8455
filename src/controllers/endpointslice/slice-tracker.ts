// Upstream's EndpointSliceTracker: what this controller last wrote to each slice of each service,
// so that (1) a sync never acts on an informer cache that has not caught up with those writes yet
// (a slice just created and not yet seen would otherwise be created twice) and (2) the watch events
// of its own writes do not trigger another sync. Upstream compares metadata.generation; the
// API server here does not keep a generation for EndpointSlices (they have no spec), so the
// tracker falls back to the resourceVersion, which is the store's revision and so ordered.

import type { EndpointSlice } from './types.ts';
import { LABEL_SERVICE_NAME } from './types.ts';

const DELETION_EXPECTED = -1;

/** The slice's version for ordering writes: its generation when the server keeps one, else its resourceVersion. */
export function sliceVersion(slice: EndpointSlice): number {
  const g = slice.metadata.generation;
  if (typeof g === 'number' && g > 0) return g;
  return Number(slice.metadata.resourceVersion ?? 0) || 0;
}

const serviceOf = (slice: EndpointSlice): string => `${slice.metadata.namespace ?? ''}/${slice.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

export class SliceTracker {
  /** service key → slice uid → version written, or DELETION_EXPECTED */
  readonly #services = new Map<string, Map<string, number>>();

  #forSlice(slice: EndpointSlice): Map<string, number> | undefined {
    return this.#services.get(serviceOf(slice));
  }

  has(slice: EndpointSlice): boolean {
    return this.#forSlice(slice)?.has(slice.metadata.uid ?? '') ?? false;
  }

  /** True unless this slice is exactly (or older than) what this controller wrote: someone else changed it. */
  shouldSync(slice: EndpointSlice): boolean {
    const v = this.#forSlice(slice)?.get(slice.metadata.uid ?? '');
    return v === undefined || sliceVersion(slice) > v;
  }

  /**
   * True when the cache lags this controller's writes for the service: a slice older than
   * written, a slice whose deletion was issued still listed, or a written slice missing.
   */
  staleSlices(namespace: string, service: string, slices: readonly EndpointSlice[]): boolean {
    const tracked = this.#services.get(`${namespace}/${service}`);
    if (!tracked) return false;
    const seen = new Set<string>();
    for (const slice of slices) {
      const uid = slice.metadata.uid ?? '';
      seen.add(uid);
      const v = tracked.get(uid);
      if (v !== undefined && (v === DELETION_EXPECTED || v > sliceVersion(slice))) return true;
    }
    for (const [uid, v] of tracked) if (v !== DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  /** Records a slice as this controller just wrote it. */
  update(slice: EndpointSlice): void {
    const key = serviceOf(slice);
    let tracked = this.#services.get(key);
    if (!tracked) this.#services.set(key, (tracked = new Map()));
    tracked.set(slice.metadata.uid ?? '', sliceVersion(slice));
  }

  expectDeletion(slice: EndpointSlice): void {
    const key = serviceOf(slice);
    let tracked = this.#services.get(key);
    if (!tracked) this.#services.set(key, (tracked = new Map()));
    tracked.set(slice.metadata.uid ?? '', DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; true when this controller had deleted it (no resync needed). */
  handleDeletion(slice: EndpointSlice): boolean {
    const tracked = this.#forSlice(slice);
    const uid = slice.metadata.uid ?? '';
    const expected = tracked?.get(uid) === DELETION_EXPECTED;
    tracked?.delete(uid);
    return expected;
  }

  deleteService(namespace: string, name: string): void {
    this.#services.delete(`${namespace}/${name}`);
  }
}
