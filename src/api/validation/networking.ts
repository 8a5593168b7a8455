// networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy validation.

import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isIP,
  isIPv4,
  isIPv6,
  isValidCIDR,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNSSubdomain,
  regexError,
  validateLabelSelector,
} from '../../machinery/index.ts';
import { fieldErrors, has, immutable, list, num, obj, rec, recList, str, type Errs, type Rec } from './fields.ts';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function validateIngressBackend(backend: Rec, path: string): Errs {
  const resource = rec(backend, 'resource');
  const service = rec(backend, 'service');
  if (resource && service) return [fieldErrors.invalid(path, '', 'cannot set both resource and service backends')];
  const errs: Errs = [];
  if (resource) {
    const apiGroup = str(resource, 'apiGroup');
    if (apiGroup) errs.push(...isDNS1123Subdomain(apiGroup).map((m) => fieldErrors.invalid(`${path}.resource.apiGroup`, apiGroup, m)));
    if (!str(resource, 'kind')) errs.push(fieldErrors.required(`${path}.resource.kind`, ''));
    if (!str(resource, 'name')) errs.push(fieldErrors.required(`${path}.resource.name`, ''));
    return errs;
  }
  if (!service) return [fieldErrors.invalid(path, '', 'resource or service backend is required')];
  const name = str(service, 'name');
  if (!name) errs.push(fieldErrors.required(`${path}.service.name`, ''));
  else errs.push(...isDNS1035Label(name).map((m) => fieldErrors.invalid(`${path}.service.name`, name, m)));
  const port = obj(service, 'port');
  const portName = str(port, 'name');
  const portNumber = num(port, 'number') ?? 0;
  if (portName && portNumber !== 0) errs.push(fieldErrors.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => fieldErrors.invalid(`${path}.service.port.name`, portName, m)));
  else if (portNumber !== 0) errs.push(...isValidPortNum(portNumber).map((m) => fieldErrors.invalid(`${path}.service.port.number`, portNumber, m)));
  else errs.push(fieldErrors.required(path, 'port name or number is required'));
  return errs;
}

function validateIngressPath(p: Rec, path: string): Errs {
  const pathType = p['pathType'];
  if (pathType === undefined || pathType === null) return [fieldErrors.required(`${path}.pathType`, 'pathType must be specified')];
  const errs: Errs = [];
  const value = str(p, 'path');
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(fieldErrors.invalid(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(fieldErrors.invalid(`${path}.path`, value, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(fieldErrors.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
  } else if (pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(fieldErrors.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    errs.push(fieldErrors.notSupported(`${path}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(obj(p, 'backend'), `${path}.backend`));
  return errs;
}

function hostErrors(host: string, path: string): Errs {
  const errs: Errs = [];
  if (isIP(host)) errs.push(fieldErrors.invalid(path, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  errs.push(...msgs.map((m) => fieldErrors.invalid(path, host, m)));
  return errs;
}

export function validateIngress(ing: Rec): Errs {
  const spec = obj(ing, 'spec');
  const errs: Errs = [];
  const rules = recList(spec, 'rules');
  if (rules.length === 0 && !has(spec, 'defaultBackend')) {
    errs.push(fieldErrors.invalid('spec', spec['rules'] ?? null, 'either `defaultBackend` or `rules` must be specified'));
  }
  const defaultBackend = rec(spec, 'defaultBackend');
  if (defaultBackend) errs.push(...validateIngressBackend(defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = `spec.rules[${i}]`;
    const host = str(rule, 'host');
    if (host) errs.push(...hostErrors(host, `${p}.host`));
    const http = rec(rule, 'http');
    if (!http) return;
    const paths = recList(http, 'paths');
    if (paths.length === 0) errs.push(fieldErrors.required(`${p}.http.paths`, ''));
    paths.forEach((path, j) => errs.push(...validateIngressPath(path, `${p}.http.paths[${j}]`)));
  });
  recList(spec, 'tls').forEach((tls, i) => {
    const p = `spec.tls[${i}]`;
    list(tls, 'hosts').forEach((h, j) => {
      const host = typeof h === 'string' ? h : '';
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => fieldErrors.invalid(`${p}.hosts[${j}]`, host, m)));
    });
    const secretName = str(tls, 'secretName');
    if (secretName) errs.push(...nameIsDNSSubdomain(secretName, false).map((m) => fieldErrors.invalid(`${p}.secretName`, secretName, m)));
  });
  const className = spec['ingressClassName'];
  if (typeof className === 'string') {
    errs.push(...nameIsDNSSubdomain(className, false).map((m) => fieldErrors.invalid('spec.ingressClassName', className, m)));
    const annotation = obj(obj(ing, 'metadata'), 'annotations')[INGRESS_CLASS_ANNOTATION];
    if (typeof annotation === 'string' && annotation !== className) {
      errs.push(fieldErrors.invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
    }
  }
  return errs;
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH_RE = new RegExp(`^${HTTP_PATH_FMT}$`);

export function validateIngressClass(ic: Rec): Errs {
  const spec = obj(ic, 'spec');
  const errs: Errs = [];
  const controller = str(spec, 'controller');
  if (controller.length > 250) errs.push(fieldErrors.tooLong('spec.controller', 250));
  if (!controller) {
    errs.push(fieldErrors.required('spec.controller', ''));
  } else {
    const slash = controller.indexOf('/');
    const host = slash < 0 ? '' : controller.slice(0, slash);
    const rest = slash < 0 ? '' : controller.slice(slash + 1);
    if (!host || !rest) {
      errs.push(fieldErrors.invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    } else {
      errs.push(...isDNS1123Subdomain(host).map((m) => fieldErrors.invalid('spec.controller', host, m)));
      if (!HTTP_PATH_RE.test(rest)) errs.push(fieldErrors.invalid('spec.controller', rest, regexError('Invalid path', HTTP_PATH_FMT)));
    }
  }
  const params = rec(spec, 'parameters');
  if (params) {
    const p = 'spec.parameters';
    if (!str(params, 'kind')) errs.push(fieldErrors.required(`${p}.kind`, ''));
    if (!str(params, 'name')) errs.push(fieldErrors.required(`${p}.name`, ''));
    const scope = params['scope'];
    const namespace = params['namespace'];
    if (scope === 'Namespace') {
      if (typeof namespace !== 'string' || namespace === '') errs.push(fieldErrors.required(`${p}.namespace`, '`parameters.scope` is set to \'Namespace\''));
    } else if (scope === 'Cluster' || scope === undefined || scope === null) {
      if (namespace !== undefined && namespace !== null) errs.push(fieldErrors.forbidden(`${p}.namespace`, '`parameters.scope` is set to \'Cluster\''));
    } else {
      errs.push(fieldErrors.notSupported(`${p}.scope`, scope, ['Cluster', 'Namespace']));
    }
  }
  return errs;
}

export function validateIngressClassUpdate(ic: Rec, old: Rec): Errs {
  return immutable(obj(ic, 'spec')['controller'], obj(old, 'spec')['controller'], 'spec.controller');
}

function ipToBigInt(ip: string): bigint | undefined {
  if (isIPv4(ip)) return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipToBigInt(tail) ?? 0n;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', back] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const backParts = back === undefined ? [] : back ? back.split(':') : [];
  const zeros = back === undefined ? 0 : 8 - headParts.length - backParts.length;
  const groups = [...headParts, ...Array<string>(zeros).fill('0'), ...backParts];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function parseCIDR(cidr: string): { base: bigint; bits: number; width: number } | undefined {
  if (isValidCIDR(cidr).length > 0) return undefined;
  const [ip = '', bits = ''] = cidr.split('/');
  const value = ipToBigInt(ip);
  if (value === undefined) return undefined;
  const width = isIPv4(ip) ? 32 : 128;
  const prefix = Number(bits);
  const shift = BigInt(width - prefix);
  return { base: (value >> shift) << shift, bits: prefix, width };
}

function validateNetworkPolicyPeer(peer: Rec, path: string): Errs {
  const errs: Errs = [];
  let peers = 0;
  for (const k of ['podSelector', 'namespaceSelector']) {
    if (!has(peer, k)) continue;
    peers++;
    errs.push(...validateLabelSelector(peer[k], `${path}.${k}`));
  }
  const ipBlock = rec(peer, 'ipBlock');
  if (ipBlock) {
    peers++;
    const p = `${path}.ipBlock`;
    const cidr = str(ipBlock, 'cidr');
    if (!cidr) {
      errs.push(fieldErrors.required(`${p}.cidr`, ''));
    } else {
      errs.push(...isValidCIDR(cidr).map((m) => fieldErrors.invalid(`${p}.cidr`, cidr, m)));
      const outer = parseCIDR(cidr);
      list(ipBlock, 'except').forEach((e, i) => {
        const except = typeof e === 'string' ? e : '';
        const ep = `${p}.except[${i}]`;
        errs.push(...isValidCIDR(except).map((m) => fieldErrors.invalid(ep, except, m)));
        const inner = parseCIDR(except);
        if (!outer || !inner) return;
        const shift = BigInt(outer.width - outer.bits);
        const contained = inner.width === outer.width && (inner.base >> shift) << shift === outer.base;
        if (!contained || outer.bits >= inner.bits) errs.push(fieldErrors.invalid(ep, except, 'must be a strict subset of `cidr`'));
      });
    }
  }
  if (peers === 0) errs.push(fieldErrors.required(path, 'must specify a peer'));
  else if (peers > 1 && ipBlock) errs.push(fieldErrors.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicyPort(port: Rec, path: string): Errs {
  const errs: Errs = [];
  const protocol = port['protocol'];
  if (protocol !== undefined && protocol !== null && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
    errs.push(fieldErrors.notSupported(`${path}.protocol`, protocol, ['TCP', 'UDP', 'SCTP']));
  }
  const p = port['port'];
  const endPort = port['endPort'];
  const hasEnd = typeof endPort === 'number';
  if (typeof p === 'number') {
    errs.push(...isValidPortNum(p).map((m) => fieldErrors.invalid(`${path}.port`, p, m)));
    if (hasEnd) {
      if (endPort < p) errs.push(fieldErrors.invalid(`${path}.endPort`, p, 'must be greater than or equal to `port`'));
      errs.push(...isValidPortNum(endPort).map((m) => fieldErrors.invalid(`${path}.endPort`, endPort, m)));
    }
  } else if (typeof p === 'string') {
    if (hasEnd) errs.push(fieldErrors.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...isValidPortName(p).map((m) => fieldErrors.invalid(`${path}.port`, p, m)));
  } else if (hasEnd) {
    errs.push(fieldErrors.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

export function validateNetworkPolicy(np: Rec): Errs {
  const spec = obj(np, 'spec');
  const errs = validateLabelSelector(spec['podSelector'] ?? {}, 'spec.podSelector');
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    recList(spec, direction).forEach((rule, i) => {
      const p = `spec.${direction}[${i}]`;
      recList(rule, 'ports').forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, `${p}.ports[${j}]`)));
      recList(rule, peersKey).forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, `${p}.${peersKey}[${j}]`)));
    });
  }
  const types = list(spec, 'policyTypes');
  if (types.length > 2) return [...errs, fieldErrors.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}
