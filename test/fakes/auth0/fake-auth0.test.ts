/**
 * The Auth0 fake must answer as the tenant does, or tests of the Auth0 provider prove nothing:
 * these exercise it over loopback with plain `fetch` and compare against the documented
 * shapes and bodies, written out literally rather than taken from the fake's own helpers.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify } from 'jose';
import { FakeAuth0 } from '../../../src/fakes/auth0/fake-auth0';
import {
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_CLIENT_ID,
  DEMO_AUTH0_CLIENT_SECRET,
  DEMO_AUTH0_SIWE_USER_ID,
  DEMO_AUTH0_USER_ID,
  seedAuth0,
  type SeededAuth0,
} from '../../../src/fakes/auth0/seed';

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const fake = new FakeAuth0();
let seeded: SeededAuth0;

beforeAll(async () => {
  seeded = seedAuth0(fake);
  await fake.start();
});

afterAll(() => fake.stop());

afterEach(() => {
  fake.reset();
  fake.tokenLifetimeSeconds = 86_400;
});

const DEMO_USER_PATH = `/api/v2/users/${encodeURIComponent(DEMO_AUTH0_USER_ID)}/organizations`;

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function postToken(server: FakeAuth0, fields: Record<string, string>): Promise<Answer> {
  return fetch(`${server.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields) }).then(answer);
}

function clientCredentials(server: FakeAuth0, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: DEMO_AUTH0_CLIENT_ID,
    client_secret: DEMO_AUTH0_CLIENT_SECRET,
    audience: server.managementAudience,
    ...overrides,
  };
}

async function managementToken(server = fake, clientId = DEMO_AUTH0_CLIENT_ID, secret = DEMO_AUTH0_CLIENT_SECRET) {
  const { body } = await postToken(server, clientCredentials(server, { client_id: clientId, client_secret: secret }));
  return (body as { access_token: string }).access_token;
}

async function get(path: string, token?: string, server = fake): Promise<Answer> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return fetch(`${server.url}${path}`, { headers }).then(answer);
}

async function getWithToken(path: string, server = fake): Promise<Answer> {
  return get(path, await managementToken(server), server);
}

function organizationId(name: string): string {
  const organization = seeded.organizations.find((candidate) => candidate.name === name);
  if (!organization) throw new Error(`no seeded organization ${name}`);
  return organization.id;
}

function roleId(name: string): string {
  const role = seeded.roles.find((candidate) => candidate.name === name);
  if (!role) throw new Error(`no seeded role ${name}`);
  return role.id;
}

function ids(items: unknown): string[] {
  return (items as { id: string }[]).map((item) => item.id);
}

function invalidQuery(message: string) {
  return { statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_query_string' };
}

describe('POST /oauth/token', () => {
  it('issues a Management API token for client credentials sent form-encoded', async () => {
    const before = fake.issuedManagementTokens;
    const { status, body } = await postToken(fake, clientCredentials(fake));
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.any(String),
      expires_in: 86_400,
      scope: 'read:organizations read:organization_member_roles read:roles',
      token_type: 'Bearer',
    });
    const claims = decodeJwt((body as { access_token: string }).access_token);
    expect(claims).toMatchObject({
      iss: `${fake.url}/`,
      aud: `${fake.url}/api/v2/`,
      sub: `${DEMO_AUTH0_CLIENT_ID}@clients`,
      scope: 'read:organizations read:organization_member_roles read:roles',
    });
    expect(fake.issuedManagementTokens).toBe(before + 1);
  });

  it('accepts the same request as JSON', async () => {
    const response = await fetch(`${fake.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(clientCredentials(fake)),
    });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong secret or an unknown client with 401 access_denied', async () => {
    const expected = { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } };
    expect(await postToken(fake, clientCredentials(fake, { client_secret: 'wrong' }))).toMatchObject(expected);
    expect(await postToken(fake, clientCredentials(fake, { client_id: 'nobody' }))).toMatchObject(expected);
  });

  it('refuses an audience other than the exact Management API identifier with 403', async () => {
    for (const audience of ['https://elsewhere.example.com/api/v2/', `${fake.url}/api/v2`]) {
      expect(await postToken(fake, clientCredentials(fake, { audience }))).toMatchObject({
        status: 403,
        body: { error: 'access_denied', error_description: `Service not enabled within domain: ${audience}` },
      });
    }
  });

  it('issues tokens with the configured lifetime', async () => {
    fake.tokenLifetimeSeconds = 120;
    const { body } = await postToken(fake, clientCredentials(fake));
    const claims = decodeJwt((body as { access_token: string }).access_token);
    expect((body as { expires_in: number }).expires_in).toBe(120);
    expect(claims.exp! - claims.iat!).toBe(120);
  });
});

describe('GET /api/v2/users/{id}/organizations', () => {
  it('answers a bare array of the user’s organizations, in organization id order', async () => {
    const { status, body } = await getWithToken(DEMO_USER_PATH);
    expect(status).toBe(200);
    const received = ids(body);
    expect(received).toHaveLength(12);
    expect(received).toEqual([...received].sort((a, b) => (a < b ? -1 : 1)));
    expect((body as unknown[])[0]).toEqual(seeded.organizations.find((org) => org.id === received[0]));
  });

  it('pages with page/per_page, and wraps the page with include_totals=true', async () => {
    const token = await managementToken();
    const all = ids((await get(DEMO_USER_PATH, token)).body);
    const pages = await Promise.all(
      [0, 1, 2].map((page) => get(`${DEMO_USER_PATH}?page=${page}&per_page=5`, token)),
    );
    expect(pages.map((page) => ids(page.body).length)).toEqual([5, 5, 2]);
    expect(pages.flatMap((page) => ids(page.body))).toEqual(all);

    const withTotals = await get(`${DEMO_USER_PATH}?page=1&per_page=5&include_totals=true`, token);
    expect(withTotals.body).toEqual({ start: 5, limit: 5, total: 12, organizations: expect.any(Array) });
    expect(ids((withTotals.body as { organizations: unknown }).organizations)).toEqual(all.slice(5, 10));

    const withoutTotals = await get(`${DEMO_USER_PATH}?per_page=5&include_totals=false`, token);
    expect(ids(withoutTotals.body)).toEqual(all.slice(0, 5));
  });

  it('refuses offsets past the first 1000 records', async () => {
    const token = await managementToken();
    expect((await get(`${DEMO_USER_PATH}?page=9&per_page=100`, token)).body).toEqual([]);
    expect((await get(`${DEMO_USER_PATH}?page=19`, token)).status).toBe(200);
    expect((await get(`${DEMO_USER_PATH}?page=999&per_page=1`, token)).status).toBe(200);
    for (const query of ['page=10&per_page=100', 'page=20', 'page=1000&per_page=1']) {
      const { status, body } = await get(`${DEMO_USER_PATH}?${query}`, token);
      expect(status).toBe(400);
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_query_string' });
      expect((body as { message: string }).message).toMatch(/first 1000 records/);
    }
  });

  it('validates the query strictly, as Auth0 does', async () => {
    const token = await managementToken();
    expect((await get(`${DEMO_USER_PATH}?include_totals=true&from=abc`, token)).body).toEqual(
      invalidQuery("Query validation error: 'Additional properties not allowed: from' on property query (Query parameters)"),
    );
    expect((await get(`${DEMO_USER_PATH}?per_page=1000`, token)).body).toEqual(
      invalidQuery(
        "Query validation error: 'Value 1000 is greater than maximum 100' on property per_page (Number of results per page. Defaults to 50.)",
      ),
    );
    const problems: Record<string, string> = {
      'per_page=0': 'Value 0 is less than minimum 1',
      'page=-1': 'Value -1 is less than minimum 0',
      'page=1001': 'Value 1001 is greater than maximum 1000',
      'page=abc': 'Expected type integer but found type string',
      'page=1.5': 'Expected type integer but found type number',
      'page=1&page=2': 'Expected type integer but found type array',
      'include_totals=yes': 'Expected type boolean but found type string',
    };
    for (const [query, problem] of Object.entries(problems)) {
      const { status, body } = await get(`${DEMO_USER_PATH}?${query}`, token);
      expect(status).toBe(400);
      expect(body).toMatchObject({ errorCode: 'invalid_query_string' });
      expect((body as { message: string }).message).toContain(`'${problem}'`);
    }
  });

  it('decodes the id once: `%7C`, `%3A` and `%2F` name the user, a bare `/` is another route', async () => {
    const token = await managementToken();
    const siwePath = `/api/v2/users/${encodeURIComponent(DEMO_AUTH0_SIWE_USER_ID)}/organizations`;
    expect(siwePath).toContain('oauth2%7Csiwe%7Ceip155%3A5%3A0xabc%2Fdef');
    const siwe = await get(siwePath, token);
    expect(siwe.status).toBe(200);
    expect(ids(siwe.body).sort()).toEqual([organizationId('acme'), organizationId('zk-collective')].sort());

    expect(await get('/api/v2/users/oauth2%7Csiwe%7Ceip155%3A5%3A0xabc/def/organizations', token)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Not Found' },
    });
    const doubleEncoded = `/api/v2/users/${encodeURIComponent(encodeURIComponent(DEMO_AUTH0_USER_ID))}/organizations`;
    expect((await get(doubleEncoded, token)).body).toMatchObject({ errorCode: 'inexistent_user' });
  });

  it('answers 404 inexistent_user for an unknown user and 400 invalid_uri for an empty id', async () => {
    const token = await managementToken();
    expect(await get('/api/v2/users/auth0%7Cnobody/organizations', token)).toEqual(
      expect.objectContaining({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'User not found', errorCode: 'inexistent_user' },
      }),
    );
    expect((await get('/api/v2/users//organizations', token)).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid_request_uri',
      errorCode: 'invalid_uri',
    });
  });
});

describe('GET /api/v2/organizations/{org_id}/members/{user_id}/roles', () => {
  const rolesPath = (organization: string, userId = DEMO_AUTH0_USER_ID) =>
    `/api/v2/organizations/${organizationId(organization)}/members/${encodeURIComponent(userId)}/roles`;

  it('lists the member’s roles in that organization, with paging and totals', async () => {
    const token = await managementToken();
    const all = await get(rolesPath('acme_research'), token);
    expect(all.status).toBe(200);
    expect(all.body).toEqual(
      [seeded.roles.find((role) => role.name === 'member'), seeded.roles.find((role) => role.name === 'billing')].sort(
        (a, b) => (a!.id < b!.id ? -1 : 1),
      ),
    );
    const second = await get(`${rolesPath('acme_research')}?page=1&per_page=1&include_totals=true`, token);
    expect(second.body).toEqual({ start: 1, limit: 1, total: 2, roles: [(all.body as unknown[])[1]] });
  });

  it('works for ids that need encoding, and is empty for a non-member', async () => {
    const token = await managementToken();
    expect(ids((await get(rolesPath('zk-collective', DEMO_AUTH0_SIWE_USER_ID), token)).body)).toEqual([
      roleId('admin'),
    ]);
    expect((await get(rolesPath('zk-collective'), token)).body).toEqual([]);
  });

  it('answers 404 inexistent_organization for an unknown organization', async () => {
    const path = `/api/v2/organizations/org_doesnotexist00/members/${encodeURIComponent(DEMO_AUTH0_USER_ID)}/roles`;
    expect(await getWithToken(path)).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: 'Not Found',
        message: 'No organization found by that id or name',
        errorCode: 'inexistent_organization',
      },
    });
  });
});

describe('GET /api/v2/roles/{id}/permissions', () => {
  it('lists the role’s permissions, with paging and totals', async () => {
    const token = await managementToken();
    const all = await get(`/api/v2/roles/${roleId('admin')}/permissions`, token);
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(4);
    expect((all.body as unknown[])[0]).toEqual({
      permission_name: 'update:organization',
      description: expect.any(String),
      resource_server_name: 'Organizations API',
      resource_server_identifier: DEMO_AUTH0_AUDIENCE,
    });
    const page = await get(`/api/v2/roles/${roleId('admin')}/permissions?page=1&per_page=2&include_totals=true`, token);
    expect(page.body).toEqual({ start: 2, limit: 2, total: 4, permissions: (all.body as unknown[]).slice(2) });
    expect((await get(`/api/v2/roles/${roleId('admin')}/permissions?per_page=101`, token)).status).toBe(400);
  });

  it('answers 404 inexistent_role for an unknown role', async () => {
    expect(await getWithToken('/api/v2/roles/rol_doesnotexist00/permissions')).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'The role does not exist.', errorCode: 'inexistent_role' },
    });
  });
});

describe('GET /api/v2/organizations/{id}', () => {
  it('answers the organization', async () => {
    const acme = seeded.organizations.find((org) => org.name === 'acme');
    expect(await getWithToken(`/api/v2/organizations/${acme!.id}`)).toMatchObject({ status: 200, body: acme });
  });

  it('answers 404 inexistent_organization for an unknown id, and 400 for any query parameter', async () => {
    const token = await managementToken();
    expect((await get('/api/v2/organizations/org_doesnotexist00', token)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No organization found by that id or name',
      errorCode: 'inexistent_organization',
    });
    expect((await get(`/api/v2/organizations/${organizationId('acme')}?fields=name`, token)).body).toEqual(
      invalidQuery("Query validation error: 'Additional properties not allowed: fields' on property query (Query parameters)"),
    );
  });
});

describe('Management API authorization', () => {
  const routes = () => [
    DEMO_USER_PATH,
    `/api/v2/organizations/${organizationId('acme')}`,
    `/api/v2/organizations/${organizationId('acme')}/members/${encodeURIComponent(DEMO_AUTH0_USER_ID)}/roles`,
    `/api/v2/roles/${roleId('admin')}/permissions`,
  ];
  const invalidToken = { statusCode: 401, error: 'Unauthorized', message: 'Invalid token.' };

  it('refuses every route without a token, or with one that is not a JWT', async () => {
    for (const path of routes()) {
      expect(await get(path)).toMatchObject({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: 'Missing authentication' },
      });
      const garbage = await get(path, 'not-a-jwt');
      expect(garbage.status).toBe(401);
      expect(garbage.body).toEqual(invalidToken);
    }
  });

  it('refuses an expired token', async () => {
    fake.tokenLifetimeSeconds = 0;
    const { status, body } = await getWithToken(DEMO_USER_PATH);
    expect(status).toBe(401);
    expect(body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Expired token received for JSON Web Token validation.',
    });
  });

  it('refuses revoked tokens until a new one is issued', async () => {
    const token = await managementToken();
    expect((await get(DEMO_USER_PATH, token)).status).toBe(200);
    fake.revokeManagementTokens();
    expect(await get(DEMO_USER_PATH, token)).toMatchObject({ status: 401, body: invalidToken });
    const before = fake.issuedManagementTokens;
    expect((await getWithToken(DEMO_USER_PATH)).status).toBe(200);
    expect(fake.issuedManagementTokens).toBe(before + 1);
  });

  it('refuses a token whose signature does not match, and a valid JWT it never issued', async () => {
    const [header, , signature] = (await managementToken()).split('.');
    const forgedClaims = { ...decodeJwt(await managementToken()), scope: 'read:users' };
    const forged = [header, Buffer.from(JSON.stringify(forgedClaims)).toString('base64url'), signature].join('.');
    expect((await get(DEMO_USER_PATH, forged)).body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid signature received for JSON Web Token validation.',
    });
    const neverIssued = await fake.mintCallerToken(`${DEMO_AUTH0_CLIENT_ID}@clients`, {
      audience: fake.managementAudience,
      scope: 'read:organizations',
    });
    expect((await get(DEMO_USER_PATH, neverIssued)).body).toEqual(invalidToken);
  });

  it('answers 403 insufficient_scope naming the scope the route needs', async () => {
    fake.addClient('rolesOnlyClient', 'roles-secret', ['read:roles']);
    fake.addClient('organizationsOnlyClient', 'organizations-secret', ['read:organizations']);
    const rolesOnly = await managementToken(fake, 'rolesOnlyClient', 'roles-secret');
    const organizationsOnly = await managementToken(fake, 'organizationsOnlyClient', 'organizations-secret');
    const [userOrganizations, , memberRoles] = routes();
    expect(await get(userOrganizations!, rolesOnly)).toMatchObject({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope; expected any of: read:organizations.',
        errorCode: 'insufficient_scope',
      },
    });
    expect((await get(memberRoles!, organizationsOnly)).body).toMatchObject({
      message: 'Insufficient scope; expected any of: read:organization_member_roles.',
    });
    expect((await get(`/api/v2/roles/${roleId('admin')}/permissions`, organizationsOnly)).body).toMatchObject({
      message: 'Insufficient scope; expected any of: read:roles.',
    });
  });
});

describe('rate limits', () => {
  const limited = new FakeAuth0();

  beforeAll(async () => {
    seedAuth0(limited);
    await limited.start();
  });

  afterAll(() => limited.stop());

  it('sends X-RateLimit-* headers, Reset in epoch seconds, on success and error answers', async () => {
    limited.rateLimit = { limit: 50, refillPerSecond: 1 };
    const token = await managementToken(limited);
    const first = await get(DEMO_USER_PATH, token, limited);
    const second = await get('/api/v2/users/auth0%7Cnobody/organizations', token, limited);
    expect(second.status).toBe(404);
    const now = Date.now() / 1000;
    for (const { headers } of [first, second]) {
      expect(headers.get('x-ratelimit-limit')).toBe('50');
      const reset = Number(headers.get('x-ratelimit-reset'));
      expect(Number.isInteger(reset)).toBe(true);
      expect(reset).toBeGreaterThanOrEqual(Math.floor(now));
      expect(reset).toBeLessThan(now + 60);
    }
    expect(Number(second.headers.get('x-ratelimit-remaining'))).toBeLessThan(
      Number(first.headers.get('x-ratelimit-remaining')),
    );
  });

  it('answers 429 too_many_requests once the tenant’s bucket is empty', async () => {
    const token = await managementToken(limited);
    limited.rateLimit = { limit: 2, refillPerSecond: 0.01 };
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await get(DEMO_USER_PATH, token, limited));
    expect(answers.map((each) => each.status)).toEqual([200, 200, 429]);
    expect(answers.map((each) => each.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '0']);
    expect(answers[2]!.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
      errorCode: 'too_many_requests',
    });
    expect(Number(answers[2]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 100);
  });

  it('injects a 429 on the Management API only, with the headers asked for', async () => {
    fake.fail(FakeAuth0.rateLimited({ resetInSeconds: 7, retryAfterSeconds: 3 }));
    const token = await managementToken();
    const throttled = await get(DEMO_USER_PATH, token);
    expect(throttled.status).toBe(429);
    expect(throttled.body).toMatchObject({ statusCode: 429, errorCode: 'too_many_requests' });
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(throttled.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 5);
    expect((await get(DEMO_USER_PATH, token)).status).toBe(200);
  });
});

describe('caller tokens and JWKS', () => {
  const verifyOptions = () => ({ issuer: `${fake.url}/`, audience: DEMO_AUTH0_AUDIENCE, algorithms: ['RS256'] });
  const remoteKeys = (server = fake) =>
    createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`), { cooldownDuration: 0 });

  it('publishes the tenant’s public RS256 keys', async () => {
    const { status, body } = await get('/.well-known/jwks.json');
    expect(status).toBe(200);
    const { keys } = body as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([
      { kty: 'RSA', kid: expect.any(String), alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' },
    ]);
  });

  it('mints tokens that verify against the JWKS, with the claims Auth0 writes', async () => {
    const token = await fake.mintCallerToken(DEMO_AUTH0_USER_ID, {
      audience: DEMO_AUTH0_AUDIENCE,
      scope: 'openid read:organizations',
      permissions: ['read:organizations'],
    });
    const { payload, protectedHeader } = await jwtVerify(token, remoteKeys(), verifyOptions());
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: fake.jwks().keys[0]!.kid });
    expect(payload).toMatchObject({
      iss: `${fake.url}/`,
      sub: DEMO_AUTH0_USER_ID,
      aud: DEMO_AUTH0_AUDIENCE,
      scope: 'openid read:organizations',
      permissions: ['read:organizations'],
      azp: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('mints the bad tokens a verifier must refuse', async () => {
    const mint = (options: object) =>
      fake.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, ...options });
    await expect(jwtVerify(await mint({ expiresInSeconds: -10 }), remoteKeys(), verifyOptions())).rejects.toThrow(
      joseErrors.JWTExpired,
    );
    await expect(
      jwtVerify(await mint({ issuer: 'https://other.example.com/' }), remoteKeys(), verifyOptions()),
    ).rejects.toThrow(joseErrors.JWTClaimValidationFailed);
    await expect(jwtVerify(await mint({ kid: 'unknown' }), remoteKeys(), verifyOptions())).rejects.toThrow(
      joseErrors.JWKSNoMatchingKey,
    );
    const hs256 = await mint({ algorithm: 'HS256' });
    expect(decodeProtectedHeader(hs256).alg).toBe('HS256');
    await expect(jwtVerify(hs256, remoteKeys(), verifyOptions())).rejects.toThrow();
  });

  it.each(['RS384', 'PS256'])(
    'signs %s tokens with the tenant’s own published key, so only their algorithm is wrong',
    async (algorithm) => {
      const token = await fake.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, algorithm });
      const { kid, alg } = decodeProtectedHeader(token);
      expect([kid, alg]).toEqual([fake.jwks().keys[0]!.kid, algorithm]);
      // The published key, taken for this algorithm (the JWK names RS256), verifies the signature.
      const { alg: _published, ...tenantKey } = fake.jwks().keys[0]!;
      const { payload } = await jwtVerify(token, await importJWK(tenantKey, algorithm), { ...verifyOptions(), algorithms: [algorithm] });
      expect(payload.sub).toBe(DEMO_AUTH0_USER_ID);
      // A verifier that takes RS256 only refuses it.
      await expect(jwtVerify(token, remoteKeys(), verifyOptions())).rejects.toThrow();
    },
  );

  it('rotates keys: new tokens carry the new kid, a cached JWKS refetches, old keys can be revoked', async () => {
    const rotating = new FakeAuth0();
    seedAuth0(rotating);
    await rotating.start();
    try {
      const options = { issuer: `${rotating.url}/`, audience: DEMO_AUTH0_AUDIENCE };
      const keys = remoteKeys(rotating);
      const before = await rotating.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
      await jwtVerify(before, keys, options);
      const managementBefore = await managementToken(rotating);

      const newKid = await rotating.rotateKey();
      const after = await rotating.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
      expect(decodeProtectedHeader(after).kid).toBe(newKid);
      expect(decodeProtectedHeader(before).kid).not.toBe(newKid);
      await jwtVerify(after, keys, options);
      await jwtVerify(before, keys, options);
      expect(rotating.jwks().keys).toHaveLength(2);

      await rotating.rotateKey({ revokePrevious: true });
      await expect(jwtVerify(after, remoteKeys(rotating), options)).rejects.toThrow(joseErrors.JWKSNoMatchingKey);
      expect((await get(DEMO_USER_PATH, managementBefore, rotating)).status).toBe(401);
    } finally {
      await rotating.stop();
    }
  });
});
