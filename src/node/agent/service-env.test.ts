import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { resolveEnv } from './container-env.ts';
import { podServiceEnv, serviceEnv, type ServiceObject } from './service-env.ts';
import { makePod } from './testing/pod-fixtures.ts';

const svc = (name: string, namespace: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[]): ServiceObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports } });

const services: Record<string, ServiceObject[]> = {
  default: [svc('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }])],
  shop: [
    svc('web-front', 'shop', '10.96.0.20', [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }]),
    svc('headless', 'shop', 'None', [{ port: 80 }]),
  ],
};
const lister = { list: async (ns: string) => services[ns] ?? [] };

describe('service env vars', () => {
  it('are docker-link style vars per service and port', () => {
    assert.deepEqual(Object.fromEntries(serviceEnv(services['shop']!)), {
      WEB_FRONT_SERVICE_HOST: '10.96.0.20',
      WEB_FRONT_SERVICE_PORT: '80',
      WEB_FRONT_SERVICE_PORT_HTTP: '80',
      WEB_FRONT_SERVICE_PORT_DNS: '53',
      WEB_FRONT_PORT: 'tcp://10.96.0.20:80',
      WEB_FRONT_PORT_80_TCP: 'tcp://10.96.0.20:80',
      WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
      WEB_FRONT_PORT_80_TCP_PORT: '80',
      WEB_FRONT_PORT_80_TCP_ADDR: '10.96.0.20',
      WEB_FRONT_PORT_53_UDP: 'udp://10.96.0.20:53',
      WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
      WEB_FRONT_PORT_53_UDP_PORT: '53',
      WEB_FRONT_PORT_53_UDP_ADDR: '10.96.0.20',
    });
  });

  it('always include the kubernetes service; the namespace\'s only with service links', async () => {
    const withLinks = await podServiceEnv(lister, 'shop', true);
    assert.equal(withLinks.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(withLinks.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(withLinks.get('WEB_FRONT_SERVICE_HOST'), '10.96.0.20');
    assert.equal(withLinks.has('HEADLESS_SERVICE_HOST'), false, 'no cluster IP, no vars');
    const without = await podServiceEnv(lister, 'shop', false);
    assert.equal(without.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(without.has('WEB_FRONT_SERVICE_HOST'), false);
  });

  it('are defaults: the container\'s own env wins and may refer to them', async () => {
    const spec = { name: 'app', env: [{ name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }, { name: 'WEB_FRONT_SERVICE_HOST', value: 'mine' }] };
    const env = await resolveEnv(makePod({ containers: [spec] }, { namespace: 'shop' }), spec, { podIP: '', hostIP: '' }, { services: await podServiceEnv(lister, 'shop', true) });
    const map = Object.fromEntries(env.map((e) => [e.key, e.value]));
    assert.equal(map['API'], 'https://10.96.0.1:443');
    assert.equal(map['WEB_FRONT_SERVICE_HOST'], 'mine');
    assert.equal(map['WEB_FRONT_SERVICE_PORT'], '80');
  });
});
