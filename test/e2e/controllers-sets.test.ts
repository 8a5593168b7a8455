// The StatefulSet and DaemonSet controllers inside `strata server`, driven by real kubectl with
// the manifests from the Kubernetes docs: the `web` StatefulSet behind the headless `nginx`
// Service (rollout status, its PersistentVolumeClaims, scale up and down, set image, rollout
// history and undo) and the fluentd-elasticsearch DaemonSet in kube-system (rollout status, the
// `kubectl get ds` columns, set image, rollout history and undo). A PodDriver (test/support)
// plays scheduler and kubelets on three fake nodes. kubectl runs asynchronously whenever it waits,
// so the driver in this process keeps going meanwhile.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/index.ts';
import { PodDriver } from '../support/pod-driver.ts';
import { eventually, type KubectlResult, startStrata, waitForExit } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const EXAMPLES = '/work/shared/examples/kubernetes-website/content/en/examples';
const WEB = readFileSync(`${EXAMPLES}/application/web/web.yaml`, 'utf8');
const FLUENTD = readFileSync(`${EXAMPLES}/controllers/daemonset.yaml`, 'utf8');

/** The data rows of a kubectl table, split on runs of spaces. */
const rows = (table: string): string[][] => table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));

describe('StatefulSet and DaemonSet controllers with kubectl', { timeout: 240_000 }, () => {
  let s: Strata;
  let client: RestClient;
  let driver: PodDriver;

  /** kubectl without blocking this process (rollout status waits on the driver running here). */
  const kubectl = async (args: string[], timeoutMs = 60_000): Promise<KubectlResult> => waitForExit(s.spawnKubectl(args), timeoutMs);
  const rolledOut = async (target: string, ns = 'default'): Promise<string> => {
    const r = await kubectl(['rollout', 'status', target, '-n', ns, '--timeout=60s']);
    assert.equal(r.code, 0, `rollout status ${target}: ${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    // The web StatefulSet's claims have no volume provisioner yet (storage comes later), and the
    // scheduler rightly will not place pods with unbound claims: the driver binds pods here.
    s = await startStrata(['--disable-scheduler']);
    client = await RestClient.fromKubeconfig(s.kubeconfig);
    driver = new PodDriver(client);
    await driver.start();
  });
  after(async () => {
    await driver?.stop();
    client?.close();
    await s?.cleanup();
  });

  const webPods = (): string => s.k(['get', 'pods', '-l', 'app=nginx', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}{" "}{end}']).trim();

  test('the web StatefulSet rolls out with its claims, scales, and updates and rolls back', async () => {
    s.k(['apply', '-f', '-'], { input: WEB });
    const status = await rolledOut('statefulset/web');
    assert.match(status, /partitioned roll out complete: 2 new pods have been updated/);
    assert.equal(webPods(), 'web-0=registry.k8s.io/nginx-slim:0.7 web-1=registry.k8s.io/nginx-slim:0.7');
    assert.deepEqual(rows(s.k(['get', 'pvc'])).map((r) => r[0]), ['www-web-0', 'www-web-1']);
    assert.equal(s.k(['get', 'pod', 'web-0', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain} {.spec.volumes[0].persistentVolumeClaim.claimName}']), 'web-0.nginx www-web-0');
    const sts = rows(s.k(['get', 'statefulset', 'web']));
    assert.deepEqual(sts[0]?.slice(0, 2), ['web', '2/2']);

    s.k(['scale', 'statefulset', 'web', '--replicas=3']);
    await rolledOut('statefulset/web');
    assert.deepEqual(rows(s.k(['get', 'pvc'])).map((r) => r[0]), ['www-web-0', 'www-web-1', 'www-web-2']);
    s.k(['scale', 'statefulset', 'web', '--replicas=1']);
    await eventually('web to scale down to web-0', () => webPods() === 'web-0=registry.k8s.io/nginx-slim:0.7');
    assert.deepEqual(rows(s.k(['get', 'pvc'])).map((r) => r[0]), ['www-web-0', 'www-web-1', 'www-web-2'], 'claims outlive scale-down');
    s.k(['scale', 'statefulset', 'web', '--replicas=2']);
    await rolledOut('statefulset/web');

    s.k(['set', 'image', 'statefulset/web', 'nginx=registry.k8s.io/nginx-slim:0.8']);
    await rolledOut('statefulset/web');
    assert.equal(webPods(), 'web-0=registry.k8s.io/nginx-slim:0.8 web-1=registry.k8s.io/nginx-slim:0.8');
    const history = s.k(['rollout', 'history', 'statefulset/web']);
    assert.deepEqual(rows(history.replace(/^statefulset.apps\/web\s*\n/, '')).map((r) => r[0]), ['1', '2']);
    assert.match(s.k(['rollout', 'history', 'statefulset/web', '--revision=1']), /Image:\s+registry\.k8s\.io\/nginx-slim:0\.7/);

    assert.match(s.k(['rollout', 'undo', 'statefulset/web']), /statefulset.apps\/web rolled back/);
    await rolledOut('statefulset/web');
    await eventually('web back on 0.7', () => webPods() === 'web-0=registry.k8s.io/nginx-slim:0.7 web-1=registry.k8s.io/nginx-slim:0.7');
    assert.deepEqual(rows(s.k(['rollout', 'history', 'statefulset/web']).replace(/^statefulset.apps\/web\s*\n/, '')).map((r) => r[0]), ['2', '3']);
  });

  test('the fluentd DaemonSet runs on every node; kubectl get ds, set image, rollout history and undo', async () => {
    const ns = ['-n', 'kube-system'];
    s.k(['apply', '-f', '-'], { input: FLUENTD });
    assert.match(await rolledOut('daemonset/fluentd-elasticsearch', 'kube-system'), /daemon set "fluentd-elasticsearch" successfully rolled out/);
    const table = s.k(['get', 'ds', ...ns]);
    assert.deepEqual(table.split('\n')[0]?.trim().split(/\s{2,}/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    assert.deepEqual(rows(table)[0]?.slice(0, 7), ['fluentd-elasticsearch', '3', '3', '3', '3', '3', '<none>']);
    const nodesOf = (): string => s.k(['get', 'pods', ...ns, '-l', 'name=fluentd-elasticsearch', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.spec.containers[0].image} {end}']).trim().split(' ').sort().join(' ');
    assert.equal(nodesOf(), 'node-1=k8s.gcr.io/fluentd-elasticsearch:1.20 node-2=k8s.gcr.io/fluentd-elasticsearch:1.20 node-3=k8s.gcr.io/fluentd-elasticsearch:1.20');

    s.k(['set', 'image', 'daemonset/fluentd-elasticsearch', 'fluentd-elasticsearch=k8s.gcr.io/fluentd-elasticsearch:1.21', ...ns]);
    await rolledOut('daemonset/fluentd-elasticsearch', 'kube-system');
    await eventually('every node on 1.21', () => nodesOf() === 'node-1=k8s.gcr.io/fluentd-elasticsearch:1.21 node-2=k8s.gcr.io/fluentd-elasticsearch:1.21 node-3=k8s.gcr.io/fluentd-elasticsearch:1.21');
    const history = s.k(['rollout', 'history', 'daemonset/fluentd-elasticsearch', ...ns]);
    assert.deepEqual(rows(history.replace(/^daemonset.apps\/fluentd-elasticsearch\s*\n/, '')).map((r) => r[0]), ['1', '2']);
    assert.match(s.k(['rollout', 'history', 'daemonset/fluentd-elasticsearch', '--revision=1', ...ns]), /Image:\s+k8s\.gcr\.io\/fluentd-elasticsearch:1\.20/);

    assert.match(s.k(['rollout', 'undo', 'daemonset/fluentd-elasticsearch', ...ns]), /daemonset.apps\/fluentd-elasticsearch rolled back/);
    await rolledOut('daemonset/fluentd-elasticsearch', 'kube-system');
    await eventually('every node back on 1.20', () => nodesOf() === 'node-1=k8s.gcr.io/fluentd-elasticsearch:1.20 node-2=k8s.gcr.io/fluentd-elasticsearch:1.20 node-3=k8s.gcr.io/fluentd-elasticsearch:1.20');
    assert.deepEqual(rows(s.k(['rollout', 'history', 'daemonset/fluentd-elasticsearch', ...ns]).replace(/^daemonset.apps\/fluentd-elasticsearch\s*\n/, '')).map((r) => r[0]), ['2', '3']);
  });
});
