// Service validation (upstream ValidateService / ValidateServiceUpdate). Node port ranges and IP
// allocation are checked by the allocators, not here.

import { isDNS1123Subdomain, isIPv6, isQualifiedName, isValidCIDR, isValidIP, isValidPortNum, validateLabels } from '../../machinery/index.ts';
import { dnsLabelErrors, qualifiedNameErrors } from './container.ts';
import { fieldErrors, has, index, list, num, obj, oneOf, rec, recList, str, validatePortNumOrName, type Errs, type Rec } from './fields.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const AFFINITIES = ['ClientIP', 'None'] as const;
const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
const MAX_AFFINITY_SECONDS = 86400;

function clusterIPsOf(spec: Rec): string[] {
  return list(spec, 'clusterIPs').map((v) => (typeof v === 'string' ? v : ''));
}

export function isHeadless(spec: Rec): boolean {
  const ips = clusterIPsOf(spec);
  return ips.length === 1 && ips[0] === 'None';
}

function isExternallyAccessible(spec: Rec): boolean {
  const type = spec['type'];
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && list(spec, 'externalIPs').length > 0);
}

function validateServicePort(port: Rec, requireName: boolean, names: Set<string>, path: string): Errs {
  const errs: Errs = [];
  const name = str(port, 'name');
  if (requireName && !name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else if (name) {
    errs.push(...dnsLabelErrors(name, `${path}.name`));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    else names.add(name);
  }
  const p = port['port'];
  errs.push(...isValidPortNum(typeof p === 'number' ? p : 0).map((m) => fieldErrors.invalid(`${path}.port`, p ?? 0, m)));
  errs.push(...oneOf(port['protocol'], PROTOCOLS, `${path}.protocol`));
  errs.push(...validatePortNumOrName(port['targetPort'], `${path}.targetPort`));
  const appProtocol = port['appProtocol'];
  if (typeof appProtocol === 'string') errs.push(...qualifiedNameErrors(appProtocol, `${path}.appProtocol`));
  return errs;
}

function validateClusterIPsRelated(spec: Rec): Errs {
  if (spec['type'] === 'ExternalName') return [];
  const errs: Errs = [];
  const clusterIP = str(spec, 'clusterIP');
  const clusterIPs = clusterIPsOf(spec);
  if (clusterIP) {
    if (clusterIPs.length === 0) errs.push(fieldErrors.required('spec.clusterIPs', ''));
    else if (clusterIPs[0] !== clusterIP) errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length > 0) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }
  const families = list(spec, 'ipFamilies');
  const seen = new Set<unknown>();
  families.forEach((f, i) => {
    if (typeof f !== 'string' || !(IP_FAMILIES as readonly string[]).includes(f)) errs.push(fieldErrors.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(fieldErrors.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const policy = spec['ipFamilyPolicy'];
  if (policy !== undefined && policy !== null && !(IP_FAMILY_POLICIES as readonly unknown[]).includes(policy)) {
    errs.push(fieldErrors.notSupported('spec.ipFamilyPolicy', policy, IP_FAMILY_POLICIES));
  }
  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length > 0) invalidIPs = true;
    errs.push(...msgs.map((m) => fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, m)));
  });
  if (clusterIPs.length > 2) errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (clusterIPs.length > 1 && isIPv6(clusterIPs[0] ?? '') === isIPv6(clusterIPs[1] ?? '')) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec)) {
    clusterIPs.forEach((ip, i) => {
      const family = families[i];
      if (family === 'IPv4' && isIPv6(ip)) errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (family === 'IPv6' && !isIPv6(ip)) errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

export function validateService(svc: Rec): Errs {
  const spec = obj(svc, 'spec');
  const errs: Errs = [];
  const type = spec['type'];
  const ports = recList(spec, 'ports');
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports', ''));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) {
    errs.push(fieldErrors.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (clusterIPsOf(spec).length > 0 || str(spec, 'clusterIP')) errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (list(spec, 'ipFamilies').length > 0) errs.push(fieldErrors.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (has(spec, 'ipFamilyPolicy')) errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec, 'externalName').replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => fieldErrors.invalid('spec.externalName', cname, m)));
    else errs.push(fieldErrors.required('spec.externalName', ''));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  errs.push(...validateLabels(spec['selector'], 'spec.selector'));
  const affinity = spec['sessionAffinity'];
  errs.push(...oneOf(affinity, AFFINITIES, 'spec.sessionAffinity'));
  if (affinity === 'ClientIP') {
    const config = rec(spec, 'sessionAffinityConfig');
    const clientIP = rec(config, 'clientIP');
    const when = 'when session affinity type is ClientIP';
    if (!config) errs.push(fieldErrors.required('spec.sessionAffinityConfig', when));
    else if (!clientIP) errs.push(fieldErrors.required('spec.sessionAffinityConfig.clientIP', when));
    else if (!has(clientIP, 'timeoutSeconds')) errs.push(fieldErrors.required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', when));
    else {
      const t = num(clientIP, 'timeoutSeconds') ?? 0;
      if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
        errs.push(fieldErrors.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
      }
    }
  } else if (affinity === 'None' && has(spec, 'sessionAffinityConfig')) {
    errs.push(fieldErrors.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelated(spec));
  list(spec, 'externalIPs').forEach((ip, i) => {
    const s = typeof ip === 'string' ? ip : '';
    errs.push(...isValidIP(s).map((m) => fieldErrors.invalid(`spec.externalIPs[${i}]`, s, m)));
  });
  errs.push(...oneOf(type, TYPES, 'spec.type'));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (typeof p['nodePort'] === 'number' && p['nodePort'] !== 0) errs.push(fieldErrors.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = p['nodePort'];
    if (typeof nodePort === 'number' && nodePort !== 0) {
      const k = `${str(p, 'protocol')}/${nodePort}`;
      if (nodePorts.has(k)) errs.push(fieldErrors.duplicate(`spec.ports[${i}].nodePort`, nodePort));
      nodePorts.add(k);
    }
    const k = `${str(p, 'protocol')}/${String(p['port'])}`;
    if (portKeys.has(k)) errs.push(fieldErrors.duplicate(`spec.ports[${i}]`, { port: p['port'], protocol: p['protocol'] }));
    portKeys.add(k);
  });
  const ranges = list(spec, 'loadBalancerSourceRanges');
  if (ranges.length > 0) {
    if (type !== 'LoadBalancer') errs.push(fieldErrors.forbidden('spec.loadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const s = typeof r === 'string' ? r.trim() : '';
      errs.push(...isValidCIDR(s).map((m) => fieldErrors.invalid(`spec.loadBalancerSourceRanges[${i}]`, s, m)));
    });
  }
  if (has(spec, 'allocateLoadBalancerNodePorts') && type !== 'LoadBalancer') {
    errs.push(fieldErrors.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && !has(spec, 'allocateLoadBalancerNodePorts')) errs.push(fieldErrors.required('spec.allocateLoadBalancerNodePorts', ''));
  const lbClass = spec['loadBalancerClass'];
  if (lbClass !== undefined && lbClass !== null) {
    if (type !== 'LoadBalancer') errs.push(fieldErrors.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
    else if (typeof lbClass === 'string') errs.push(...isQualifiedName(lbClass).map((m) => fieldErrors.invalid('spec.loadBalancerClass', lbClass, m)));
  }
  const etp = spec['externalTrafficPolicy'];
  if (!isExternallyAccessible(spec)) {
    if (etp !== undefined && etp !== null && etp !== '') errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...oneOf(etp, TRAFFIC_POLICIES, 'spec.externalTrafficPolicy'));
  }
  const hc = spec['healthCheckNodePort'];
  const needsHealthCheck = type === 'LoadBalancer' && etp === 'Local';
  if (typeof hc === 'number' && hc !== 0) {
    if (!needsHealthCheck) errs.push(fieldErrors.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    else errs.push(...isValidPortNum(hc).map((m) => fieldErrors.invalid('spec.healthCheckNodePort', hc, m)));
  }
  const itp = spec['internalTrafficPolicy'];
  if (itp === undefined || itp === null) {
    if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') errs.push(fieldErrors.required('spec.internalTrafficPolicy', ''));
  } else if (!(TRAFFIC_POLICIES as readonly unknown[]).includes(itp)) {
    errs.push(fieldErrors.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  const td = spec['trafficDistribution'];
  if (td !== undefined && td !== null && td !== 'PreferClose' && td !== 'PreferSameZone' && td !== 'PreferSameNode') {
    errs.push(fieldErrors.notSupported('spec.trafficDistribution', td, ['PreferClose']));
  }
  return errs;
}

export function validateServiceUpdate(svc: Rec, old: Rec): Errs {
  const spec = obj(svc, 'spec');
  const oldSpec = obj(old, 'spec');
  const errs: Errs = [];
  if (spec['type'] === 'ExternalName' || oldSpec['type'] === 'ExternalName') return errs;
  const ips = clusterIPsOf(spec);
  const oldIPs = clusterIPsOf(oldSpec);
  if (!(isHeadless(spec) && isHeadless(oldSpec))) {
    if (ips.length === oldIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== ips[i]) errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ips, 'may not change once set'));
      });
    } else if (oldIPs.length > ips.length) {
      if (ips.length === 0) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
      else if (ips[0] !== oldIPs[0]) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
      if (ips.length === 1 && spec['ipFamilyPolicy'] !== 'SingleStack') {
        errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', spec['ipFamilyPolicy'] ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
      errs.push(fieldErrors.invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
    }
  }
  if (isHeadless(spec) === isHeadless(oldSpec) && !isHeadless(spec)) {
    const fams = list(spec, 'ipFamilies');
    const oldFams = list(oldSpec, 'ipFamilies');
    const primaryChanged = fams.length > 0 && oldFams.length > 0 && fams[0] !== oldFams[0];
    if (fams.length === oldFams.length ? oldFams.some((f, i) => f !== fams[i]) : primaryChanged) {
      errs.push(fieldErrors.invalid('spec.ipFamilies[0]', fams, 'may not change once set'));
    }
    if (oldFams.length > fams.length && fams.length === 1 && spec['ipFamilyPolicy'] !== 'SingleStack') {
      errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', spec['ipFamilyPolicy'] ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  }
  if (spec['type'] === 'LoadBalancer' && oldSpec['type'] === 'LoadBalancer' && (spec['loadBalancerClass'] ?? null) !== (oldSpec['loadBalancerClass'] ?? null)) {
    errs.push(fieldErrors.invalid('spec.loadBalancerClass', spec['loadBalancerClass'] ?? null, 'may not change once set'));
  }
  const needsHC = (s: Rec) => s['type'] === 'LoadBalancer' && s['externalTrafficPolicy'] === 'Local';
  if (needsHC(spec) && needsHC(oldSpec) && spec['healthCheckNodePort'] !== oldSpec['healthCheckNodePort']) {
    errs.push(fieldErrors.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return errs;
}

