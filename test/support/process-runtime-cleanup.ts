// Removes the cgroups the process runtime made for the pods under a data dir that a test or a
// benchmark is about to delete. Stopping `strata up` stops its pods but keeps their sandboxes (and
// cgroups) for the next start, and a killed agent keeps everything for re-adoption: deleting only
// the data dir would leave their empty cgroups on the host, one set per pod and run.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups } from '../../src/node/runtime/process/index.ts';

/** The process runtime's state dirs (…/runtime/process) under `dir`. */
function stateDirs(dir: string, depth = 6): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    if (e.name === 'process' && dir.endsWith('/runtime')) out.push(path);
    else if (depth > 0) out.push(...stateDirs(path, depth - 1));
  }
  return out;
}

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * Removes every container and sandbox cgroup recorded under `dataDir` (their processes must be
 * gone: a cgroup still holding one is retried for up to 2 s, then left). Answers how many stayed.
 */
export async function removeRuntimeCgroups(dataDir: string): Promise<number> {
  const driver = detectCgroups();
  if (!driver) return 0;
  const pending: (() => void)[] = [];
  for (const state of stateDirs(dataDir)) {
    for (const id of list(join(state, 'containers'))) {
      try {
        const rec = JSON.parse(readFileSync(join(state, 'containers', id, 'container.json'), 'utf8')) as { id: string; podSandboxId: string };
        pending.push(() => driver.remove(rec.podSandboxId, rec.id));
      } catch {
        // no record: nothing was created for it
      }
    }
    for (const name of list(join(state, 'sandboxes'))) {
      if (name.endsWith('.json')) pending.push(() => driver.removeSandbox(name.slice(0, -'.json'.length)));
    }
  }
  let left = pending;
  for (let attempt = 0; left.length > 0 && attempt < 20; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
    left = left.filter((remove) => {
      try {
        remove();
        return false;
      } catch {
        return true;
      }
    });
  }
  return left.length;
}
