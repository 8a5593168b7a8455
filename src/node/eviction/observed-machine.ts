// The Node's MemoryPressure and DiskPressure conditions come from the machine snapshot; the
// kubelet derives them from the same observations as its evictions (memory.available = capacity
// less working set, nodefs.available from statfs). This puts the eviction manager's last
// observations into the snapshot so that the conditions and the evictions never disagree.

import type { MachineSnapshot } from '../agent/machine.ts';
import type { Observation } from './eviction-manager.ts';

export function observedMachine(snapshot: MachineSnapshot, observations: readonly Observation[] | undefined): MachineSnapshot {
  let out = snapshot;
  for (const o of observations ?? []) {
    if (o.signal === 'memory.available') out = { ...out, memory: { ...out.memory, availableBytes: o.available } };
    else out = { ...out, disk: { ...out.disk, availableBytes: o.available } };
  }
  return out;
}
