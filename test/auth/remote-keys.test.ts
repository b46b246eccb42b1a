import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { remoteKeySet } from '../../src/auth/remote-keys';
import { AppError } from '../../src/errors';
import { upstreamTally } from '../../src/upstream/accounting';
import { UpstreamClient, type UpstreamObserver } from '../../src/upstream/http-client';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback issuer whose answers the test sets, recording the headers of each request. */
let handle: Handler;
const received: IncomingMessage['headers'][] = [];
let server: Server;
let url: string;

/** What the client's observer saw: provider, route and outcome of every attempt. */
const observed: Array<{ provider: string; route: string; url: string; outcome: number | 'error' }> = [];
const observer: UpstreamObserver = {
  observe: (request, outcome) => observed.push({ provider: request.provider, route: request.route, url: request.url, outcome }),
  retried: () => undefined,
  circuitChanged: () => undefined,
};
let http: UpstreamClient;

const ROUTE = 'GET {uaa}/token_keys';
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwks: JSONWebKeySet;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  signingKey = privateKey;
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  server = createServer((request, response) => {
    received.push(request.headers);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token_keys`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  observed.length = 0;
  handle = (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  // Short attempts, quick retries: what UPSTREAM_TIMEOUT_MS and the policies make of a key fetch.
  // Not too short: a loaded machine's stall of a few hundred milliseconds must not time out an
  // answer the cases below count on (200 ms did).
  http = new UpstreamClient({ timeoutMs: 1_000, observer, resilience: { maxRetries: 2, budgetMs: 10_000 } });
});

afterEach(() => http.close());

const keySet = () => remoteKeySet(http, { provider: 'CLOUD_FOUNDRY', route: ROUTE, url });
const token = (kid: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).sign(signingKey);

describe('remote signing keys', () => {
  it('are fetched through the upstream client: observed under the route template, with the request id', async () => {
    const keys = keySet();
    // Even for a request whose client has gone: other requests may be waiting on the same keys.
    const { payload } = await upstreamTally.run({ requests: 0, requestId: 'req-42', connection: { destroyed: true } }, async () =>
      jwtVerify(await token('k1'), keys),
    );
    expect(payload).toBeDefined();
    expect(observed).toEqual([{ provider: 'CLOUD_FOUNDRY', route: ROUTE, url, outcome: 200 }]);
    expect(received).toEqual([expect.objectContaining({ 'x-request-id': 'req-42', accept: expect.stringContaining('json') })]);
  });

  it("keep jose's cache: one fetch for concurrent verifications, none again for an unknown kid within the cooldown", async () => {
    const keys = keySet();
    await Promise.all([jwtVerify(await token('k1'), keys), jwtVerify(await token('k1'), keys)]);
    await expect(jwtVerify(await token('unknown'), keys)).rejects.toThrow(errors.JWKSNoMatchingKey);
    expect(received).toHaveLength(1);
  });

  it("give up on an issuer slower than the client's timeout: UPSTREAM_UNAVAILABLE for its provider, every attempt observed", async () => {
    handle = (_request, response) => {
      const late = setTimeout(() => response.end(JSON.stringify(jwks)), 10_000);
      response.on('close', () => clearTimeout(late));
    };
    const failure = await jwtVerify(await token('k1'), keySet()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { provider: 'CLOUD_FOUNDRY' } });
    expect((failure as AppError).message).toMatch(/did not answer in time \(GET \{uaa\}\/token_keys\)/);
    // The client's retries, not jose's single 5 s attempt.
    expect(observed).toEqual(Array(3).fill(expect.objectContaining({ route: ROUTE, outcome: 'error' })));
  });

  it("are retried by the client's policy after a 503", async () => {
    let answered = 0;
    handle = (_request, response) => {
      answered += 1;
      if (answered === 1) response.writeHead(503).end();
      else response.writeHead(200).end(JSON.stringify(jwks));
    };
    await expect(jwtVerify(await token('k1'), keySet())).resolves.toBeDefined();
    expect(observed.map((seen) => seen.outcome)).toEqual([503, 200]);
  });

  it("leave any other answer than 200 to jose, which refuses it as before (the keys are unavailable)", async () => {
    handle = (_request, response) => response.writeHead(404).end('{"error":"Not Found"}');
    const failure = await jwtVerify(await token('k1'), keySet()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(errors.JOSEError);
    expect(failure).toMatchObject({ code: 'ERR_JOSE_GENERIC' });
    expect(observed).toEqual([expect.objectContaining({ route: ROUTE, outcome: 404 })]);
  });

  it('refuse a 200 whose body is not a key set', async () => {
    handle = (_request, response) => response.writeHead(200).end('<html>maintenance</html>');
    await expect(jwtVerify(await token('k1'), keySet())).rejects.toThrow(errors.JOSEError);
  });
});
