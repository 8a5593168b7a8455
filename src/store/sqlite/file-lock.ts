// A pid lock file next to the database, so that a second server pointed at the same data dir
// fails at start with a message naming the process that holds it, instead of two writers racing.
// The database connection also runs in SQLite's EXCLUSIVE locking mode, which the kernel enforces
// (and releases when a process dies); this file exists for the clear error and for operators.
//
// A lock file whose process is gone (crash, SIGKILL) is stale and taken over. The pid check cannot
// tell a reused pid from the original owner; that errs on the side of refusing to start.

import fs from 'node:fs';

export class FileLock {
  readonly path: string;
  #released = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** Takes the lock or throws an Error naming the live process that holds it. */
  static acquire(path: string, what: string): FileLock {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx', 0o600);
        try {
          fs.writeSync(fd, `${process.pid}\n`);
        } finally {
          fs.closeSync(fd);
        }
        return new FileLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(path);
      if (owner !== undefined && isAlive(owner)) {
        const who = owner === process.pid ? 'this process' : `process ${owner}`;
        throw new Error(`${what} is already open by ${who} (lock file ${path})`);
      }
      // Stale (owner gone) or half-written by a starting process: remove and retry.
      try {
        if (owner !== undefined || ageMs(path) > 2000) fs.unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (owner === undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    throw new Error(`could not take the lock file ${path} for ${what}`);
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (readOwner(this.path) !== process.pid) return;
    try {
      fs.unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - fs.statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
