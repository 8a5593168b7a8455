// Turns a CRI ContainerConfig into what the supervisor executes: the argv (the container's
// command wrapped, with root, so it first joins its cgroups and then runs under a small init as
// PID 1 of new PID, mount, UTS and IPC namespaces with the sandbox's hostname), and the environment.

import type { ContainerConfig } from '../cri.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A container without a command whose image this runtime has no entrypoint for. */
export class ImageNotRunnableError extends Error {
  readonly reason = 'CreateContainerError';
  constructor(image: string) {
    super(`the process runtime cannot run image ${JSON.stringify(image)} without a command: set command, or use the cri runtime`);
    this.name = 'ImageNotRunnableError';
  }
}

/** The container's own argv: command (or the image's known entrypoint) followed by args. */
export function containerArgv(config: ContainerConfig, entrypoints: Readonly<Record<string, readonly string[]>>): string[] {
  const command = config.command?.length ? config.command : entrypoints[config.image.image];
  if (!command?.length) throw new ImageNotRunnableError(config.image.image);
  return [...command, ...(config.args ?? [])];
}

export function containerEnv(config: ContainerConfig, hostname: string): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: hostname };
  for (const { key, value } of config.envs ?? []) env[key] = value;
  return env;
}

export interface WrapOptions {
  /** Run in new PID, mount, UTS and IPC namespaces (needs root and util-linux unshare). */
  namespaces: boolean;
  hostname: string;
  /** cgroup.procs files to join before the command runs. */
  cgroupProcs: readonly string[];
  unshare: string;
  shell: string;
  /** Bind mounts made in the container's mount namespace before the init runs (needs namespaces). */
  mounts?: readonly MountStep[];
  /** With mounts: the working directory, entered after them (it may lie in a volume). */
  workingDir?: string;
}

/** One bind mount as the mount step makes it (see mounts.ts). */
export interface MountStep {
  hostPath: string;
  containerPath: string;
  readonly: boolean;
  /** The source is a file: a missing mount point is created as an empty file, not a directory. */
  file: boolean;
  /**
   * 'slave' (HostToContainer) or 'shared' (Bidirectional); private otherwise. Known limit: unshare
   * makes the whole namespace private first, so a slave mount has no master and a shared one no
   * peer on the host: host mounts made later under the volume do not reach the container yet.
   */
  propagation: 'private' | 'slave' | 'shared';
}

// PID 1 of the container's namespaces: a small init in sh. $0 is the hostname (the UTS namespace
// is new, so writing it changes only the container's). It runs the command as its child and exits
// with the child's status (128 + signal when killed), which unshare passes on. The command is not
// PID 1 itself because unshare 2.38 turns its child's death by SIGKILL (an OOM kill) into exit 1,
// and because an init reaps orphans. The no-op traps keep stray signals from ending the init
// early while leaving the command's dispositions at their defaults; the runtime signals the
// whole process group, so the command gets SIGTERM directly.
const INIT = [
  'printf %s "$0" > /proc/sys/kernel/hostname || exit 125',
  'trap : TERM INT HUP QUIT USR1 USR2',
  'exec 3<&0',
  '"$@" 0<&3 3<&- &',
  'c=$!',
  'exec 3<&-',
  'while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done',
].join('\n');
// Joins each cgroup named before "--", then becomes the rest; the process is in its cgroups
// before the command's first instruction, so no allocation escapes the limit.
// Runs first in the new mount namespace (private propagation, unshare's default, so nothing
// mounted here reaches the host): for each "src dst ro|rw f|d propagation" group it creates a
// missing mount point (nested ones land inside the volume mounted before them, as with runc),
// bind-mounts src on it and remounts read-only when asked; then it becomes the init. A failure
// goes to the container's log and ends it with 125, runc's code for a container that could not start.
// Then it enters the working directory, made if missing, which may lie in a volume just mounted.
const MOUNT = [
  'while [ "$1" != -- ]; do',
  '  if [ ! -e "$2" ]; then if [ "$4" = f ]; then mkdir -p "${2%/*}" && : > "$2"; else mkdir -p "$2"; fi || { echo "strata: cannot create mount point $2" >&2; exit 125; }; fi',
  '  mount --rbind "$1" "$2" || { echo "strata: cannot mount $1 at $2" >&2; exit 125; }',
  '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2" || { echo "strata: cannot make $2 read-only" >&2; exit 125; }; fi',
  '  if [ "$5" != private ]; then mount --make-r"$5" "$2" || exit 125; fi',
  '  shift 5',
  'done',
  'shift',
  'mkdir -p "$1" 2>/dev/null; cd "$1" || { echo "strata: cannot enter working directory $1" >&2; exit 125; }',
  'shift',
  'exec "$@"',
].join('\n');

const JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** The argv the supervisor spawns for a container's argv. */
export function wrapArgv(argv: readonly string[], o: WrapOptions): string[] {
  let out = [...argv];
  if (o.namespaces) {
    // --fork: the new PID namespace's first process is the child; --kill-child: it dies with unshare.
    out = [o.shell, '-c', INIT, o.hostname, ...out];
    const mounts = o.mounts ?? [];
    if (mounts.length > 0) {
      const groups = mounts.flatMap((m) => [m.hostPath, m.containerPath, m.readonly ? 'ro' : 'rw', m.file ? 'f' : 'd', m.propagation]);
      out = [o.shell, '-c', MOUNT, 'strata-mounts', ...groups, '--', o.workingDir || '/', ...out];
    }
    out = [o.unshare, '--pid', '--fork', '--mount-proc', '--uts', '--ipc', '--kill-child', '--', ...out];
  }
  if (o.cgroupProcs.length > 0) out = [o.shell, '-c', JOIN_CGROUPS, 'strata-init', ...o.cgroupProcs, '--', ...out];
  return out;
}
