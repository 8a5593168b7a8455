import net from 'node:net';
const origPause = net.Socket.prototype.pause;
(net.Socket.prototype as any).pause = function (this: any) {
  if (this.server || this._server) process.stderr.write(`SERVER socket pause needDrain=${this._writableState?.needDrain} wl=${this.writableLength} stack=${new Error().stack?.split('\n').slice(2, 8).map((s) => s.trim()).join(' | ')}\n`);
  return origPause.call(this);
};
const origDestroy = net.Socket.prototype.destroy;
(net.Socket.prototype as any).destroy = function (this: any, err?: Error) {
  if ((this.server || this._server) && err) process.stderr.write(`SERVER socket destroy err=${err?.message}\n`);
  return origDestroy.call(this, err);
};
await import('./src/cmd/main.ts');
