// Every request of the HTTP/2 RestClient settles, whatever the server does with its stream: a
// server that never answers is cut off by the request timeout, and a stream the server resets or
// closes before (or while) answering fails the call instead of leaving it pending forever (which
// once stalled the simulator: its write pacer's slots filled with calls that never returned).

import assert from 'node:assert/strict';
import { createServer, constants, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RestClient } from './rest-client.ts';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' } as const;

describe('RestClient over HTTP/2: every request settles', () => {
  let server: Http2Server;
  let url: string;
  /** What the server does with a stream, by the object name in the path. */
  const behaviours: Record<string, (stream: ServerHttp2Stream) => void> = {
    ok: (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/json' });
      s.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } }));
    },
    silent: () => undefined,
    'reset-no-error': (s) => s.close(constants.NGHTTP2_NO_ERROR),
    'reset-cancel': (s) => s.close(constants.NGHTTP2_CANCEL),
    'reset-refused': (s) => s.close(constants.NGHTTP2_REFUSED_STREAM),
    'headers-then-silence': (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/json' });
      s.write('{"apiVersion":');
    },
    'headers-then-reset': (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/json' });
      s.write('{"apiVersion":', () => s.close(constants.NGHTTP2_NO_ERROR));
    },
  };
  let seen = 0;

  before(async () => {
    server = createServer();
    server.on('stream', (stream, headers) => {
      seen++;
      stream.on('error', () => undefined);
      const name = String(headers[':path']).split('?')[0]!.split('/').at(-1)!;
      behaviours[name]?.(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('times out a request the server never answers, and the next one on the same session works', async () => {
    const client = new RestClient({ server: url, requestTimeoutMs: 300 });
    try {
      const started = performance.now();
      await assert.rejects(client.get({ ...CM, name: 'silent' }), (err: Error) => err.name === 'AbortError' || /timeout|abort/i.test(String(err)));
      assert.ok(performance.now() - started >= 250, 'it waited for the timeout');
      const ok = await client.get({ ...CM, name: 'ok' });
      assert.equal(ok.metadata.name, 'ok');
    } finally {
      client.close();
    }
  });

  it('times out a response whose body stops half-way', async () => {
    const client = new RestClient({ server: url, requestTimeoutMs: 300 });
    try {
      await assert.rejects(client.get({ ...CM, name: 'headers-then-silence' }));
    } finally {
      client.close();
    }
  });

  it('offers the server large flow-control windows, so big responses need no WINDOW_UPDATE round trips', async () => {
    const client = new RestClient({ server: url, requestTimeoutMs: 5000 });
    try {
      let windows: { stream: number | undefined; connection: number | undefined } | undefined;
      const seeWindows = (stream: ServerHttp2Stream): void => {
        windows = { stream: stream.session?.remoteSettings.initialWindowSize, connection: stream.session?.state.remoteWindowSize };
      };
      server.once('stream', seeWindows);
      await client.get({ ...CM, name: 'ok' });
      assert.ok((windows?.stream ?? 0) >= 2 ** 20, `stream window ${windows?.stream}`);
      assert.ok((windows?.connection ?? 0) >= 16 * 2 ** 20, `connection window ${windows?.connection}`);
    } finally {
      client.close();
    }
  });

  for (const name of ['reset-no-error', 'reset-cancel', 'reset-refused', 'headers-then-reset']) {
    it(`fails (not hangs) when the server closes the stream: ${name}`, async () => {
      // A timeout far beyond the test's own guard: only the close itself may settle the call.
      const client = new RestClient({ server: url, requestTimeoutMs: 600_000 });
      try {
        const before = seen;
        const outcome = await Promise.race([
          client.patch({ ...CM, name }, 'merge', { data: { a: '1' } }).then(() => 'resolved', (err: { code?: string }) => `rejected ${err.code ?? ''}`),
          new Promise<string>((resolve) => setTimeout(() => resolve('pending'), 2000).unref()),
        ]);
        assert.equal(seen, before + 1, 'the request reached the server');
        // A body cut short may also fail as a truncated document; what matters is that it fails.
        assert.match(outcome, name === 'headers-then-reset' ? /^rejected/ : /^rejected ERR_HTTP2_STREAM_ERROR$/);
      } finally {
        client.close();
      }
    });
  }
});
