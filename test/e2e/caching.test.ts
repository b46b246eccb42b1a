/**
 * Caches across requests: off by default for membership lists (test/e2e/batching.test.ts),
 * and when turned on, keyed so that no caller ever sees a list it could not fetch itself.
 * Verified caller tokens are kept too, but never past their expiry.
 */
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from '../../src/fakes/auth0/seed';
import { DEMO_CF_USER_GUID } from '../../src/fakes/cloudfoundry/seed';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT, DEMO_WACHT_USER } from '../../src/fakes/wacht/seed';
import { startHarness, type Harness } from '../support/harness';

const usersRoute = /^\/api\/v2\/users\/[^/]+\/organizations$/;
const wachtRoute = /^\/me\/organization-memberships$/;
const cfRoute = /^\/v2\/users\/[^/]+\/organizations$/;
const MEMBERSHIPS = '{ myOrganizationMemberships(first: 5) { totalCount nodes { provider organization { name } } } }';

describe('with MEMBERSHIP_CACHE_TTL_SECONDS and role permissions kept', () => {
  let harness: Harness;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** What the server logged at warn and above. */
  const logLines: string[] = [];

  beforeAll(async () => {
    harness = await startHarness({
      logStream: { write: (line: string) => logLines.push(line) },
      config: (config) => ({
        ...config,
        logLevel: 'warn',
        membershipCacheTtlSeconds: 60,
        rolePermissionsCacheTtlSeconds: 60,
        // Caller-token mode: Cloud Foundry answers each caller with their own token.
        cloudFoundry: { ...config.cloudFoundry!, client: null },
      }),
    });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  it("keeps an Auth0 user's list for the user and for an administrator, never for a forbidden caller", async () => {
    const user = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const admin = await harness.auth0.mintCallerToken('auth0|cache-admin', {
      audience: DEMO_AUTH0_AUDIENCE,
      permissions: ['read:organizations'],
    });
    const stranger = await harness.auth0.mintCallerToken('auth0|cache-stranger', { audience: DEMO_AUTH0_AUDIENCE });
    const first = await harness.graphql(MEMBERSHIPS, { headers: bearer(user) });
    const again = await harness.graphql(MEMBERSHIPS, { headers: bearer(user) });
    expect(again.body).toEqual(first.body);
    expect(first.body.data!.myOrganizationMemberships.totalCount).toBe(12);

    const lookup = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { organizations { totalCount } } } }`;
    const variables = { r: [{ __typename: 'User', id: DEMO_AUTH0_USER_ID }] };
    const byAdmin = await harness.graphql(lookup, { variables, headers: bearer(admin) });
    expect(byAdmin.body.data!._entities).toEqual([{ organizations: { totalCount: 12 } }]);
    const byStranger = await harness.graphql(lookup, { variables, headers: bearer(stranger) });
    expect(byStranger.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(byStranger.body.data!._entities).toEqual([{ organizations: null }]);

    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(1);
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toMatch(/^cache_lookups_total\{cache="membership_lists",outcome="hit"\} [1-9]/m);
    expect(metrics).toMatch(/^cache_lookups_total\{cache="verified_tokens",outcome="hit"\} [1-9]/m);
  });

  it('says in the log of each request that reads it, from the cache too, that an Auth0 list stops at the paging wall', async () => {
    const userId = 'auth0|cache-wall-member';
    harness.auth0.addUser(userId);
    for (let index = 0; index < 1001; index += 1) {
      const organization = harness.auth0.addOrganization({ id: `org_cachewall${String(index).padStart(5, '0')}`, name: `cache-wall-${index}` });
      harness.auth0.addMember(organization.id, userId);
    }
    const token = await harness.auth0.mintCallerToken(userId, { audience: DEMO_AUTH0_AUDIENCE });
    logLines.length = 0;
    for (let request = 0; request < 2; request += 1) {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: bearer(token) });
      expect(body.data!.myOrganizationMemberships.totalCount).toBe(1000);
    }
    // Ten pages, once: the second list came from the cache.
    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(10);
    const cut = logLines.map((line) => JSON.parse(line)).filter((line) => /first 1000 organizations/.test(line.msg));
    expect(cut.map(({ listed, total }) => ({ listed, total }))).toEqual([
      { listed: 1000, total: 1001 },
      { listed: 1000, total: 1001 },
    ]);
    expect(new Set(cut.map((line) => line.reqId)).size).toBe(2);
  });

  it('keeps a Wacht list per session: another session is asked for its own', async () => {
    await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION } });
    await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION } });
    const other = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION_CURRENT } });
    expect(other.body.data!.myOrganizationMemberships.totalCount).toBe(3);
    expect(harness.wacht.requestsTo(wachtRoute).map((request) => request.headers.cookie)).toEqual([
      `__session=${DEMO_WACHT_SESSION}`,
      `__session=${DEMO_WACHT_SESSION_CURRENT}`,
    ]);
  });

  it('never answers a Wacht session from the cache once it has expired', async () => {
    const session = await harness.wacht.signIn(DEMO_WACHT_USER, { expiresInSeconds: 40 });
    const first = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': session } });
    expect(first.body.errors).toBeUndefined();
    // 15 s on: the session is within the 30 s the subgraph allows for clock skew, its list still kept (60 s).
    const realNow = Date.now.bind(Date);
    const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 15_000);
    try {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': session } });
      expect(body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/expired/), extensions: { code: 'UNAUTHENTICATED', provider: 'WACHT' } }),
      ]);
      expect(body.data!.myOrganizationMemberships).toEqual({ totalCount: 0, nodes: [] });
    } finally {
      later.mockRestore();
    }
    expect(harness.wacht.requestsTo(wachtRoute)).toHaveLength(1);
  });

  it("keeps Cloud Foundry pages per caller token when the caller's own token is used", async () => {
    const one = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    const two = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { expiresInSeconds: 1800 });
    await harness.graphql(MEMBERSHIPS, { headers: bearer(one) });
    await harness.graphql(MEMBERSHIPS, { headers: bearer(one) });
    await harness.graphql(MEMBERSHIPS, { headers: bearer(two) });
    expect(harness.cloudFoundry.requestsTo(cfRoute).map((request) => request.headers.authorization)).toEqual([
      `bearer ${one}`,
      `bearer ${two}`,
    ]);
  });

  it("keeps members' roles: a user coming back costs no role call, in Auth0 or Cloud Foundry", async () => {
    const withRoles = '{ myOrganizationMemberships(first: 100) { totalCount nodes { provider roles { name } } } }';
    const auth0User = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const cfUser = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    for (const [fake, token, roleRoute, calls] of [
      [harness.auth0, auth0User, /^\/api\/v2\/organizations\/[^/]+\/members\/[^/]+\/roles$/, 12],
      [harness.cloudFoundry, cfUser, /^\/v2\/users\/[^/]+\/(managed|billing_managed|audited)_organizations$/, 3],
    ] as const) {
      const first = await harness.graphql(withRoles, { headers: bearer(token) });
      expect(first.body.errors).toBeUndefined();
      expect(first.body.data!.myOrganizationMemberships.nodes.some((node: { roles: unknown[] }) => node.roles.length > 0)).toBe(true);
      const asked = fake.requestsTo(roleRoute).length;
      expect([String(roleRoute), asked]).toEqual([String(roleRoute), calls]);
      const again = await harness.graphql(withRoles, { headers: bearer(token) });
      expect(again.body).toEqual(first.body);
      expect(fake.requestsTo(roleRoute)).toHaveLength(asked);
    }
  });

  it('keeps Auth0 role permissions across requests', async () => {
    const user = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const withRoles = '{ myOrganizationMemberships(first: 3) { nodes { roles { name permissions } } } }';
    const first = await harness.graphql(withRoles, { headers: bearer(user) });
    const again = await harness.graphql(withRoles, { headers: bearer(user) });
    expect(again.body).toEqual(first.body);
    const permissions = harness.auth0.requestsTo(/^\/api\/v2\/roles\/[^/]+\/permissions$/).map((request) => request.rawPath);
    expect(permissions.length).toBeGreaterThan(0);
    expect(new Set(permissions).size).toBe(permissions.length);
  });
});

describe('verified caller tokens', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('are kept no longer than they are valid: a token accepted once is UNAUTHENTICATED after it expires', async () => {
    // Warm (signing keys, Management API token), so that the token below is used at once.
    const fresh = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    await harness.graphql(MEMBERSHIPS, { headers: { authorization: `Bearer ${fresh}` } });
    harness.fakes.reset();
    // exp 26 s ago: accepted within the verifier's 30 s clock tolerance for 3 to 4 s more.
    const token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, {
      audience: DEMO_AUTH0_AUDIENCE,
      expiresInSeconds: -26,
    });
    const headers = { authorization: `Bearer ${token}` };
    const first = await harness.graphql(MEMBERSHIPS, { headers });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.myOrganizationMemberships.totalCount).toBe(12);
    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 5000)); // past the tolerance too
    const second = await harness.graphql(MEMBERSHIPS, { headers });
    expect(second.body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(second.body)).not.toContain(token);
    expect(second.body.data?.myOrganizationMemberships ?? null).toBeNull();
    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(1);
  });
});
