// The `strata` command line.

import { Command } from 'commander';
import { runControllers, type ControllerManagerFlags } from './controllers.ts';
import { runServer } from './server.ts';
import { VERSION } from './version.ts';

const program = new Command();
program.name('strata').description('Strata: a datacenter operating system with a Kubernetes-compatible API').version(VERSION);

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
  .option('--controllers <list>', 'controllers to run: "*" for all, "name" to add, "-name" to leave out (comma-separated)', '*');
withLeaderElection(program.commands.at(-1) as Command).action(
  async (opts: { dataDir: string; port: string; bind: string; tlsSan: string[]; serviceCidr: string; serviceNodePortRange: string; maxInflight: string; logLevel: string; disableControllers?: boolean } & ControllerManagerFlags) => {
    await runServer({ ...opts, nodePortRange: opts.serviceNodePortRange, disableControllers: opts.disableControllers === true });
  },
);

program
  .command('controllers')
  .description('run the controller manager against an API server')
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the API server to manage')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .option('--controllers <list>', 'controllers to run: "*" for all, "name" to add, "-name" to leave out (comma-separated)', '*');
withLeaderElection(program.commands.at(-1) as Command).action(async (opts: { kubeconfig: string; logLevel: string } & ControllerManagerFlags) => {
  await runControllers(opts);
});

/** kube-controller-manager's leader election flags. */
function withLeaderElection(cmd: Command): Command {
  return cmd
    .option('--leader-elect-lease-duration <duration>', 'how long a Lease holds without renewal', '15s')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader keeps trying to renew before giving up', '10s')
    .option('--leader-elect-retry-period <duration>', 'wait between attempts to acquire or renew', '2s');
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`strata: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
