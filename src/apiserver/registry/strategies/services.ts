// Services: ClusterIP and NodePort allocation on create, keeping allocated values on update
// (so `kubectl apply` without clusterIP works), and release when a Service goes away.

import type { KubeObject, ResourceDefinition } from '../../../api/types.ts';
import { fieldErrors, invalid, type FieldError } from '../../../machinery/status-error.ts';
import type { ServiceAllocator } from '../allocator.ts';
import type { RequestContext, Strategy } from '../strategy.ts';
import { builtinStrategy, fieldsFrom } from './common.ts';

type Port = { nodePort?: number; port?: number; protocol?: string };
type ServiceSpec = { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: Port[] };

const SERVICE_FIELDS = ['spec.clusterIP', 'spec.type'] as const;

function specOf(svc: KubeObject): ServiceSpec {
  return (svc['spec'] ??= {}) as ServiceSpec;
}

function needsNodePorts(type: string | undefined): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

function owner(svc: KubeObject): string {
  return `${svc.metadata.namespace}/${svc.metadata.name}`;
}

export function serviceStrategy(def: ResourceDefinition, allocator: ServiceAllocator): Strategy {
  const base = builtinStrategy(def);

  async function allocate(svc: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void> {
    const spec = specOf(svc);
    const oldSpec = old ? specOf(old) : undefined;
    const errors: FieldError[] = [];
    const taken: (() => Promise<void>)[] = [];
    try {
      if (spec.type !== 'ExternalName') {
        if (!spec.clusterIP && oldSpec?.clusterIP) spec.clusterIP = oldSpec.clusterIP;
        if (!spec.clusterIP) {
          if (ctx.dryRun) spec.clusterIP = allocator.apiServerIp.replace(/\.\d+$/, '.0');
          else {
            spec.clusterIP = await allocator.allocateIp(owner(svc));
            const ip = spec.clusterIP;
            taken.push(() => allocator.releaseIp(ip));
          }
        } else if (spec.clusterIP !== 'None' && spec.clusterIP !== oldSpec?.clusterIP) {
          if (!allocator.inRange(spec.clusterIP)) {
            errors.push(fieldErrors.invalid('spec.clusterIPs', [spec.clusterIP], 'failed to allocate IP: the provided IP is not in the valid range. The range of valid IPs is the service CIDR'));
          } else if (!ctx.dryRun && !(await allocator.reserveIp(spec.clusterIP, owner(svc)))) {
            errors.push(fieldErrors.invalid('spec.clusterIPs', [spec.clusterIP], 'failed to allocate IP ' + spec.clusterIP + ': provided IP is already allocated'));
          } else if (!ctx.dryRun) {
            const ip = spec.clusterIP;
            taken.push(() => allocator.releaseIp(ip));
          }
        }
        spec.clusterIPs = [spec.clusterIP];
      }
      const oldPorts = new Map((oldSpec?.ports ?? []).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort]));
      (spec.ports ?? []).forEach((p, i) => {
        if (!needsNodePorts(spec.type)) {
          delete p.nodePort;
          return;
        }
        if (!p.nodePort && needsNodePorts(oldSpec?.type)) {
          const kept = oldPorts.get(`${p.port}/${p.protocol ?? 'TCP'}`);
          if (kept) p.nodePort = kept;
        }
        void i;
      });
      const previouslyHeld = new Set((needsNodePorts(oldSpec?.type) ? oldSpec?.ports ?? [] : []).map((p) => p.nodePort).filter((n): n is number => !!n));
      const ports = spec.ports ?? [];
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i] as Port;
        if (!needsNodePorts(spec.type)) continue;
        if (!p.nodePort) {
          if (ctx.dryRun) continue;
          p.nodePort = await allocator.allocatePort(owner(svc));
          const port = p.nodePort;
          taken.push(() => allocator.releasePort(port));
        } else if (!previouslyHeld.has(p.nodePort)) {
          if (!allocator.inPortRange(p.nodePort)) {
            errors.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is not in the valid range. The range of valid ports is 30000-32767'));
          } else if (!ctx.dryRun && !(await allocator.reservePort(p.nodePort, owner(svc)))) {
            errors.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
          } else if (!ctx.dryRun) {
            const port = p.nodePort;
            taken.push(() => allocator.releasePort(port));
          }
        }
      }
      if (errors.length) throw invalid('Service', '', svc.metadata.name ?? '', errors);
    } catch (err) {
      for (const undo of taken) await undo();
      throw err;
    }
  }

  async function release(svc: KubeObject, keepFrom?: KubeObject): Promise<void> {
    const spec = specOf(svc);
    const keep = keepFrom ? specOf(keepFrom) : undefined;
    if (spec.clusterIP && spec.clusterIP !== 'None' && spec.clusterIP !== keep?.clusterIP) await allocator.releaseIp(spec.clusterIP);
    const kept = new Set(needsNodePorts(keep?.type) ? (keep?.ports ?? []).map((p) => p.nodePort) : []);
    if (needsNodePorts(spec.type)) {
      for (const p of spec.ports ?? []) if (p.nodePort && !kept.has(p.nodePort)) await allocator.releasePort(p.nodePort);
    }
  }

  return {
    ...base,
    selectableFields: SERVICE_FIELDS,
    fields: fieldsFrom(SERVICE_FIELDS),
    async prepareForCreate(svc, ctx) {
      await base.prepareForCreate(svc, ctx);
      await allocate(svc, undefined, ctx);
      svc['status'] = { loadBalancer: {} };
    },
    async prepareForUpdate(svc, old, ctx) {
      dropTypeDependentFields(svc, old);
      await allocate(svc, old, ctx);
    },
    afterUpdate: (svc, old) => release(old, svc),
    abortUpdate: (svc, old) => release(svc, old),
    afterDelete: (svc) => release(svc),
    abortCreate: (svc) => release(svc),
  };
}

type Rec = Record<string, unknown>;

function externallyAccessible(spec: Rec): boolean {
  const type = spec['type'];
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && Array.isArray(spec['externalIPs']) && spec['externalIPs'].length > 0);
}

/**
 * Upstream's dropTypeDependentFields: when a type change makes a field meaningless and the user
 * left it as it was (it came along from the live object, e.g. through `kubectl apply`), wipe it
 * instead of failing validation. Node ports are handled by `allocate`.
 */
function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const spec = specOf(svc) as Rec;
  const oldSpec = specOf(old) as Rec;
  const same = (field: string): boolean => JSON.stringify(spec[field]) === JSON.stringify(oldSpec[field]);
  if (oldSpec['type'] !== 'ExternalName' && spec['type'] === 'ExternalName') {
    if (same('clusterIP') && same('clusterIPs')) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (same('ipFamilies')) delete spec['ipFamilies'];
    if (same('ipFamilyPolicy')) delete spec['ipFamilyPolicy'];
  }
  const needsHealthCheck = (s: Rec): boolean => s['type'] === 'LoadBalancer' && s['externalTrafficPolicy'] === 'Local';
  if (needsHealthCheck(oldSpec) && !needsHealthCheck(spec) && same('healthCheckNodePort')) delete spec['healthCheckNodePort'];
  if (oldSpec['type'] === 'LoadBalancer' && spec['type'] !== 'LoadBalancer') {
    if (spec['allocateLoadBalancerNodePorts'] !== undefined && same('allocateLoadBalancerNodePorts')) delete spec['allocateLoadBalancerNodePorts'];
    if (same('loadBalancerClass')) delete spec['loadBalancerClass'];
  }
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && same('externalTrafficPolicy')) delete spec['externalTrafficPolicy'];
  if (spec['type'] !== 'LoadBalancer') svc['status'] = { loadBalancer: {} };
}
