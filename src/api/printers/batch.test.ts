import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobPrinter, jobPrinter } from './batch.ts';
import { HOUR, MIN, SEC, ago, columnNames, obj, row } from './test-helpers.ts';

const template = { spec: { containers: [{ name: 'pi', image: 'perl:5.40' }], restartPolicy: 'Never' } };
const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } };

function job(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return obj('batch/v1', 'Job', 'pi', { spec: { template, selector, ...spec }, status }, meta);
}

describe('jobs', () => {
  it('has the 1.33 columns', () => {
    assert.deepEqual(columnNames(jobPrinter, true), ['Name', 'Status', 'Completions', 'Duration', 'Age']);
    assert.deepEqual(columnNames(jobPrinter).slice(5), ['Containers', 'Images', 'Selector']);
  });

  it('prints a completed job', () => {
    const r = row(jobPrinter, job({ completions: 1, parallelism: 1 }, {
      startTime: ago(5 * MIN), completionTime: ago(5 * MIN - 47 * SEC), succeeded: 1,
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
    }));
    assert.deepEqual(r, {
      Name: 'pi', Status: 'Complete', Completions: '1/1', Duration: '47s', Age: '5m',
      Containers: 'pi', Images: 'perl:5.40', Selector: 'batch.kubernetes.io/controller-uid=abc',
    });
  });

  it('prints a running job with its elapsed duration', () => {
    const r = row(jobPrinter, job({ completions: 5, parallelism: 2 }, { startTime: ago(3 * MIN + 20 * SEC), active: 2, succeeded: 2 }));
    assert.deepEqual([r['Status'], r['Completions'], r['Duration']], ['Running', '2/5', '3m20s']);
  });

  it('prints work-queue completions with parallelism', () => {
    assert.equal(row(jobPrinter, job({ parallelism: 3 }, {}))['Completions'], '0/1 of 3');
    assert.equal(row(jobPrinter, job({}, {}))['Completions'], '0/1');
  });

  it('prints Failed, Terminating, Suspended and FailureTarget in upstream precedence', () => {
    const status = (...types: string[]) => ({ conditions: types.map((type) => ({ type, status: 'True' })) });
    assert.equal(row(jobPrinter, job({}, status('FailureTarget', 'Failed')))['Status'], 'Failed');
    assert.equal(row(jobPrinter, job({}, status('Suspended'), { deletionTimestamp: ago(SEC) }))['Status'], 'Terminating');
    assert.equal(row(jobPrinter, job({ suspend: true }, status('Suspended')))['Status'], 'Suspended');
    assert.equal(row(jobPrinter, job({}, status('FailureTarget')))['Status'], 'FailureTarget');
    assert.equal(row(jobPrinter, job({}, { conditions: [{ type: 'Complete', status: 'False' }] }))['Status'], 'Running');
    // SuccessCriteriaMet alone is only shown from 1.34 on.
    assert.equal(row(jobPrinter, job({}, status('SuccessCriteriaMet')))['Status'], 'Running');
  });

  it('leaves duration empty before the job starts', () => {
    assert.equal(row(jobPrinter, job({}, {}))['Duration'], '');
  });
});

describe('cronjobs', () => {
  it('has the 1.33 columns', () => {
    assert.deepEqual(columnNames(cronJobPrinter, true), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
  });

  it('prints schedule, suspension and the last run', () => {
    const r = row(cronJobPrinter, obj('batch/v1', 'CronJob', 'backup', {
      spec: { schedule: '0 3 * * *', timeZone: 'Europe/Berlin', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'backup-29100000' }], lastScheduleTime: ago(9 * HOUR) },
    }));
    assert.deepEqual(r, {
      Name: 'backup', Schedule: '0 3 * * *', Timezone: 'Europe/Berlin', Suspend: 'False', Active: 1, 'Last Schedule': '9h', Age: '5m',
      Containers: 'pi', Images: 'perl:5.40', Selector: '<none>',
    });
  });

  it('prints <none> and <unset> defaults', () => {
    const r = row(cronJobPrinter, obj('batch/v1', 'CronJob', 'new', { spec: { schedule: '*/5 * * * *' } }));
    assert.deepEqual([r['Timezone'], r['Suspend'], r['Active'], r['Last Schedule']], ['<none>', '<unset>', 0, '<none>']);
    assert.equal(row(cronJobPrinter, obj('batch/v1', 'CronJob', 'off', { spec: { suspend: true } }))['Suspend'], 'True');
  });
});
