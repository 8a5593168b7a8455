// The `strata` command line.

import { Command } from 'commander';
// Commands load their modules when they run: `strata agent` must not carry the API server,
// controllers and scheduler in its memory (idle RSS is a goal of the agent).
import type { AgentFlags } from './agent.ts';
import type { ControllerManagerFlags } from './controllers.ts';
import type { SchedulerFlags } from './scheduler.ts';
import type { SimFlags } from './sim.ts';
import type { UpFlags } from './up.ts';
import { VERSION } from './version.ts';

const program = new Command();
program.name('strata').description('Strata: a datacenter operating system with a Kubernetes-compatible API').version(VERSION);

const collect = (value: string, previous: string[]): string[] => [...previous, value];

program
  .command('up')
  .description('run a whole cluster on this machine: API server, controllers, scheduler and a node for this machine')
  .option('--data-dir <dir>', 'where the cluster\'s state, certificates, kubeconfig and pods\' state live', '.strata')
  .option('--port <port>', 'HTTPS port of the API server', '6443')
  .option('--bind <address>', 'address the API server listens on', '127.0.0.1')
  .option('--runtime <runtime>', 'container runtime of the node: auto (cri when the endpoint answers, else process), process or cri', 'auto')
  .option('--container-runtime-endpoint <endpoint>', 'CRI socket of the cri runtime (containerd)', 'unix:///run/containerd/containerd.sock')
  .option('--node-name <name>', 'name of this machine\'s Node (default: the hostname)')
  .option('--node-lease-duration-seconds <n>', 'duration of the node Lease; renewed every quarter of it (default 40)')
  .option('--kubelet-port <port>', 'HTTPS port of the node agent (logs, exec, port-forward, stats); 0 picks a free one', '10250')
  .option('--eviction-hard <list>', 'hard eviction thresholds of the node: pods are evicted while one is crossed', 'memory.available<100Mi,nodefs.available<10%')
  .option('--container-log-max-size <quantity>', 'a container log is rotated once it reaches this size', '10Mi')
  .option('--container-log-max-files <n>', 'log files kept per container, the current one included', '5')
  .option('--log-level <level>', 'trace, debug, info, warn or error (logs go to stderr)', 'warn');
withHpa(withNodeMonitor(program.commands.at(-1) as Command)).action(async (opts: UpFlags) => {
  await (await import('./up.ts')).runUp(opts);
});

program
  .command('server')
  .description('run the API server with the embedded store')
  .option('--data-dir <dir>', 'where state, certificates and the kubeconfig live', '.strata')
  .option('--port <port>', 'HTTPS port', '6443')
  .option('--bind <address>', 'address to listen on', '127.0.0.1')
  .option('--tls-san <name>', 'extra name or IP for the serving certificate (repeatable)', collect, [])
  .option('--service-cidr <cidr>', 'range for Service ClusterIPs', '10.43.0.0/16')
  .option('--service-node-port-range <range>', 'range for NodePorts', '30000-32767')
  .option('--max-inflight <n>', 'concurrent non-watch requests before 429', '600')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .option('--disable-controllers', 'do not run the controller manager in this process')
  .option('--disable-scheduler', 'do not run the scheduler in this process')
  .option('--scheduler-config <file>', 'KubeSchedulerConfiguration file for the scheduler in this process')
  .option('--controllers <list>', 'controllers to run: "*" for all, "name" to add, "-name" to leave out (comma-separated)', '*');
withHpa(withNodeMonitor(withLeaderElection(program.commands.at(-1) as Command))).action(
  async (opts: { dataDir: string; port: string; bind: string; tlsSan: string[]; serviceCidr: string; serviceNodePortRange: string; maxInflight: string; logLevel: string; disableControllers?: boolean; disableScheduler?: boolean; schedulerConfig?: string } & ControllerManagerFlags) => {
    await (await import('./server.ts')).runServer({ ...opts, nodePortRange: opts.serviceNodePortRange, disableControllers: opts.disableControllers === true, disableScheduler: opts.disableScheduler === true });
  },
);

program
  .command('controllers')
  .description('run the controller manager against an API server')
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the API server to manage')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .option('--controllers <list>', 'controllers to run: "*" for all, "name" to add, "-name" to leave out (comma-separated)', '*')
  .option('--cluster-signing-cert-file <file>', 'PEM CA certificate the csrsigning controller signs with (with --cluster-signing-key-file; without them CSRs are not signed here)')
  .option('--cluster-signing-key-file <file>', 'PEM private key of that CA');
withHpa(withNodeMonitor(withLeaderElection(program.commands.at(-1) as Command))).action(async (opts: { kubeconfig: string; logLevel: string } & ControllerManagerFlags) => {
  await (await import('./controllers.ts')).runControllers(opts);
});

program
  .command('sim')
  .description('run simulated nodes (KWOK-style) against an API server')
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the API server')
  .option('--nodes <n>', 'nodes to register', '1')
  .option('--prefix <prefix>', 'node names are <prefix><index>', 'sim-')
  .option('--cpu <quantity>', 'CPU capacity of each node', '32')
  .option('--memory <quantity>', 'memory capacity of each node', '256Gi')
  .option('--pods <n>', 'pods each node admits', '110')
  .option('--ephemeral-storage <quantity>', 'ephemeral storage of each node', '100Gi')
  .option('--labels <k=v,...>', 'extra labels for every node')
  .option('--zones <n>', 'zones to spread nodes over (topology.kubernetes.io/zone)', '1')
  .option('--region <name>', 'topology.kubernetes.io/region of the nodes', 'sim-region')
  .option('--instance-type <name>', 'node.kubernetes.io/instance-type of the nodes', 'sim.standard')
  .option('--cluster-cidr <cidr>', 'range the nodes\' pod CIDRs are carved from', '10.128.0.0/9')
  .option('--node-cidr-mask-size <bits>', 'size of each node\'s pod CIDR', '24')
  .option('--node-cidr <cidr>', 'range the nodes\' fake InternalIPs come from (default 10.64.0.0/11); pod ranges and InternalIPs start at an offset derived from --prefix and skip those other Nodes hold')
  .option('--fail-after <duration>', 'stop every node\'s heartbeats after this long (an outage)')
  .option('--pod-run-duration <duration>', 'run time of pods with restartPolicy Never/OnFailure (default: they run until deleted)')
  .option('--ready-delay <duration>', 'readiness delay of containers without a readinessProbe', '0s')
  .option('--node-status-update-frequency <duration>', 'how often an unchanged node status is posted (the Lease is the heartbeat)', '5m')
  .option('--lease-duration <duration>', 'Lease duration; renewed every quarter of it', '40s')
  .option('--qps <n>', 'API writes per second across all nodes', '1000')
  .option('--burst <n>', 'writes allowed at once after a quiet spell', '200')
  .option('--max-in-flight <n>', 'API requests in flight at most (Lease renewals and pod status share them)', '128')
  .option('--delete-on-exit', 'delete the nodes and their Leases on SIGTERM/SIGINT')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .action(async (opts: SimFlags) => {
    await (await import('./sim.ts')).runSim(opts);
  });

program
  .command('scheduler')
  .description('run the scheduler against an API server')
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the API server')
  .option('--config <file>', 'KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)')
  .option('--leader-elect <bool>', 'campaign for the kube-system/kube-scheduler Lease before scheduling (default true, or the config file\'s leaderElection.leaderElect)')
  .option('--leader-elect-lease-duration <duration>', 'how long a Lease holds without renewal (default 15s)')
  .option('--leader-elect-renew-deadline <duration>', 'how long the leader keeps trying to renew before giving up (default 10s)')
  .option('--leader-elect-retry-period <duration>', 'wait between attempts to acquire or renew (default 2s)')
  .option('--leader-elect-resource-namespace <ns>', 'namespace of the Lease (default kube-system)')
  .option('--leader-elect-resource-name <name>', 'name of the Lease (default kube-scheduler)')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .action(async (opts: Omit<SchedulerFlags, 'leaderElect'> & { leaderElect?: string; kubeconfig: string; logLevel: string }) => {
    const { leaderElect, ...rest } = opts;
    if (leaderElect !== undefined && leaderElect !== 'true' && leaderElect !== 'false') throw new Error(`invalid --leader-elect "${leaderElect}" (want true or false)`);
    await (await import('./scheduler.ts')).runScheduler({ ...rest, ...(leaderElect !== undefined ? { leaderElect: leaderElect === 'true' } : {}) });
  });

program
  .command('agent')
  .description('join this machine to a cluster as a node')
  .requiredOption('--server <url>', 'the API server, https://HOST:PORT')
  .option('--token <token>', 'join token (strata token create); needed only until the node has its own certificate')
  .option('--discovery-token-ca-cert-hash <sha256:hex>', 'pin of the cluster CA\'s public key, as printed in the join command')
  .option('--discovery-token-unsafe-skip-ca-verification', 'trust the server\'s CA without a pin')
  .option('--node-name <name>', 'name of the Node (default: the hostname)')
  .option('--data-dir <dir>', 'where the node\'s credential and state live', '.strata-agent')
  .option('--runtime <runtime>', 'container runtime: process, cri or sim', 'process')
  .option('--container-runtime-endpoint <endpoint>', 'CRI socket of the cri runtime (containerd)', 'unix:///run/containerd/containerd.sock')
  .option('--max-pods <n>', 'pods this node admits', '110')
  .option('--system-reserved <list>', 'resources held back for the system, e.g. cpu=100m,memory=256Mi')
  .option('--node-labels <k=v,...>', 'extra labels for the Node')
  .option('--node-status-update-frequency <duration>', 'how often an unchanged node status is posted (the Lease is the heartbeat)', '5m')
  .option('--node-lease-duration-seconds <n>', 'duration of the node Lease; renewed every quarter of it (default 40)')
  .option('--kubelet-port <port>', 'HTTPS port of the agent (logs, exec, port-forward, stats); 0 picks a free one', '10250')
  .option('--eviction-hard <list>', 'hard eviction thresholds: pods are evicted while one is crossed', 'memory.available<100Mi,nodefs.available<10%')
  .option('--container-log-max-size <quantity>', 'a container log is rotated once it reaches this size', '10Mi')
  .option('--container-log-max-files <n>', 'log files kept per container, the current one included', '5')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .action(async (opts: AgentFlags) => {
    await (await import('./agent.ts')).runAgent(opts);
  });

const token = program.command('token').description('manage join tokens for `strata agent`');
token
  .command('create')
  .description('create a join token and print it')
  .option('--ttl <duration>', 'how long the token is valid ("0" never expires)', '24h')
  .option('--description <text>', 'what the token is for')
  .option('--print-join-command', 'print the whole `strata agent` command, not just the token')
  .option('--kubeconfig <file>', 'admin kubeconfig (default $KUBECONFIG or .strata/kubeconfig)')
  .action(async (opts: { ttl: string; description?: string; printJoinCommand?: boolean; kubeconfig?: string }) => {
    await (await import('./token.ts')).runTokenCreate(opts);
  });
token
  .command('list')
  .description('list join tokens (secrets are not shown)')
  .option('--kubeconfig <file>', 'admin kubeconfig (default $KUBECONFIG or .strata/kubeconfig)')
  .action(async (opts: { kubeconfig?: string }) => {
    await (await import('./token.ts')).runTokenList(opts);
  });
token
  .command('delete <token...>')
  .description('revoke join tokens (by token or token id)')
  .option('--kubeconfig <file>', 'admin kubeconfig (default $KUBECONFIG or .strata/kubeconfig)')
  .action(async (tokens: string[], opts: { kubeconfig?: string }) => {
    await (await import('./token.ts')).runTokenDelete(tokens, opts);
  });

/** kube-controller-manager's leader election flags. */
function withLeaderElection(cmd: Command): Command {
  return cmd
    .option('--leader-elect-lease-duration <duration>', 'how long a Lease holds without renewal', '15s')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader keeps trying to renew before giving up', '10s')
    .option('--leader-elect-retry-period <duration>', 'wait between attempts to acquire or renew', '2s');
}

/** kube-controller-manager's node lifecycle timings. */
function withNodeMonitor(cmd: Command): Command {
  return cmd
    .option('--node-monitor-period <duration>', 'how often the node lifecycle controller checks node health', '5s')
    .option('--node-monitor-grace-period <duration>', 'silence (no Lease renewal, no status) after which a node goes Unknown and is tainted', '40s');
}

/** kube-controller-manager's HorizontalPodAutoscaler settings. */
function withHpa(cmd: Command): Command {
  return cmd
    .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HorizontalPodAutoscaler is reconciled', '15s')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'how far back the autoscaler looks for a higher recommendation before scaling down', '5m')
    .option('--horizontal-pod-autoscaler-tolerance <ratio>', 'relative distance from the target within which the autoscaler does not scale', '0.1')
    .option('--horizontal-pod-autoscaler-cpu-initialization-period <duration>', 'time after pod start during which CPU samples may be skipped', '5m')
    .option('--horizontal-pod-autoscaler-initial-readiness-delay <duration>', 'time after pod start during which readiness changes count as the first readiness', '30s');
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`strata: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
