/**
 * The subgraph's UAA client-credentials token against the Cloud Foundry fake: how it is
 * requested, that it is shared per process and renewed before it lapses, and that a refusal
 * says which provider failed without the secret.
 */
import { AppError } from '../../../src/errors';
import { FakeCloudFoundry } from '../../../src/fakes/cloudfoundry/fake-cloudfoundry';
import { DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET, seedCloudFoundry } from '../../../src/fakes/cloudfoundry/seed';
import { clientCredentials } from '../../../src/providers/cloudfoundry/credentials';
import { discoverUaa } from '../../../src/providers/cloudfoundry/uaa';
import { UpstreamClient } from '../../../src/upstream/http-client';

const fake = new FakeCloudFoundry();
// Long enough that a loaded machine's stall does not time out (and retry) a token request the tests count.
const http = new UpstreamClient({ timeoutMs: 10_000 });
const TOKEN_ROUTE = /^\/uaa\/oauth\/token$/;

beforeAll(async () => {
  seedCloudFoundry(fake);
  await fake.start();
});
afterAll(async () => {
  await http.close();
  await fake.stop();
});
afterEach(() => fake.reset());

function credentials(secret = DEMO_CF_CLIENT_SECRET) {
  return clientCredentials(http, discoverUaa(http, fake.url), { id: DEMO_CF_CLIENT_ID, secret });
}

describe("the subgraph's Cloud Foundry client token", () => {
  it('is requested once from the UAA /v2/info names, with HTTP Basic client auth, and shared', async () => {
    const { kind, token } = credentials();
    expect(kind).toBe('client');
    const values = await Promise.all([token.get(), token.get(), token.get()]);
    expect(new Set(values).size).toBe(1);
    expect(await token.get()).toBe(values[0]);

    const requests = fake.requestsTo(TOKEN_ROUTE);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${DEMO_CF_CLIENT_ID}:${DEMO_CF_CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(requests[0]!.body).toEqual({ grant_type: 'client_credentials' });
    expect(fake.requestsTo(/^\/v2\/info$/)).toHaveLength(1);
  });

  it('is renewed 10 s before the expires_in the UAA gave it, without waiting for a 401', async () => {
    fake.clientTokenLifetimeSeconds = 12; // kept for 2 s, then renewed (until the fake's reset)
    const { token } = credentials();
    const first = await token.get();
    expect(await token.get()).toBe(first);
    expect(fake.requestsTo(TOKEN_ROUTE)).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    const renewed = await token.get();
    expect(renewed).not.toBe(first);
    expect(fake.requestsTo(TOKEN_ROUTE)).toHaveLength(2);
    // Nothing but discovery and the two token requests: no Cloud Controller 401 prompted it.
    expect(fake.requests.map((request) => request.rawPath)).toEqual(['/v2/info', '/uaa/oauth/token', '/uaa/oauth/token']);
  });

  it('refused client credentials are UPSTREAM_ERROR for CLOUD_FOUNDRY, without the secret', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const error = await credentials(secret)
      .token.get()
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { provider: 'CLOUD_FOUNDRY' } });
    const { message, stack } = error as AppError;
    expect(JSON.stringify({ message, stack })).not.toContain(secret);
  });
});
