// The process runtime's bind mounts. Containers share the host's root filesystem, so a mount
// point that does not exist must be created on the host before the container's private mount
// namespace can mount over it. Choice: the runtime creates such mount points itself, records
// what it created in the container's record, and removes them again (empty directories and the
// empty files it made, deepest first) as soon as the container has ended (its mount namespace is
// gone with it), unless a container of this runtime that has not ended still mounts there: then
// that container inherits them, so the last one removes them. The host thus shows the mount
// points only while containers that use them run. Mount points nested under another mount of the same container
// are created by the mount step inside the namespace, so they land in the volume, as with runc.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, normalize, sep } from 'node:path';
import type { Mount } from '../cri.ts';
import type { MountStep } from './container-spec.ts';

/** Bad mounts in a ContainerConfig, found at CreateContainer. */
export class MountError extends Error {
  readonly reason = 'CreateContainerError';
  constructor(message: string) {
    super(message);
    this.name = 'MountError';
  }
}

const PROPAGATION = { PROPAGATION_PRIVATE: 'private', PROPAGATION_HOST_TO_CONTAINER: 'slave', PROPAGATION_BIDIRECTIONAL: 'shared' } as const;

/** The mount steps of a config's mounts, parents before the mounts nested in them. */
export function mountSteps(mounts: readonly Mount[]): MountStep[] {
  const steps = mounts.map((m): MountStep => {
    if (!isAbsolute(m.containerPath)) throw new MountError(`mount point ${JSON.stringify(m.containerPath)} must be an absolute path`);
    if (!isAbsolute(m.hostPath)) throw new MountError(`mount source ${JSON.stringify(m.hostPath)} must be an absolute path`);
    let file: boolean;
    try {
      file = !statSync(m.hostPath).isDirectory();
    } catch {
      throw new MountError(`mount source ${m.hostPath} (for ${m.containerPath}) does not exist`);
    }
    return { hostPath: m.hostPath, containerPath: normalize(m.containerPath), readonly: m.readonly === true, file, propagation: PROPAGATION[m.propagation ?? 'PROPAGATION_PRIVATE'] };
  });
  const depth = (p: string): number => p.split(sep).filter(Boolean).length;
  return steps.sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
}

const isUnder = (path: string, parent: string): boolean => parent === '/' || path.startsWith(`${parent}/`);

/**
 * Creates the missing host-side mount points of the mounts that are not nested in another mount
 * of the same container; returns what it created, in creation order.
 */
export function createMountPoints(steps: readonly MountStep[]): string[] {
  const created: string[] = [];
  for (const s of steps) {
    if (steps.some((o) => o !== s && o.containerPath !== s.containerPath && isUnder(s.containerPath, o.containerPath))) continue;
    if (existsSync(s.containerPath)) continue;
    const dir = s.file ? dirname(s.containerPath) : s.containerPath;
    const missing: string[] = [];
    for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
    mkdirSync(dir, { recursive: true });
    created.push(...missing);
    if (s.file) {
      closeSync(openSync(s.containerPath, 'a'));
      created.push(s.containerPath);
    }
  }
  return created;
}

/**
 * Removes mount points this runtime created, deepest first, unless no longer empty or in use by
 * another container; returns those left because in use.
 */
export function removeMountPoints(created: readonly string[], inUse: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (const p of [...created].reverse()) {
    if ([...inUse].some((u) => u === p || isUnder(u, p))) {
      kept.unshift(p);
      continue;
    }
    try {
      const st = statSync(p);
      if (st.isDirectory()) {
        if (readdirSync(p).length === 0) rmdirSync(p);
      } else if (st.size === 0) {
        unlinkSync(p);
      }
    } catch {
      // Already gone, or the host put something there since: leave it.
    }
  }
  return kept;
}

/** Whether `containerPath` is `point` or lies under it. */
export const usesMountPoint = (containerPath: string, point: string): boolean => containerPath === point || isUnder(containerPath, point);
