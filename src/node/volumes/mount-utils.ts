// Host mounts the volume plugins make themselves (tmpfs for memory-backed emptyDirs): whether a
// path is a mount point (from /proc/self/mountinfo), mount and unmount through util-linux, and
// how much disk a directory tree uses.

import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Mount points of this mount namespace (mountinfo's 5th field, with its octal escapes undone). */
export function mountPoints(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.add(field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export const isMountPoint = (path: string): boolean => mountPoints().has(resolve(path));

export function runMount(args: readonly string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let err = '';
    const child = spawn('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`mount ${args.join(' ')} failed: ${err.trim() || `exit ${code}`}`))));
  });
}

export function unmount(path: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('umount', [path], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`umount ${path} exited with ${code}`))));
  });
}

/** Bytes of disk the tree under `dir` takes (allocated blocks, as du counts; hard links once). */
export function diskUsage(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (path: string): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return;
    }
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    total += st.blocks * 512;
    if (!st.isDirectory()) return;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const n of names) walk(join(path, n));
  };
  walk(dir);
  return total;
}
