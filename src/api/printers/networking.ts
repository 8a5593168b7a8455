// networking.k8s.io (NetworkPolicy, Ingress, IngressClass) and discovery.k8s.io (EndpointSlice) tables.

import { int, isInt, isRec, list, rec, recs, str, strings } from './access.ts';
import { age, formatLabelSelector, listWithMore } from './format.ts';
import { loadBalancerAddresses } from './core-services.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

export const networkPolicyPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Pod-Selector', 'string', 'Pods the policy applies to.'), AGE_COLUMN],
  // An absent podSelector is the empty selector (all pods), printed as "<none>".
  (obj, nowMs) => [nameOf(obj), formatLabelSelector(rec(rec(obj['spec'])['podSelector'])), age(obj, nowMs)],
);

const MAX_HOSTS = 3;

/** formatHosts: up to three hosts, "*" when no rule names one. */
function formatHosts(rules: unknown[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === MAX_HOSTS) more = true;
    const host = str(rec(rule)['host']);
    if (!more && host !== '') hosts.push(host);
  }
  if (hosts.length === 0) return '*';
  // Upstream counts the remainder by rules, not hosts; kept for identical output.
  return more ? `${hosts.join(',')} + ${rules.length - MAX_HOSTS} more...` : hosts.join(',');
}

export const ingressPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Class', 'string', 'The IngressClass used for this ingress.'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Load-balancer addresses of the ingress.'),
    column('Ports', 'string', 'Ports the ingress serves.'),
    AGE_COLUMN,
  ],
  (ing, nowMs) => {
    const spec = rec(ing['spec']);
    return [
      nameOf(ing),
      typeof spec['ingressClassName'] === 'string' ? spec['ingressClassName'] : '<none>',
      formatHosts(list(spec['rules'])),
      loadBalancerAddresses(rec(rec(ing['status'])['loadBalancer'])).join(','),
      list(spec['tls']).length > 0 ? '80, 443' : '80',
      age(ing, nowMs),
    ];
  },
);

export const ingressClassPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  (obj, nowMs) => {
    const spec = rec(obj['spec']);
    const params = spec['parameters'];
    let parameters = '<none>';
    if (isRec(params)) {
      const group = typeof params['apiGroup'] === 'string' ? `.${params['apiGroup']}` : '';
      parameters = `${str(params['kind'])}${group}/${str(params['name'])}`;
    }
    return [nameOf(obj), str(spec['controller']), parameters, age(obj, nowMs)];
  },
);

const MAX_SLICE_ITEMS = 3;

export const endpointSlicePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports exposed by the endpoints.'),
    column('Endpoints', 'string', 'Addresses of the endpoints.'),
    AGE_COLUMN,
  ],
  (obj, nowMs) => {
    const ports = recs(obj['ports']).map((p) => (isInt(p['port']) ? String(int(p['port'])) : typeof p['name'] === 'string' ? p['name'] : '*'));
    const addresses = recs(obj['endpoints']).flatMap((e) => strings(e['addresses']));
    return [
      nameOf(obj),
      str(obj['addressType']),
      listWithMore(ports, MAX_SLICE_ITEMS),
      listWithMore(addresses, MAX_SLICE_ITEMS),
      age(obj, nowMs),
    ];
  },
);
