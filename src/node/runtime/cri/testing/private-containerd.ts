// Tests' handle on a private containerd (scripts/containerd.sh): its own root, state and socket
// under a temp dir, with the busybox test images imported. stop() kills what it runs and removes
// the dir, within a bounded time.

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../../../../scripts/containerd.sh');

/** The test images scripts/containerd.sh imports. */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';
/** An image no registry serves: its registry is a closed port on loopback, so a pull fails without leaving the machine. */
export const MISSING_IMAGE = '127.0.0.1:9/strata-test/not-there:1';

export interface PrivateContainerd {
  dir: string;
  /** `unix://…/containerd.sock`. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Why containerd cannot run here, or undefined when it can. */
export function containerdSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'containerd tests need Linux';
  if (process.getuid?.() !== 0) return 'containerd tests need root (namespaces, mounts, cgroups)';
  return undefined;
}

export async function startPrivateContainerd(): Promise<PrivateContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-containerd-'));
  // Installs packages and builds the images on a fresh machine: allow for apt.
  let stdout: string;
  try {
    ({ stdout } = await run(SCRIPT, ['start', dir], { timeout: 300_000 }));
  } catch (err) {
    await run(SCRIPT, ['stop', dir], { timeout: 60_000 }).catch(() => undefined);
    throw err;
  }
  const socket = stdout.trim().split('\n').pop() ?? '';
  return {
    dir,
    endpoint: `unix://${socket}`,
    stop: async () => {
      await run(SCRIPT, ['stop', dir], { timeout: 60_000 });
    },
  };
}
