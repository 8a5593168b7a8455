// startAgent in-process: joins with a token, registers, and hands the pod manager hook the
// node's own client; the hook's readiness becomes the Node's Ready condition.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startControlPlane } from '../apiserver/index.ts';
import { restLeaseClient, SharedInformerFactory } from '../client/index.ts';
import { CONTROLLERS, ControllerManager, defaultControllers } from '../controllers/index.ts';
import { MemoryStore } from '../store/index.ts';
import { caCertHash } from '../node/agent/bootstrap-ca-pin.ts';
import { startAgent, type PodManagerContext } from './agent.ts';
import { createJoinToken } from './token.ts';

test('startAgent joins, registers and runs the pod manager hook with the node credential', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-agent-'));
  const logger = pino({ level: 'silent' });
  const cp = await startControlPlane({
    dataDir: join(dir, 'server'), bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
    maxInflight: 1000, version: 'v1.33.0', logger, openStore: async () => new MemoryStore(),
  });
  const local = cp.localClient();
  const manager = new ControllerManager({
    identity: 'agent-test',
    leases: restLeaseClient(local),
    informers: () => new SharedInformerFactory(local),
    controllers: defaultControllers({ client: local, caPem: cp.pki.caCertPem, caKeyPem: cp.pki.caKeyPem, disabled: CONTROLLERS.map((c) => c.name).filter((n) => !n.startsWith('csr')), logger }),
    logger,
  });
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  t.after(async () => {
    ac.abort();
    await running;
    local.close();
    await cp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const token = await createJoinToken(local, 600_000);
  let hooked: PodManagerContext | undefined;
  let stopped = false;
  const agent = await startAgent({
    server: cp.url, token, caCertHash: caCertHash(cp.pki.caCertPem), nodeName: 'w1', dataDir: join(dir, 'agent'), runtime: 'sim', logger,
    renewIntervalMs: 50,
    podManager: (ctx) => {
      hooked = ctx;
      return { ready: () => ({ ready: false, message: 'runtime warming up' }), stop: async () => void (stopped = true) };
    },
  });
  assert.equal(hooked?.nodeName, 'w1');
  assert.equal(hooked?.client, agent.client);
  assert.equal(agent.client.config.token, undefined, 'the node client carries no token');
  const ready = async (): Promise<{ status: string; message: string } | undefined> => {
    const node = await local.get({ group: '', version: 'v1', resource: 'nodes', name: 'w1' });
    return ((node['status'] as { conditions: { type: string; status: string; message: string }[] }).conditions ?? []).find((c) => c.type === 'Ready');
  };
  // Registered not Ready from the start: the pod manager runs before registration.
  assert.deepEqual(await ready().then((c) => c && [c.status, c.message]), ['False', 'runtime warming up']);
  await agent.stop();
  assert.equal(stopped, true);
});
