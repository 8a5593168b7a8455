import { request, Agent } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
const dir = process.argv[2]!; const port = Number(process.argv[3]); const size = Number(process.argv[4]); const n = Number(process.argv[5] ?? 100);
const cfg = parse(readFileSync(`${dir}/kubeconfig`, 'utf8'));
const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64');
const cert = Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64');
const key = Buffer.from(cfg.users[0].user['client-key-data'], 'base64');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let fails = 0;
for (let i = 0; i < n; i++) {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `q${size}-${process.pid}-${i}` }, data: { big: 'x'.repeat(size) } });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', ca, cert, key, agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => { res.resume(); res.on('end', () => resolve()); res.on('error', reject); });
      req.on('error', reject);
      req.end(body);
    });
  } catch (e) { fails++; }
}
console.log('size', size, 'fails', fails, 'of', n);
agent.destroy();
