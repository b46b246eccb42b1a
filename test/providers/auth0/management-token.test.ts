/**
 * The provider's Management API token against the Auth0 fake: how it is requested, that it
 * is shared per process, and that failures say which provider failed without the secret.
 */
import { AppError } from '../../../src/errors';
import { FakeAuth0 } from '../../../src/fakes/auth0/fake-auth0';
import {
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_CLIENT_ID,
  DEMO_AUTH0_CLIENT_SECRET,
  seedAuth0,
} from '../../../src/fakes/auth0/seed';
import type { Auth0Config } from '../../../src/config';
import { managementToken } from '../../../src/providers/auth0/management-token';
import { UpstreamClient } from '../../../src/upstream/http-client';

const fake = new FakeAuth0();
// Long enough that a loaded machine's stall does not time out (and retry) a token request the tests count.
const http = new UpstreamClient({ timeoutMs: 10_000 });

beforeAll(async () => {
  seedAuth0(fake);
  await fake.start();
});
afterAll(async () => {
  await http.close();
  await fake.stop();
});
afterEach(() => fake.reset());

/** The demo client, asking for the audience AUTH0_MANAGEMENT_AUDIENCE defaults to. */
const demoClient = (overrides: { clientSecret?: string; audience?: string } = {}) => ({
  clientId: DEMO_AUTH0_CLIENT_ID,
  clientSecret: DEMO_AUTH0_CLIENT_SECRET,
  audience: `${fake.url}/api/v2/`,
  ...overrides,
});

function config(management: Auth0Config['management'] = demoClient()): Auth0Config {
  return { baseUrl: fake.url, audience: DEMO_AUTH0_AUDIENCE, management };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('the Auth0 Management API token', () => {
  it('is requested once, form-encoded with client credentials for the Management API, and shared', async () => {
    const issuedBefore = fake.issuedManagementTokens;
    const token = managementToken(config(), http);
    const values = await Promise.all([token.get(), token.get(), token.get()]);
    expect(new Set(values).size).toBe(1);
    expect(await token.get()).toBe(values[0]);
    expect(fake.issuedManagementTokens - issuedBefore).toBe(1);

    const [request] = fake.requestsTo(/^\/oauth\/token$/);
    expect(fake.requestsTo(/^\/oauth\/token$/)).toHaveLength(1);
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.body).toEqual({
      grant_type: 'client_credentials',
      client_id: DEMO_AUTH0_CLIENT_ID,
      client_secret: DEMO_AUTH0_CLIENT_SECRET,
      audience: `${fake.url}/api/v2/`,
    });
  });

  it('is renewed 10 s before the expires_in Auth0 gave it, without waiting for a 401', async () => {
    fake.tokenLifetimeSeconds = 12; // kept for 2 s, then renewed
    try {
      const token = managementToken(config(), http);
      const first = await token.get();
      expect(await token.get()).toBe(first);
      expect(fake.requestsTo(/^\/oauth\/token$/)).toHaveLength(1);

      await new Promise((resolve) => setTimeout(resolve, 2500));
      const renewed = await token.get();
      expect(renewed).not.toBe(first);
      expect(fake.requestsTo(/^\/oauth\/token$/)).toHaveLength(2);
      // No organization call was made, so no 401 prompted it.
      expect(fake.requests.map((request) => request.rawPath)).toEqual(['/oauth/token', '/oauth/token']);
    } finally {
      fake.tokenLifetimeSeconds = 86_400;
    }
  });

  it('is fixed by configuration when a token is given: nothing is requested', async () => {
    const token = managementToken(config({ token: 'configured-management-token' }), http);
    expect(await token.get()).toBe('configured-management-token');
    expect(fake.requests).toHaveLength(0);
  });

  it('refused client credentials are UPSTREAM_ERROR for AUTH0, without the secret', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const error = await failure(
      managementToken(config(demoClient({ clientSecret: secret })), http).get(),
    );
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.details).toEqual({ provider: 'AUTH0' });
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(secret);
  });

  describe('of a tenant reached at a custom domain', () => {
    beforeEach(() => {
      fake.canonicalDomain = 'travel0.us.auth0.com';
    });
    afterEach(() => {
      fake.canonicalDomain = null;
    });

    it('is asked at the custom domain for the canonical Management API identifier (AUTH0_MANAGEMENT_AUDIENCE)', async () => {
      const token = managementToken(config(demoClient({ audience: 'https://travel0.us.auth0.com/api/v2/' })), http);
      expect(await token.get()).toEqual(expect.any(String));
      expect(fake.requestsTo(/^\/oauth\/token$/).map((request) => (request.body as Record<string, string>)['audience'])).toEqual([
        'https://travel0.us.auth0.com/api/v2/',
      ]);
    });

    it("asked for the custom domain's /api/v2/ (the default), is UPSTREAM_ERROR saying which setting to set", async () => {
      const error = await failure(managementToken(config(), http).get());
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.details).toEqual({ provider: 'AUTH0' });
      expect(error.message).toMatch(/HTTP 403.*AUTH0_MANAGEMENT_AUDIENCE/);
    });
  });

  it.each([
    ['a 503', 'UPSTREAM_UNAVAILABLE', { status: 503, body: { error: 'temporarily_unavailable' } }],
    ['an answer without access_token', 'UPSTREAM_ERROR', { status: 200, body: { expires_in: 86400, token_type: 'Bearer' } }],
    ['an answer that is not JSON', 'UPSTREAM_ERROR', { status: 200, rawBody: 'access_token=abc' }],
    ['a reset connection', 'UPSTREAM_UNAVAILABLE', { reset: true }],
  ])('%s from the token endpoint is %s', async (_label, code, fault) => {
    fake.fail({ path: /^\/oauth\/token$/, ...fault, times: Infinity });
    const error = await failure(managementToken(config(), http).get());
    expect(error.code).toBe(code);
    expect(error.details).toEqual({ provider: 'AUTH0' });
    expect(error.message).not.toContain(DEMO_AUTH0_CLIENT_SECRET);
  });
});
