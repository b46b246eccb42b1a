/**
 * The upstream client's bound on an answer's size, for an answer that does not say its length
 * (chunked): the e2e suites cover one that does (test/e2e/resilience.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, UpstreamClient } from '../../src/upstream/http-client';

const CHUNK = Buffer.alloc(1024 * 1024, 'x');

it('stops reading a chunked answer past 16 MiB: UPSTREAM_ERROR, asked once, the rest never sent', async () => {
  let requests = 0;
  let written = 0;
  const closed = Promise.withResolvers<void>();
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.on('close', () => closed.resolve());
    // 64 MiB in chunks, each written once the last has drained; the client hangs up well before.
    const next = () => {
      while (written < 64 * CHUNK.length && !response.destroyed) {
        written += CHUNK.length;
        if (!response.write(CHUNK)) return void response.once('drain', next);
      }
      response.end();
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new UpstreamClient({ timeoutMs: 10_000 });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me/organization-memberships`;
    await expect(client.send({ provider: 'WACHT', route: 'GET /me/organization-memberships', url })).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'WACHT answered more than 16 MiB (GET /me/organization-memberships)',
      details: { provider: 'WACHT' },
    });
    await closed.promise;
    expect(requests).toBe(1);
    // What the socket buffers may pass the bound a little; the rest was never sent.
    expect(written).toBeGreaterThan(MAX_ANSWER_BYTES);
    expect(written).toBeLessThan(64 * CHUNK.length);
  } finally {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
