// Upstream's slowStartBatch: issue `count` calls in batches of 1, 2, 4, 8... so a systematic
// failure (quota, admission, a deleted namespace) costs one call, not thousands. Returns how many
// succeeded; a batch with any failure ends the run and the first error is rethrown after it.

export const SLOW_START_INITIAL_BATCH = 1;

export async function slowStartBatch(count: number, initialBatch: number, call: (index: number) => Promise<void>): Promise<{ succeeded: number; error?: unknown }> {
  let done = 0;
  let batch = Math.min(count, initialBatch);
  while (batch > 0) {
    const start = done;
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, i) => call(start + i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { succeeded: done, error: failed.reason };
    batch = Math.min(2 * batch, count - (start + batch));
  }
  return { succeeded: done };
}
