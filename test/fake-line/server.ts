/**
 * The fake LINE platform as a local HTTP server, for `npm start` (scripts/start.ts) and
 * benchmarks. It serves the Messaging API and the data API on one port (same paths as
 * api.line.me and api-data.line.me) plus the /__fake/ control endpoints, and prints every
 * message the bot sends.
 *
 *   tsx test/fake-line/server.ts            # port FAKE_LINE_PORT, default 8788
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { FakeLine, type FakeLineOptions } from './fake-line.ts';

export const DEFAULT_FAKE_LINE_PORT = 8788;

export interface RunningFakeLine {
  fake: FakeLine;
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:`port` (0 = any free port). Rejects if the port is taken. */
export async function startFakeLine(
  port = Number(process.env.FAKE_LINE_PORT) || DEFAULT_FAKE_LINE_PORT,
  options: FakeLineOptions = { log: console.log },
): Promise<RunningFakeLine> {
  const fake = new FakeLine(options);
  const server = createServer((req, res) => {
    serve(fake, req, res).catch((err: unknown) => {
      console.error('fake LINE: request failed', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'fake LINE internal error' }));
    });
  });
  // The worker under test keeps its connections open; without this, close() would wait for them.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    fake,
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** node request → Web Request → FakeLine → Web Response → node response. */
async function serve(fake: FakeLine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = Buffer.concat(chunks);
  }
  const request = new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`), {
    method,
    headers,
    body: body && body.length > 0 ? body : undefined,
  });
  const response = await fake.handle(request);
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(bytes.length);
  res.writeHead(response.status, out);
  res.end(method === 'HEAD' ? undefined : bytes);
}

// Run directly: serve until stopped.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startFakeLine()
    .then(({ url }) => {
      console.log(`fake LINE platform listening on ${url} (API and data API; control at ${url}/__fake/requests)`);
      const stop = () => process.exit(0);
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((err: NodeJS.ErrnoException) => {
      console.error(
        err.code === 'EADDRINUSE' ? `fake LINE: ${err.message} (set FAKE_LINE_PORT to use another port)` : err,
      );
      process.exit(1);
    });
}
