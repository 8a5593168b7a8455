// /proc/<pid>/stat parsing (a command name with spaces and parentheses) and a process group's sum.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProcStat, processGroupUsage } from './proc-stats.ts';

// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime … rss (field 24)
const line = (pid: number, pgrp: number, utime: number, stime: number, rss: number): string =>
  `${pid} (sh -c (x) y) S 1 ${pgrp} ${pgrp} 0 -1 4194560 120 0 3 0 ${utime} ${stime} 0 0 20 0 1 0 5000 1000000 ${rss} 18446744073709551615`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('proc stats', () => {
  it('parses pgrp, CPU ticks, RSS and faults past a tricky command name', () => {
    assert.deepEqual(parseProcStat(line(42, 40, 150, 50, 256)), { pid: 42, pgrp: 40, cpuTicks: 200, rssPages: 256, minflt: 120, majflt: 3 });
  });

  it('sums the processes of one group only', () => {
    const proc = mkdtempSync(join(tmpdir(), 'strata-proc-'));
    dirs.push(proc);
    for (const [pid, pgrp, u] of [[40, 40, 100], [41, 40, 50], [77, 77, 999]] as const) {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'stat'), line(pid, pgrp, u, 0, 10));
    }
    const usage = processGroupUsage(40, proc);
    assert.equal(usage?.cpuUsageNanoSeconds, 150 * 10_000_000);
    assert.equal(usage?.memory.workingSetBytes, 2 * 10 * 4096);
    assert.equal(processGroupUsage(5, proc), undefined);
  });
});
