// The batch controllers inside `strata server`, driven by real kubectl: the pi Job from the
// Kubernetes docs runs to completion (the PodDriver stands in for the kubelet), `kubectl wait
// --for=condition=complete` returns, `kubectl get jobs` shows STATUS, COMPLETIONS, DURATION and
// AGE; a CronJob that runs every minute is accepted and listed, and `kubectl create job
// --from=cronjob/...` makes a Job that completes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { parseTable, startStrata, waitForExit } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

// https://kubernetes.io/docs/concepts/workloads/controllers/job/#running-an-example-job, plus the
// annotations that tell the PodDriver how the container ends.
const PI_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    metadata:
      annotations:
        sim.strata.dev/exit-code: "0"
        sim.strata.dev/run-ms: "1500"
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
`;

// https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#example
const HELLO_CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            sim.strata.dev/exit-code: "0"
            sim.strata.dev/run-ms: "300"
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
`;

describe('batch controllers in strata server, with kubectl', { timeout: 180_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;

  before(async () => {
    s = await startStrata();
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client, { bind: false });
    await driver.start();
  });
  after(async () => {
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  // kubectl wait runs in the background: a synchronous kubectl would block this process, and the
  // PodDriver in it that has to finish the pods.
  const waitComplete = async (job: string) => {
    const r = await waitForExit(s.spawnKubectl(['wait', '--for=condition=complete', `job/${job}`, '--timeout=60s']), 70_000);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('the pi Job completes: kubectl wait returns and kubectl get jobs shows its columns', async () => {
    s.k(['apply', '-f', '-'], { input: PI_JOB });
    const running = parseTable(s.k(['get', 'jobs']));
    assert.deepEqual(Object.keys(running[0] ?? {}), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.match(await waitComplete('pi'), /job\.batch\/pi condition met/);
    const [row] = parseTable(s.k(['get', 'jobs']));
    assert.equal(row?.['NAME'], 'pi');
    assert.equal(row?.['STATUS'], 'Complete');
    assert.equal(row?.['COMPLETIONS'], '1/1');
    assert.match(row?.['DURATION'] ?? '', /^\d+s$/);
    assert.ok(Number.parseInt(row?.['DURATION'] ?? '0', 10) >= 1, 'the pod ran 1.5 s');
    assert.match(row?.['AGE'] ?? '', /^\d+s$/);
    const pods = parseTable(s.k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=pi']));
    assert.equal(pods.length, 1);
    assert.equal(pods[0]?.['STATUS'], 'Completed');
    assert.equal(s.k(['get', 'job', 'pi', '-o', 'jsonpath={.status.succeeded}']), '1');
    const finalizers = s.k(['get', 'pods', '-l', 'job-name=pi', '-o', 'jsonpath={.items[0].metadata.finalizers}']);
    assert.doesNotMatch(finalizers, /job-tracking/, 'the tracking finalizer is gone once counted');
    const events = s.k(['get', 'events', '--field-selector', 'involvedObject.name=pi', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate/);
    assert.match(events, /Completed/);
  });

  test('a CronJob every minute is accepted and listed by kubectl get cronjobs', () => {
    s.k(['apply', '-f', '-'], { input: HELLO_CRONJOB });
    const [row] = parseTable(s.k(['get', 'cronjobs']));
    assert.equal(row?.['NAME'], 'hello');
    assert.equal(row?.['SCHEDULE'], '* * * * *');
    assert.equal(row?.['SUSPEND'], 'False');
    assert.match(row?.['ACTIVE'] ?? '', /^\d+$/);
    assert.equal(s.k(['get', 'cronjob', 'hello', '-o', 'jsonpath={.spec.concurrencyPolicy}/{.spec.successfulJobsHistoryLimit}/{.spec.failedJobsHistoryLimit}']), 'Allow/3/1');
  });

  test('kubectl create job --from=cronjob/hello makes a Job that completes', async () => {
    const out = s.k(['create', 'job', 'manual', '--from=cronjob/hello']);
    assert.match(out, /job\.batch\/manual created/);
    await waitComplete('manual');
    assert.equal(s.k(['get', 'job', 'manual', '-o', 'jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}']), 'manual');
    assert.equal(s.k(['get', 'job', 'manual', '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}']), 'CronJob/hello');
    const row = parseTable(s.k(['get', 'jobs'])).find((r) => r['NAME'] === 'manual');
    assert.equal(row?.['STATUS'], 'Complete');
    assert.equal(row?.['COMPLETIONS'], '1/1');
  });
});
