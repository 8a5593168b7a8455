#!/usr/bin/env node
// Entry point for `npx strata`. Runs the compiled JavaScript in dist/ (built by `npm install`),
// rebuilding it first when any source file is newer than the last build, so what runs is
// always what the sources say.

import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built = 0;
try {
  built = statSync(join(root, 'dist/.build-stamp')).mtimeMs;
} catch {
  // never built
}
if (built < newestSource(join(root, 'src'))) {
  process.stderr.write('strata: building dist/ from the sources...\n');
  const result = spawnSync(process.execPath, [join(root, 'scripts/build.ts')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
await import('../dist/cmd/main.js');
