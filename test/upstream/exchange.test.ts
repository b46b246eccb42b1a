import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { exchange, ExchangeTimeoutError } from '../../src/upstream/exchange';

/** A loopback server that hands each request to the test, and records what it was asked. */
async function loopback(handle: (request: IncomingMessage, response: ServerResponse, body: string) => void) {
  const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      handle(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const agents: Agent[] = [];
function agent(connections = 4): Agent {
  const created = new Agent({ connections, keepAliveTimeout: 1_000 });
  agents.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(agents.splice(0).map((created) => created.destroy()));
});

it('answers the status, headers (lower-case, repeated ones as arrays) and whole body, chunks joined before decoding', async () => {
  const server = await loopback((_request, response) => {
    response.writeHead(201, [
      ['Content-Type', 'application/json'],
      ['X-RateLimit-Reset', '1700000000'],
      ['Link', '<a>'],
      ['Link', '<b>'],
    ]);
    // "é" is two bytes: the first write ends inside it, so it decodes only once the chunks are joined.
    const bytes = Buffer.from('{"name":"Café"}');
    response.write(bytes.subarray(0, 13));
    setTimeout(() => response.end(bytes.subarray(13)), 5);
  });
  try {
    const answer = await exchange(agent(), { url: `${server.url}/api/v2/users/a%7Cb?page=0`, method: 'GET', headers: { accept: 'application/json' } }, 1_000);
    expect(answer.status).toBe(201);
    expect(answer.headers['x-ratelimit-reset']).toBe('1700000000');
    expect(answer.headers['link']).toEqual(['<a>', '<b>']);
    expect(answer.body).toBe('{"name":"Café"}');
    expect(server.received).toEqual([
      expect.objectContaining({ method: 'GET', url: '/api/v2/users/a%7Cb?page=0', headers: expect.objectContaining({ accept: 'application/json' }) }),
    ]);
  } finally {
    await server.close();
  }
});

it('drops a UTF-8 byte-order mark, which is no part of the JSON', async () => {
  const server = await loopback((_request, response) => response.end(Buffer.from('\uFEFF{"total":0}')));
  try {
    const answer = await exchange(agent(), { url: `${server.url}/`, method: 'GET', headers: {} }, 1_000);
    expect(answer.body).toBe('{"total":0}');
    expect(JSON.parse(answer.body)).toEqual({ total: 0 });
  } finally {
    await server.close();
  }
});

it('answers the final response, not an interim one (103 Early Hints)', async () => {
  const server = await loopback((_request, response) => {
    response.writeEarlyHints({ link: '</style.css>; rel=preload' });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  try {
    const answer = await exchange(agent(), { url: `${server.url}/`, method: 'GET', headers: {} }, 1_000);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['link']).toBeUndefined();
  } finally {
    await server.close();
  }
});

it('sends a POST body', async () => {
  const server = await loopback((_request, response) => response.end('{}'));
  try {
    await exchange(agent(), { url: `${server.url}/oauth/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }, 1_000);
    expect(server.received).toEqual([expect.objectContaining({ method: 'POST', url: '/oauth/token', body: '{"grant_type":"client_credentials"}' })]);
  } finally {
    await server.close();
  }
});

it('gives up with a TimeoutError when the answer is late, and closes the connection', async () => {
  let socketClosed!: () => void;
  const closed = new Promise<void>((resolve) => (socketClosed = resolve));
  const server = await loopback((request, response) => {
    request.socket.once('close', socketClosed);
    response.writeHead(200);
    response.write('{"partial":'); // the rest never comes
  });
  try {
    const error = await exchange(agent(), { url: `${server.url}/slow`, method: 'GET', headers: {} }, 100).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExchangeTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    await closed; // the abandoned exchange does not keep its socket
  } finally {
    await server.close();
  }
});

it('a request that times out while waiting for a socket is never sent', async () => {
  let holding!: (response: ServerResponse) => void;
  const held = new Promise<ServerResponse>((resolve) => (holding = resolve));
  const server = await loopback((request, response) => {
    if (request.url === '/hold') holding(response);
    else response.end('{}');
  });
  const pool = agent(1);
  try {
    const first = exchange(pool, { url: `${server.url}/hold`, method: 'GET', headers: {} }, 5_000);
    const parked = await held; // the pool's only socket is busy from here on
    const queued = await exchange(pool, { url: `${server.url}/queued`, method: 'GET', headers: {} }, 50).catch((caught: unknown) => caught);
    expect(queued).toBeInstanceOf(ExchangeTimeoutError);
    parked.end('{"held":true}');
    expect((await first).body).toBe('{"held":true}');
    await exchange(pool, { url: `${server.url}/after`, method: 'GET', headers: {} }, 1_000);
    expect(server.received.map((request) => request.url)).toEqual(['/hold', '/after']);
  } finally {
    await server.close();
  }
});

it('rejects with the transport error (not a timeout) when nothing listens', async () => {
  const server = await loopback(() => undefined);
  await server.close();
  const error = await exchange(agent(), { url: `${server.url}/`, method: 'GET', headers: {} }, 1_000).catch((caught: unknown) => caught);
  // undici's own error (from Node's realm, so compared by code, not by class).
  expect(error).not.toBeInstanceOf(ExchangeTimeoutError);
  expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
});
