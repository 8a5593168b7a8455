import http2 from 'node:http2';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
// reuse a strata-generated cert from a data dir given on argv
const dir = process.argv[2]!;
const cfg = parse(readFileSync(`${dir}/kubeconfig`, 'utf8'));
const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64');
const cert = Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64');
const key = Buffer.from(cfg.users[0].user['client-key-data'], 'base64');
const scert = readFileSync(`${dir}/pki/server.crt`), skey = readFileSync(`${dir}/pki/server.key`);
const handler = async (req: any, res: any) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c);
  await new Promise((r) => setTimeout(r, Number(process.env.DELAY ?? 15)));
  const body = Buffer.concat(chunks);
  res.writeHead(201, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
  if (process.env.BUSY) setImmediate(() => { const t = Date.now(); while (Date.now() - t < Number(process.env.BUSY)); });
};
const server: any = process.env.PLAIN ? https.createServer({ cert: scert, key: skey }, handler) : http2.createSecureServer({ allowHTTP1: true, cert: scert, key: skey, ca, requestCert: !!process.env.RC, rejectUnauthorized: false }, handler);
let port: number;
if (process.argv[3] === 'server') { await new Promise<void>((r) => server.listen(Number(process.argv[4]), '127.0.0.1', r)); console.log('listening'); await new Promise(() => {}); }
port = Number(process.argv[4]);
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
let fails = 0;
for (let i = 0; i < 100; i++) {
  const body = JSON.stringify({ big: 'x'.repeat(Number(process.env.SIZE ?? 900 * 1024)), i });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/', ca, cert, key, agent, servername: 'localhost', checkServerIdentity: () => undefined, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => { res.resume(); res.on('end', () => resolve()); res.on('error', reject); });
      req.on('error', reject);
      req.end(body);
    });
  } catch (e) { fails++; }
}
console.log(process.env.PLAIN ? 'https' : 'http2+allowHTTP1', 'fails', fails);
server.close(); agent.destroy();
