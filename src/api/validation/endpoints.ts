// Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) validation.

import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isValidIP, isValidPortNum, nameIsDNSSubdomain, validateLabels } from '../../machinery/index.ts';
import { dnsLabelErrors, qualifiedNameErrors } from './container.ts';
import { fieldErrors, has, immutable, list, num, recList, str, type Errs, type FieldError, type Rec } from './fields.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

function tooMany(path: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: path, message: `Too many: ${actual}: must have at most ${max} items` };
}

/** Unspecified, loopback and link-local addresses make no sense as endpoints. */
export function validateNonSpecialIP(ip: string, path: string): Errs {
  const errs: Errs = [];
  const lower = ip.toLowerCase();
  if (isIPv4(ip)) {
    const [a, b, c] = ip.split('.').map(Number);
    if (ip === '0.0.0.0') errs.push(fieldErrors.invalid(path, ip, `may not be unspecified (${ip})`));
    if (a === 127) errs.push(fieldErrors.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
    if (a === 169 && b === 254) errs.push(fieldErrors.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
    if (a === 224 && b === 0 && c === 0) errs.push(fieldErrors.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  } else if (isIPv6(ip)) {
    if (/^[0:]+$/.test(lower)) errs.push(fieldErrors.invalid(path, ip, `may not be unspecified (${ip})`));
    if (/^[0:]+1$/.test(lower) && lower.includes('::')) errs.push(fieldErrors.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
    if (/^fe[89ab]/.test(lower)) errs.push(fieldErrors.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
    if (/^ff02:/.test(lower)) errs.push(fieldErrors.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

function validateEndpointAddress(addr: Rec, path: string): Errs {
  const ip = str(addr, 'ip');
  const errs = isValidIP(ip).map((m) => fieldErrors.invalid(`${path}.ip`, ip, m));
  const hostname = str(addr, 'hostname');
  if (hostname) errs.push(...dnsLabelErrors(hostname, `${path}.hostname`));
  const nodeName = addr['nodeName'];
  if (typeof nodeName === 'string') errs.push(...nameIsDNSSubdomain(nodeName, false).map((m) => fieldErrors.invalid(`${path}.nodeName`, nodeName, m)));
  if (errs.length === 0) errs.push(...validateNonSpecialIP(ip, `${path}.ip`));
  return errs;
}

function validateEndpointPort(port: Rec, requireName: boolean, path: string): Errs {
  const errs: Errs = [];
  const name = str(port, 'name');
  if (requireName && !name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else if (name) errs.push(...dnsLabelErrors(name, `${path}.name`));
  const p = num(port, 'port') ?? 0;
  errs.push(...isValidPortNum(p).map((m) => fieldErrors.invalid(`${path}.port`, p, m)));
  const protocol = port['protocol'];
  if (protocol === undefined || protocol === null || protocol === '') errs.push(fieldErrors.required(`${path}.protocol`, ''));
  else if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) errs.push(fieldErrors.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  const appProtocol = port['appProtocol'];
  if (typeof appProtocol === 'string') errs.push(...qualifiedNameErrors(appProtocol, `${path}.appProtocol`));
  return errs;
}

export function validateEndpoints(ep: Rec): Errs {
  const errs: Errs = [];
  recList(ep, 'subsets').forEach((subset, i) => {
    const p = `subsets[${i}]`;
    const addresses = recList(subset, 'addresses');
    const notReady = recList(subset, 'notReadyAddresses');
    if (addresses.length === 0 && notReady.length === 0) errs.push(fieldErrors.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = recList(subset, 'ports');
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;

function validateFQDN(value: string, path: string): Errs {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (!name) return [fieldErrors.required(path, '')];
  const msgs = isDNS1123Subdomain(name);
  if (msgs.length > 0) return [fieldErrors.invalid(path, name, msgs.join(','))];
  if (name.split('.').length < 2) return [fieldErrors.invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of name.split('.')) {
    const labelMsgs = isDNS1123Label(label);
    if (labelMsgs.length > 0) return [fieldErrors.invalid(path, label, labelMsgs.join(','))];
  }
  return [];
}

export function validateEndpointSlice(slice: Rec): Errs {
  const errs: Errs = [];
  const addressType = slice['addressType'];
  if (addressType === undefined || addressType === null || addressType === '') errs.push(fieldErrors.required('addressType', ''));
  else if (!(ADDRESS_TYPES as readonly unknown[]).includes(addressType)) errs.push(fieldErrors.notSupported('addressType', addressType, ADDRESS_TYPES));
  const endpoints = recList(slice, 'endpoints');
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = list(ep, 'addresses');
    if (addresses.length === 0) errs.push(fieldErrors.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(`${p}.addresses`, addresses.length, 100));
    addresses.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      const s = typeof a === 'string' ? a : '';
      if (addressType === 'IPv4') {
        if (!isIPv4(s)) errs.push(fieldErrors.invalid(ap, s, 'must be a valid IPv4 address'));
        else errs.push(...validateNonSpecialIP(s, ap));
      } else if (addressType === 'IPv6') {
        if (!isIPv6(s)) errs.push(fieldErrors.invalid(ap, s, 'must be a valid IPv6 address'));
        else errs.push(...validateNonSpecialIP(s, ap));
      } else if (addressType === 'FQDN') {
        errs.push(...validateFQDN(s, ap));
      }
    });
    const nodeName = ep['nodeName'];
    if (typeof nodeName === 'string') errs.push(...nameIsDNSSubdomain(nodeName, false).map((m) => fieldErrors.invalid(`${p}.nodeName`, nodeName, m)));
    errs.push(...validateLabels(ep['deprecatedTopology'], `${p}.deprecatedTopology`));
    const hostname = ep['hostname'];
    if (typeof hostname === 'string') errs.push(...dnsLabelErrors(hostname, `${p}.hostname`));
  });
  const ports = recList(slice, 'ports');
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = str(port, 'name');
    if (name) errs.push(...dnsLabelErrors(name, `${p}.name`));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    names.add(name);
    const protocol = port['protocol'];
    if (!has(port, 'protocol')) errs.push(fieldErrors.required(`${p}.protocol`, ''));
    else if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) errs.push(fieldErrors.notSupported(`${p}.protocol`, protocol, PROTOCOLS));
    const portNum = port['port'];
    if (typeof portNum === 'number') errs.push(...isValidPortNum(portNum).map((m) => fieldErrors.invalid(`${p}.port`, portNum, m)));
    const appProtocol = port['appProtocol'];
    if (typeof appProtocol === 'string') errs.push(...qualifiedNameErrors(appProtocol, `${p}.appProtocol`));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: Rec, old: Rec): Errs {
  return immutable(slice['addressType'], old['addressType'], 'addressType');
}
