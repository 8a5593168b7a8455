import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podPrinter, podTemplatePrinter } from './core-pods.ts';
import { MIN, SEC, ago, columnNames, obj, row } from './test-helpers.ts';

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return obj('v1', 'Pod', 'web-0', { spec, status }, meta);
}

const oneContainer = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
const running = { running: { startedAt: ago(4 * MIN) } };

describe('pod columns', () => {
  it('matches upstream names, order and priorities', () => {
    assert.deepEqual(columnNames(podPrinter, true), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual(columnNames(podPrinter), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.equal(podPrinter.columns[0]?.format, 'name');
  });
});

describe('pod status', () => {
  it('prints a ready running pod with wide columns', () => {
    const r = row(
      podPrinter,
      pod(
        { ...oneContainer, nodeName: 'node-1' },
        {
          phase: 'Running',
          podIP: '10.244.0.7',
          podIPs: [{ ip: '10.244.0.7' }, { ip: 'fd00::7' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
        },
      ),
    );
    assert.deepEqual(r, {
      Name: 'web-0', Ready: '1/1', Status: 'Running', Restarts: '0', Age: '5m',
      IP: '10.244.0.7', Node: 'node-1', 'Nominated Node': '<none>', 'Readiness Gates': '<none>',
    });
  });

  it('prints CrashLoopBackOff with restarts and the time since the last one', () => {
    const r = row(
      podPrinter,
      pod(
        { containers: [{ name: 'app' }, { name: 'sidecar' }] },
        {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'app', ready: false, restartCount: 5,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(90 * SEC) } },
            },
            { name: 'sidecar', ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 0, finishedAt: ago(4 * MIN) } } },
          ],
        },
      ),
    );
    assert.equal(r['Ready'], '1/2');
    assert.equal(r['Status'], 'CrashLoopBackOff');
    assert.equal(r['Restarts'], '6 (90s ago)');
  });

  it('prints waiting reasons while containers start', () => {
    for (const reason of ['ContainerCreating', 'ImagePullBackOff', 'ErrImagePull']) {
      const r = row(podPrinter, pod(oneContainer, { phase: 'Pending', containerStatuses: [{ name: 'app', state: { waiting: { reason } } }] }));
      assert.equal(r['Status'], reason);
      assert.equal(r['Ready'], '0/1');
    }
  });

  it('prints Pending and no IP before scheduling', () => {
    const r = row(podPrinter, pod(oneContainer, { phase: 'Pending' }));
    assert.deepEqual([r['Status'], r['IP'], r['Node']], ['Pending', '<none>', '<none>']);
  });

  it('prints terminated reasons, or the exit code and signal without one', () => {
    const status = (terminated: Record<string, unknown>, phase: string) => ({ phase, containerStatuses: [{ name: 'app', state: { terminated } }] });
    assert.equal(row(podPrinter, pod(oneContainer, status({ exitCode: 0, reason: 'Completed' }, 'Succeeded')))['Status'], 'Completed');
    assert.equal(row(podPrinter, pod(oneContainer, status({ exitCode: 1, reason: 'Error' }, 'Failed')))['Status'], 'Error');
    assert.equal(row(podPrinter, pod(oneContainer, status({ exitCode: 137 }, 'Failed')))['Status'], 'ExitCode:137');
    assert.equal(row(podPrinter, pod(oneContainer, status({ exitCode: 0, signal: 9 }, 'Failed')))['Status'], 'Signal:9');
  });

  it('reports Running or NotReady when one container completed and another still runs', () => {
    const status = (ready: string) => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready }],
      containerStatuses: [
        { name: 'job', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'server', ready: true, state: running },
      ],
    });
    const spec = { containers: [{ name: 'job' }, { name: 'server' }] };
    assert.equal(row(podPrinter, pod(spec, status('True')))['Status'], 'Running');
    assert.equal(row(podPrinter, pod(spec, status('False')))['Status'], 'NotReady');
  });

  it('prints Terminating once deletion started, unless the pod already finished', () => {
    const meta = { deletionTimestamp: ago(10 * SEC) };
    const runningStatus = { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running }] };
    assert.equal(row(podPrinter, pod(oneContainer, runningStatus, meta))['Status'], 'Terminating');
    const done = { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
    assert.equal(row(podPrinter, pod(oneContainer, done, meta))['Status'], 'Completed');
  });

  it('prints NodeLost from status.reason, and Unknown once such a pod is being deleted', () => {
    const lost = { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ name: 'app', ready: true, state: running }] };
    assert.equal(row(podPrinter, pod(oneContainer, { phase: 'Running', reason: 'NodeLost' }))['Status'], 'NodeLost');
    assert.equal(row(podPrinter, pod(oneContainer, lost, { deletionTimestamp: ago(SEC) }))['Status'], 'Unknown');
  });

  it('prints SchedulingGated from the PodScheduled condition', () => {
    const r = row(podPrinter, pod({ ...oneContainer, schedulingGates: [{ name: 'wait' }] }, {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    }));
    assert.equal(r['Status'], 'SchedulingGated');
  });
});

describe('pod init containers', () => {
  const spec = { initContainers: [{ name: 'migrate' }], containers: [{ name: 'app' }] };

  it('prints Init:0/1 while the first init container runs', () => {
    const r = row(podPrinter, pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'migrate', state: running }],
      containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
    }));
    assert.deepEqual([r['Status'], r['Ready']], ['Init:0/1', '0/1']);
  });

  it('prints Init:CrashLoopBackOff and counts init restarts', () => {
    const r = row(podPrinter, pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [{
        name: 'migrate', restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * MIN) } },
      }],
      containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
    }));
    assert.deepEqual([r['Status'], r['Restarts']], ['Init:CrashLoopBackOff', '3 (2m ago)']);
  });

  it('prints Init:Error and Init:ExitCode for failed init containers', () => {
    const failed = (terminated: Record<string, unknown>) =>
      row(podPrinter, pod(spec, { phase: 'Failed', initContainerStatuses: [{ name: 'migrate', state: { terminated } }] }))['Status'];
    assert.equal(failed({ exitCode: 1, reason: 'Error' }), 'Init:Error');
    assert.equal(failed({ exitCode: 2 }), 'Init:ExitCode:2');
  });

  it('counts a started sidecar (restartable init container) as a container', () => {
    const r = row(podPrinter, pod(
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 2, state: running,
          lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * MIN) } } }],
        containerStatuses: [{ name: 'app', ready: true, state: running }],
      },
    ));
    assert.deepEqual([r['Ready'], r['Status'], r['Restarts']], ['2/2', 'Running', '2 (3m ago)']);
  });
});

describe('pod wide columns', () => {
  it('prints nominated node and readiness gates', () => {
    const r = row(podPrinter, pod(
      { ...oneContainer, readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      { phase: 'Pending', nominatedNodeName: 'node-2', conditions: [{ type: 'example.com/lb', status: 'True' }] },
    ));
    assert.deepEqual([r['Nominated Node'], r['Readiness Gates']], ['node-2', '1/2']);
  });
});

describe('pod robustness', () => {
  it('never throws on partial or mistyped pods', () => {
    const weird = [
      { apiVersion: 'v1', kind: 'Pod', metadata: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: 'nope', status: { containerStatuses: [null, 3, { state: null }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, status: { initContainerStatuses: [{ state: { terminated: null } }] } },
    ];
    for (const p of weird) assert.equal(podPrinter.cells(p, 0).length, podPrinter.columns.length);
    assert.deepEqual(row(podPrinter, weird[0]!), {
      Name: '', Ready: '0/0', Status: '', Restarts: '0', Age: '<unknown>',
      IP: '<none>', Node: '<none>', 'Nominated Node': '<none>', 'Readiness Gates': '<none>',
    });
  });
});

describe('pod templates', () => {
  it('prints containers, images and pod labels', () => {
    const r = row(podTemplatePrinter, obj('v1', 'PodTemplate', 'tpl', {
      template: { metadata: { labels: { tier: 'web', app: 'shop' } }, spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] } },
    }));
    assert.deepEqual(r, { Name: 'tpl', Containers: 'a,b', Images: 'nginx,busybox', 'Pod Labels': 'app=shop,tier=web' });
  });
});
