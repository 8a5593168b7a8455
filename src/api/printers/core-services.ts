// Service and Endpoints tables: CLUSTER-IP, EXTERNAL-IP ("<none>", "<pending>", load-balancer
// ingress and externalIPs), PORT(S) ("80/TCP", "80:30080/TCP") and the endpoint address list.

import { int, list, rec, recs, str, strings, type Rec } from './access.ts';
import { age, formatLabels, sortedSet } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, selectorColumn, type TablePrinter } from './types.ts';

export const servicePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Type', 'string', 'How the service is exposed.'),
    column('Cluster-IP', 'string', 'Cluster-internal IP of the service.'),
    column('External-IP', 'string', 'External addresses of the service.'),
    column('Port(s)', 'string', 'Ports exposed by the service.'),
    AGE_COLUMN,
    selectorColumn('Label selector that routes traffic to pods.'),
  ],
  (svc, nowMs) => {
    const spec = rec(svc['spec']);
    const clusterIPs = strings(spec['clusterIPs']);
    // Objects written with only the singular field read as a one-element list, as conversion does.
    const clusterIP = clusterIPs.length > 0 ? clusterIPs[0] : str(spec['clusterIP']);
    const ports = makePortString(recs(spec['ports']));
    return [
      nameOf(svc),
      str(spec['type']),
      clusterIP || '<none>',
      serviceExternalIP(spec, rec(svc['status'])),
      ports || '<none>',
      age(svc, nowMs),
      formatLabels(spec['selector']),
    ];
  },
);

function serviceExternalIP(spec: Rec, status: Rec): string {
  const externalIPs = strings(spec['externalIPs']);
  switch (str(spec['type'])) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(rec(status['loadBalancer']));
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec['externalName']);
    default:
      return '<unknown>';
  }
}

/**
 * Sorted, unique load-balancer ingress IPs (else hostnames). The server builds tables in wide
 * mode, so the 16-character truncation kubectl's own printer applies never happens here.
 */
export function loadBalancerAddresses(lbStatus: Rec): string[] {
  const out: string[] = [];
  for (const ingress of recs(lbStatus['ingress'])) {
    const ip = str(ingress['ip']);
    const hostname = str(ingress['hostname']);
    if (ip !== '') out.push(ip);
    else if (hostname !== '') out.push(hostname);
  }
  return sortedSet(out);
}

function makePortString(ports: Rec[]): string {
  return ports
    .map((p) => {
      // Protocol defaults to TCP on write; partial objects read the same way.
      const protocol = str(p['protocol']) || 'TCP';
      const nodePort = int(p['nodePort']);
      return nodePort > 0 ? `${int(p['port'])}:${nodePort}/${protocol}` : `${int(p['port'])}/${protocol}`;
    })
    .join(',');
}

export const endpointsPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Endpoints', 'string', 'Addresses and ports of the endpoints.'), AGE_COLUMN],
  (obj, nowMs) => [nameOf(obj), formatEndpoints(recs(obj['subsets'])), age(obj, nowMs)],
);

const MAX_ENDPOINTS = 3;

/** formatEndpoints: "ip:port" per address and port, the first three then "+ N more...". */
export function formatEndpoints(subsets: Rec[]): string {
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = recs(ss['addresses']);
    const ports = list(ss['ports']);
    // Headless services may have no ports: list bare IPs.
    const portNumbers = ports.length === 0 ? [undefined] : ports.map((p) => int(rec(p)['port']));
    for (const port of portNumbers) {
      count += addresses.length;
      for (const addr of addresses) {
        if (shown.length === MAX_ENDPOINTS) {
          more = true;
          break;
        }
        const ip = str(addr['ip']);
        shown.push(port === undefined ? ip : joinHostPort(ip, port));
      }
    }
  }
  const ret = shown.join(',');
  return more ? `${ret} + ${count - MAX_ENDPOINTS} more...` : ret;
}

/** net.JoinHostPort: IPv6 hosts are bracketed. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
