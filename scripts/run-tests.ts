// Runs one tier of tests with node:test, passing every file explicitly (a folder or quoted glob
// can silently match nothing). Tiers: unit (*.test.ts beside the code, not *.int.test.ts),
// int (*.int.test.ts), e2e (test/e2e/**/*.test.ts).

import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const tier = process.argv[2];
const patterns: Record<string, { include: string; exclude?: RegExp; concurrency: number }> = {
  unit: { include: 'src/**/*.test.ts', exclude: /\.int\.test\.ts$/, concurrency: 2 },
  int: { include: 'src/**/*.int.test.ts', concurrency: 1 },
  e2e: { include: 'test/e2e/**/*.test.ts', concurrency: 1 },
};
const chosen = tier ? patterns[tier] : undefined;
if (!chosen) {
  process.stderr.write(`usage: run-tests.ts unit|int|e2e [extra node --test flags]\n`);
  process.exit(2);
}
const files = globSync(chosen.include).filter((f) => !chosen.exclude || !chosen.exclude.test(f)).sort();
if (files.length === 0) {
  process.stderr.write(`no ${tier} test files found for ${chosen.include}\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${chosen.concurrency}`, ...process.argv.slice(3), ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
