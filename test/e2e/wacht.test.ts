/**
 * Wacht end to end: the real server over loopback, the Wacht fake behind it.
 */
import { FIBER_LIMITER_DEFAULT, FakeWacht } from '../../src/fakes/wacht/fake-wacht';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT, DEMO_WACHT_USER } from '../../src/fakes/wacht/seed';
import { WACHT_DEMO_NAMES_ASC } from '../support/expected';
import { startHarness, type Harness } from '../support/harness';

const NAMES_ASC = WACHT_DEMO_NAMES_ASC;

const MEMBERSHIPS = /* GraphQL */ `
  query Memberships($first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter,
                    $orderDirection: OrderDirection, $providers: [IdentityProvider!]) {
    myOrganizationMemberships(first: $first, after: $after, last: $last, before: $before, filter: $filter,
                              orderDirection: $orderDirection, providers: $providers) {
      totalCount
      unavailableProviders
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id provider createdAt updatedAt
        organization { id provider providerId name displayName slug imageUrl status createdAt updatedAt }
        roles { id name permissions } } }
      nodes { id }
    }
  }
`;

const session = { 'x-wacht-session': DEMO_WACHT_SESSION };
const names = (connection: any): string[] => connection.edges.map((edge: any) => edge.node.organization.name);

describe('myOrganizationMemberships with a Wacht session', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.wacht.reset());
  const upstreamCalls = () => harness.wacht.requestsTo(/^\/me\/organization-memberships$/).length;

  it('forwards the session cookie and returns every membership sorted by name, mapped as the contract says', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 20 },
      headers: { cookie: `theme=dark; __session=${DEMO_WACHT_SESSION}` },
    });
    expect(body.errors).toBeUndefined();
    const connection = body.data!.myOrganizationMemberships;
    expect(names(connection)).toEqual(NAMES_ASC);
    expect(connection.totalCount).toBe(8);
    expect(connection.unavailableProviders).toEqual([]);
    expect(connection.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(connection.nodes.map((node: any) => node.id)).toEqual(connection.edges.map((edge: any) => edge.node.id));
    const acme = connection.edges[1].node;
    expect(acme).toEqual({
      id: 'wacht:membership_123456789',
      provider: 'WACHT',
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-01-15T10:30:00Z',
      organization: {
        id: 'wacht:org_123456789',
        provider: 'WACHT',
        providerId: 'org_123456789',
        name: 'acme corp',
        displayName: null,
        slug: 'acme-corp',
        imageUrl: 'https://cdn.example.com/orgs/acme-corp.jpg',
        status: 'ACTIVE',
        createdAt: null,
        updatedAt: null,
      },
      roles: [{ id: 'role_admin', name: 'Administrator', permissions: ['read', 'write', 'admin'] }],
    });
    const [request] = harness.wacht.requests;
    expect(request!.headers.cookie).toBe(`__session=${DEMO_WACHT_SESSION}`);
  });

  it('accepts X-Wacht-Session and forwards it as the __session cookie', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, { headers: session });
    expect(names(body.data!.myOrganizationMemberships)).toEqual(NAMES_ASC);
    expect(harness.wacht.requests.map((request) => request.headers.cookie)).toEqual([`__session=${DEMO_WACHT_SESSION}`]);
  });

  it("prefers X-Wacht-Session to a __session cookie beside it (another app's on the same host, say)", async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, { headers: { ...session, cookie: '__session=another-apps-session' } });
    expect(body.errors).toBeUndefined();
    expect(names(body.data!.myOrganizationMemberships)).toEqual(NAMES_ASC);
    expect(harness.wacht.requests.map((request) => request.headers.cookie)).toEqual([`__session=${DEMO_WACHT_SESSION}`]);
  });

  it('maps the newer membership shape: several roles, numeric ids, no slug', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION_CURRENT } });
    expect(body.errors).toBeUndefined();
    const northwind = body.data!.myOrganizationMemberships.edges.find(
      (edge: any) => edge.node.organization.name === 'Northwind Traders',
    ).node;
    expect(northwind.id).toBe('wacht:1837463540');
    expect(northwind.organization).toMatchObject({ id: 'wacht:1837460127', providerId: '1837460127', slug: null });
    expect(northwind.roles.map((role: any) => role.name)).toEqual(['organization:owner', 'organization:billing']);
  });

  it('sorts descending', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { orderDirection: 'DESC' }, headers: session });
    expect(names(body.data!.myOrganizationMemberships)).toEqual([...NAMES_ASC].reverse());
  });

  it('walks forward and backward page by page, each membership once, with one upstream call per request', async () => {
    const forward: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 3, after }, headers: session });
      const connection = body.data!.myOrganizationMemberships;
      forward.push(...names(connection));
      expect(connection.pageInfo.hasPreviousPage).toBe(pages > 0);
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(forward).toEqual(NAMES_ASC);
    expect(pages).toBe(3);

    const backward: string[][] = [];
    let before: string | null = null;
    do {
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { last: 3, before }, headers: session });
      const connection = body.data!.myOrganizationMemberships;
      backward.unshift(names(connection));
      before = connection.pageInfo.hasPreviousPage ? connection.pageInfo.startCursor : null;
    } while (before);
    expect(backward.flat()).toEqual(NAMES_ASC);
    expect(backward[0]).toEqual(NAMES_ASC.slice(0, 2));
    expect(upstreamCalls()).toBe(6);
  });

  it.each([
    [{ name: { eq: 'GLOBEX' } }, ['Globex']],
    [{ name: { in: ['globex', 'ZETA SYSTEMS', 'nope'] } }, ['Globex', 'Zeta Systems']],
    [{ name: { gte: 'b', lt: 'o' } }, ['Globex', 'Initech & Partners']],
    [{ name: { gt: 'acme corp', lte: 'INITECH & PARTNERS' } }, ['Globex', 'Initech & Partners']],
    [{ status: { eq: 'ACTIVE' } }, NAMES_ASC],
    [{ status: { in: ['SUSPENDED', 'DELETING'] } }, []],
    [{ name: { gte: 'a' }, status: { eq: 'ACTIVE' } }, NAMES_ASC.slice(1)],
  ])('filters %j', async (filter, expected) => {
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { filter }, headers: session });
    expect(body.errors).toBeUndefined();
    expect(names(body.data!.myOrganizationMemberships)).toEqual(expected);
    expect(body.data!.myOrganizationMemberships.totalCount).toBe(expected.length);
  });

  it.each([
    [{ name: { in: [] } }],
    [{ status: { in: [] } }],
    [{ spaceGuid: { eq: '4e4d2c36-6d3b-4b8e-9a1c-2f5d7f0a9b11' } }],
  ])('answers %j empty without asking Wacht', async (filter) => {
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { filter }, headers: session });
    expect(body.errors).toBeUndefined();
    expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: [] });
    expect(upstreamCalls()).toBe(0);
  });

  it('leaves Wacht out when providers: does not name it', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { providers: ['AUTH0'] }, headers: session });
    expect(body.data!.myOrganizationMemberships.totalCount).toBe(0);
    expect(upstreamCalls()).toBe(0);
  });

  it('asks Wacht once for aliases of the same list', async () => {
    const { body } = await harness.graphql(
      `{ a: myOrganizationMemberships(first: 2) { totalCount } b: myOrganizationMemberships(last: 2) { totalCount }
         c: myOrganizationMemberships(filter: { name: { eq: "globex" } }) { totalCount } }`,
      { headers: session },
    );
    expect(body.data).toEqual({ a: { totalCount: 8 }, b: { totalCount: 8 }, c: { totalCount: 1 } });
    expect(upstreamCalls()).toBe(1);
  });

  describe('invalid arguments are BAD_USER_INPUT, with no upstream call', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['first over 100', { first: 101 }],
      ['negative first', { first: -1 }],
      ['negative last', { last: -2 }],
      ['first and last', { first: 2, last: 2 }],
      ['after and before', { after: 'x', before: 'y' }],
      ['a cursor that does not decode', { after: 'not-a-cursor' }],
      ['a "," inside an in value', { filter: { name: { in: ['a,b'] } } }],
      ['over 100 in values', { filter: { name: { in: Array.from({ length: 101 }, (_, i) => `org ${i}`) } } }],
      ['an empty guid', { filter: { userGuid: { eq: '' } } }],
      ['a huge name', { filter: { name: { eq: 'x'.repeat(10_000) } } }],
    ];
    it.each(cases)('%s', async (_label, variables) => {
      const { body } = await harness.graphql(MEMBERSHIPS, { variables, headers: session });
      expect(body.data!.myOrganizationMemberships).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.path).toEqual(['myOrganizationMemberships']);
      expect(upstreamCalls()).toBe(0);
    });

    it('a cursor used with another filter or order', async () => {
      const first = await harness.graphql(MEMBERSHIPS, { variables: { first: 2 }, headers: session });
      const cursor = first.body.data!.myOrganizationMemberships.pageInfo.endCursor;
      harness.wacht.reset();
      for (const variables of [
        { first: 2, after: cursor, orderDirection: 'DESC' },
        { first: 2, after: cursor, filter: { name: { gte: 'a' } } },
        { first: 2, after: cursor, providers: ['WACHT'] },
      ]) {
        const { body } = await harness.graphql(MEMBERSHIPS, { variables, headers: session });
        expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
        expect(body.errors![0]!.message).toMatch(/other arguments/);
      }
      expect(upstreamCalls()).toBe(0);
    });
  });

  describe('credentials', () => {
    it('no credential at all is UNAUTHENTICATED', async () => {
      const { body } = await harness.graphql(MEMBERSHIPS);
      expect(body.data!.myOrganizationMemberships).toBeNull();
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
      expect(upstreamCalls()).toBe(0);
    });

    it('a bearer token that does not verify is UNAUTHENTICATED, not ignored', async () => {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: { ...session, authorization: 'Bearer abc.def.ghi' } });
      expect(body.data!.myOrganizationMemberships).toBeNull();
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
      expect(JSON.stringify(body)).not.toContain('abc.def.ghi');
      expect(upstreamCalls()).toBe(0);
    });

    it('a session Wacht refuses makes Wacht unavailable with UNAUTHENTICATED for it', async () => {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': 'sess_unknown_123' } });
      expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: ['WACHT'] });
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['myOrganizationMemberships'],
          extensions: { code: 'UNAUTHENTICATED', provider: 'WACHT' },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('sess_unknown_123');
      expect(upstreamCalls()).toBe(1);
    });

    it('a signed session token that has expired is UNAUTHENTICATED for Wacht, never sent: Wacht would rotate it away from the browser', async () => {
      const current = await harness.wacht.signIn(DEMO_WACHT_USER);
      const expired = await harness.wacht.signIn(DEMO_WACHT_USER, { expiresInSeconds: -1 });
      expect((await harness.graphql(MEMBERSHIPS, { variables: { first: 1 }, headers: { 'x-wacht-session': current } })).body.errors).toBeUndefined();
      expect(upstreamCalls()).toBe(1);

      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 1 }, headers: { cookie: `__session=${expired}` } });
      expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: ['WACHT'] });
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/expired/),
          extensions: { code: 'UNAUTHENTICATED', provider: 'WACHT' },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain(expired);
      expect(upstreamCalls()).toBe(1);
      expect(harness.wacht.refreshedSessions).toBe(0);
    });

    it('a malformed session never reaches Wacht', async () => {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': 'abc; admin=1' } });
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', provider: 'WACHT' } })]);
      expect(body.data!.myOrganizationMemberships.unavailableProviders).toEqual(['WACHT']);
      expect(upstreamCalls()).toBe(0);
    });
  });

  describe('upstream failures keep the connection and say why', () => {
    const failedWith = async () => {
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: session });
      expect(body.data!.myOrganizationMemberships).toMatchObject({ edges: [], totalCount: 0, unavailableProviders: ['WACHT'] });
      expect(body.errors).toHaveLength(1);
      return body.errors![0]!;
    };

    it('429 is RATE_LIMITED with retryAfter', async () => {
      harness.wacht.fail(FakeWacht.rateLimited(17));
      expect((await failedWith()).extensions).toEqual({ code: 'RATE_LIMITED', provider: 'WACHT', retryAfter: 17 });
    });

    it('Wacht’s own limiter (Fiber’s default, 20 a minute per IP): every caller shares the subgraph’s allowance', async () => {
      harness.wacht.rateLimit = FIBER_LIMITER_DEFAULT;
      try {
        const answers = [];
        // Two callers taking turns: their calls all leave from the subgraph's address.
        const sessions = [DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT];
        for (let i = 0; i < 21; i++) {
          answers.push((await harness.graphql(MEMBERSHIPS, { headers: { 'x-wacht-session': sessions[i % 2]! } })).body);
        }
        for (const body of answers.slice(0, 20)) expect(body.errors).toBeUndefined();
        const limited = answers[20]!;
        expect(limited.data!.myOrganizationMemberships).toMatchObject({ edges: [], unavailableProviders: ['WACHT'] });
        // Retry-After names the rest of the minute: beyond the call's budget, so not retried.
        expect(limited.errors!.map((error) => error.extensions)).toEqual([
          { code: 'RATE_LIMITED', provider: 'WACHT', retryAfter: expect.any(Number) },
        ]);
        expect(limited.errors![0]!.extensions!.retryAfter).toBeGreaterThan(30);
        expect(upstreamCalls()).toBe(21);
      } finally {
        harness.wacht.rateLimit = null;
      }
    });

    it('a 500 with allowance left is retried after the usual backoff, not the limiter window its headers name', async () => {
      const limiterHeaders = { 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': '58' };
      harness.wacht.fail({ ...FakeWacht.serverError(), headers: limiterHeaders });
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: session });
      expect(body.errors).toBeUndefined();
      expect(body.data!.myOrganizationMemberships.totalCount).toBeGreaterThan(0);
      expect(upstreamCalls()).toBe(2);
    });

    it('500 on every try is UPSTREAM_UNAVAILABLE, after two retries', async () => {
      harness.wacht.fail({ ...FakeWacht.serverError(), times: Infinity });
      expect((await failedWith()).extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: 'WACHT' });
      expect(upstreamCalls()).toBe(3);
    });

    it('a host Wacht serves no deployment on (404 Deployment not found) is UPSTREAM_ERROR saying what to configure', async () => {
      harness.wacht.fail({ status: 404, body: { message: 'Deployment not found' } });
      expect(await failedWith()).toMatchObject({
        message: expect.stringMatching(/does not know the configured deployment: WACHT_FRONTEND_API_URL must name/),
        extensions: { code: 'UPSTREAM_ERROR', provider: 'WACHT' },
      });
      expect(upstreamCalls()).toBe(1);
    });

    it('a body that is not JSON is UPSTREAM_ERROR', async () => {
      harness.wacht.fail({ status: 200, rawBody: '{"status":200,"data":[' });
      expect((await failedWith()).extensions).toEqual({ code: 'UPSTREAM_ERROR', provider: 'WACHT' });
    });

    it('data: null (how Go encodes an empty list it never made) is no memberships, not an error', async () => {
      harness.wacht.fail({ status: 200, body: { status: 200, message: '', data: null, session: null, errors: null } });
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: session });
      expect(body.errors).toBeUndefined();
      expect(body.data!.myOrganizationMemberships).toMatchObject({ edges: [], totalCount: 0, unavailableProviders: [] });
    });

    it.each([[{ first_name: 'Ada' }], [{ id: '' }], [{ id: null }]])('a membership whose user is %j still answers (only its id is read)', async (user) => {
      const membership = {
        id: '7001',
        organization: { id: '8001', name: 'Acme', image_url: '' },
        roles: [{ id: '9001', name: 'admin', permissions: ['org:read'] }],
        user,
        created_at: '2026-01-02T03:04:05Z',
        updated_at: '2026-01-02T03:04:05Z',
      };
      harness.wacht.fail({ status: 200, body: { status: 200, message: '', data: [membership], session: null, errors: null } });
      const { body } = await harness.graphql(MEMBERSHIPS, { headers: session });
      expect(body.errors).toBeUndefined();
      expect(body.data!.myOrganizationMemberships.totalCount).toBe(1);
    });

    it('a body of another shape is UPSTREAM_ERROR', async () => {
      harness.wacht.fail({ status: 200, body: { status: 200, data: [{ id: 'm1', organization: { id: 'o1' } }] } });
      expect((await failedWith()).extensions).toEqual({ code: 'UPSTREAM_ERROR', provider: 'WACHT' });
    });

    it('a connection reset on every try is UPSTREAM_UNAVAILABLE', async () => {
      harness.wacht.fail({ reset: true, times: Infinity });
      expect((await failedWith()).extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: 'WACHT' });
    });
  });
});

describe('User.organizations and Organization references with Wacht only', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ config: (config) => ({ ...config, auth0: null, cloudFoundry: null }) });
  });
  afterAll(() => harness.close());

  it('is an empty connection for any id: Wacht cannot look up other users', async () => {
    const { body } = await harness.graphql(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
         ... on User { id organizations(first: 5) { totalCount edges { cursor } unavailableProviders } } } }`,
      { variables: { representations: [{ __typename: 'User', id: 'auth0|123' }, { __typename: 'User', id: 'user_456789123' }] } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toEqual([
      { id: 'auth0|123', organizations: { totalCount: 0, edges: [], unavailableProviders: [] } },
      { id: 'user_456789123', organizations: { totalCount: 0, edges: [], unavailableProviders: [] } },
    ]);
    expect(harness.wacht.requests).toHaveLength(0);
  });

  it('still refuses a bearer token that does not verify, even for an id no provider owns', async () => {
    const { body } = await harness.graphql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { organizations { totalCount } } } }`,
      { variables: { r: [{ __typename: 'User', id: 'not-owned' }] }, headers: { authorization: 'Bearer a.b.c' } },
    );
    expect(body.data!._entities).toEqual([{ organizations: null }]);
    expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('resolves Wacht organization references to null and refuses unknown prefixes', async () => {
    const { body } = await harness.graphql(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organization { id name } } }`,
      { variables: { representations: [{ __typename: 'Organization', id: 'wacht:org_123456789' }, { __typename: 'Organization', id: 'okta:1' }] } },
    );
    expect(body.data!._entities).toEqual([null, null]);
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });
});
