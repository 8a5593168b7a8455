// Builds dist/: the TypeScript sources compiled to plain JavaScript (imports rewritten to .js)
// plus the fact tables they read at run time. Running JS instead of stripping types at start-up
// saves the type stripper's memory (~30 MB RSS) and start-up time. `npm install` runs this
// (the `prepare` script); bin/strata.js rebuilds when a source is newer than the build.

import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(join(root, 'src/api/data'), join(dist, 'api/data'), { recursive: true });
writeFileSync(join(dist, '.build-stamp'), new Date().toISOString() + '\n');
