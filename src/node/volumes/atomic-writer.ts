// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): the files of an API-data volume
// (configMap, secret, downwardAPI, projected) are replaced all at once, so a reader never sees
// a mix of old and new values. Layout of the volume directory:
//
//   ..2026_11_24_08_40_00.123456789/   the current files (a new directory per change)
//   ..data -> ..2026_11_24_08_40_00.123456789
//   key -> ..data/key                  one symlink per top-level name of the payload
//
// An update writes a new timestamped directory, points a temporary symlink at it and renames
// that over ..data (rename is atomic), adds symlinks for new top-level names, removes those of
// names gone from the payload, then removes the old directory. An unchanged payload writes nothing.

import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (0o644 when the volume gives none). */
  mode: number;
}

/** Relative path → content. */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

/** A payload path that would escape the volume or clash with the writer's own names. */
export class PayloadPathError extends Error {}

export function validatePath(path: string): void {
  if (path === '') throw new PayloadPathError('invalid path: must not be empty');
  if (path.startsWith('/')) throw new PayloadPathError(`invalid path: must be relative path: ${path}`);
  if (path.length > 4096) throw new PayloadPathError(`invalid path: must be less than or equal to 4096 characters`);
  const parts = path.split('/');
  if (parts.includes('..')) throw new PayloadPathError(`invalid path: must not contain '..': ${path}`);
  if (parts[0]!.startsWith('..')) throw new PayloadPathError(`invalid path: must not start with '..': ${path}`);
}

/** Writes `payload` into `dir` atomically; returns whether anything changed. */
export function writeAtomically(dir: string, payload: Payload, now: Date = new Date()): boolean {
  const clean: Payload = new Map();
  for (const [path, file] of payload) {
    validatePath(path);
    clean.set(normalize(path), file);
  }
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, DATA_DIR);
  const oldTs = currentTsDir(dir);
  if (oldTs && samePayload(join(dir, oldTs), clean)) return false;

  const tsName = tsDirName(now, dir);
  const tsDir = join(dir, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [path, file] of clean) {
    const full = join(tsDir, path);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, file.data, { mode: file.mode });
    chmodSync(full, file.mode); // writeFileSync's mode is filtered by the umask
  }
  const tmp = join(dir, DATA_TMP);
  rmSync(tmp, { force: true });
  symlinkSync(tsName, tmp);
  renameSync(tmp, dataLink);

  const topLevel = new Set([...clean.keys()].map((p) => p.split(sep)[0]!));
  for (const name of topLevel) {
    const link = join(dir, name);
    if (!isSymlink(link)) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(join(DATA_DIR, name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || topLevel.has(name)) continue;
    const link = join(dir, name);
    if (isSymlink(link) && readlinkSync(link).startsWith(`${DATA_DIR}/`)) unlinkSync(link);
  }
  if (oldTs) rmSync(join(dir, oldTs), { recursive: true, force: true });
  return true;
}

/** The timestamped directory ..data points at, if any. */
function currentTsDir(dir: string): string | undefined {
  try {
    return readlinkSync(join(dir, DATA_DIR));
  } catch {
    return undefined;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The files in `tsDir` are exactly the payload, contents and modes. */
function samePayload(tsDir: string, payload: Payload): boolean {
  if (!existsSync(tsDir)) return false;
  const found = listFiles(tsDir, '');
  if (found.length !== payload.size) return false;
  for (const rel of found) {
    const want = payload.get(rel);
    if (!want) return false;
    const full = join(tsDir, rel);
    if ((statSync(full).mode & 0o7777) !== want.mode) return false;
    if (!readFileSync(full).equals(want.data)) return false;
  }
  return true;
}

function listFiles(root: string, rel: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel ? join(rel, e.name) : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, path));
    else out.push(path);
  }
  return out;
}

/** `..YYYY_MM_DD_HH_MM_SS.<nanos>`, made unique if a directory of that name exists. */
function tsDirName(now: Date, dir: string): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  const nanos = Number(process.hrtime.bigint() % 1_000_000_000n);
  for (let n = nanos; ; n = (n + 1) % 1_000_000_000) {
    const name = `${base}.${p(n, 9)}`;
    if (!existsSync(join(dir, name))) return name;
  }
}
