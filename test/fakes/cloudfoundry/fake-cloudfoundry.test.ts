import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import {
  FakeCloudFoundry,
  type UserTokenOptions,
} from '../../../src/fakes/cloudfoundry/fake-cloudfoundry';
import { parseQ, type Condition } from '../../../src/fakes/cloudfoundry/q-parser';
import {
  DEMO_CF_CLIENT_ID,
  DEMO_CF_CLIENT_SECRET,
  DEMO_CF_COLLEAGUE_GUID,
  DEMO_CF_ORGANIZATION_COUNT,
  DEMO_CF_USER_GUID,
  seedCloudFoundry,
} from '../../../src/fakes/cloudfoundry/seed';

interface Resource {
  metadata: { guid: string; url: string; created_at: string; updated_at: string };
  entity: Record<string, unknown> & { name: string; status: string };
}

interface Envelope {
  total_results: number;
  total_pages: number;
  prev_url: string | null;
  next_url: string | null;
  resources: Resource[];
}

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const SPACE_1 = '5ace0000-0000-4000-8000-000000000001';
const SPACE_2 = '5ace0000-0000-4000-8000-000000000002';

const fake = new FakeCloudFoundry();
/** Alice's organizations, by name, in insertion (id) order. */
const org: Record<string, string> = {};
let aliceToken: string;
let bobToken: string;
let demoToken: string;

beforeAll(async () => {
  seedCloudFoundry(fake);
  fake.addUser(ALICE, 'alice@example.com');
  fake.addUser(BOB, 'bob@example.com');
  const add = (name: string, status: 'active' | 'suspended' | 'deleting') => {
    const { guid } = fake.addOrganization({ name, status });
    org[name] = guid;
    fake.grant(ALICE, guid, 'user');
    return guid;
  };
  const beta = add('beta', 'active');
  fake.grant(ALICE, beta, 'manager');
  fake.grant(BOB, beta, 'user');
  fake.addSpace(beta, SPACE_1);
  fake.grant(ALICE, add('Aurora', 'suspended'), 'auditor');
  fake.grant(ALICE, add('gamma;delta', 'active'), 'billing_manager');
  const rnd = add('R&D + #1', 'active');
  fake.grant(BOB, rnd, 'user');
  fake.addSpace(rnd, SPACE_2);
  add('atlas', 'deleting');
  fake.addClient('reader', 'reader-secret', ['cloud_controller.read']);
  await fake.start();
  aliceToken = await fake.mintUserToken(ALICE);
  bobToken = await fake.mintUserToken(BOB);
  demoToken = await fake.mintUserToken(DEMO_CF_USER_GUID);
});

afterAll(() => fake.stop());

afterEach(() => fake.reset());

/** GET with `Authorization: <scheme> <token>`, or none when `token` is null. */
async function get<T = Envelope>(
  path: string,
  token: string | null = aliceToken,
  scheme = 'bearer',
): Promise<Answer<T>> {
  const headers: Record<string, string> =
    token === null ? {} : { authorization: `${scheme} ${token}` };
  return answerOf<T>(await fetch(`${fake.url}${path}`, { headers }));
}

async function answerOf<T>(response: Response): Promise<Answer<T>> {
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** Alice's organizations (or another role list) with these parameters. */
async function aliceList(
  params: Record<string, string | string[]> = {},
  relation = 'organizations',
): Promise<Answer<Envelope>> {
  return get(`/v2/users/${ALICE}/${relation}?${query(params)}`);
}

function query(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, values] of Object.entries(params)) {
    for (const value of [values].flat()) search.append(key, value);
  }
  return search.toString();
}

function names(answer: Answer<Envelope>): string[] {
  return answer.body.resources.map((resource) => resource.entity.name);
}

async function clientToken(id: string, secret: string): Promise<string> {
  const answer = await requestToken(`Basic ${btoa(`${id}:${secret}`)}`);
  return (answer.body as { access_token: string }).access_token;
}

async function requestToken(
  authorization: string | undefined,
  grantType = 'client_credentials',
): Promise<Answer<Record<string, unknown>>> {
  const response = await fetch(`${fake.url}/uaa/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams({ grant_type: grantType }).toString(),
  });
  return answerOf(response);
}

function cfError(description: string, error_code: string, code: number) {
  return { description, error_code, code };
}

describe('GET /v2/info', () => {
  it('needs no token and points at the UAA', async () => {
    const answer = await get<Record<string, unknown>>('/v2/info', null);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      version: 0,
      api_version: '2.164.0',
      authorization_endpoint: `${fake.url}/uaa`,
      token_endpoint: `${fake.url}/uaa`,
    });
  });
});

describe('paging', () => {
  const demoList = async (params: Record<string, string>) =>
    get(`/v2/users/${DEMO_CF_USER_GUID}/organizations?${query(params)}`, demoToken);

  it('gives the envelope with relative prev/next urls whose keys are sorted', async () => {
    const first = await demoList({ 'results-per-page': '25' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      total_results: DEMO_CF_ORGANIZATION_COUNT,
      total_pages: 6,
      prev_url: null,
      next_url:
        `/v2/users/${DEMO_CF_USER_GUID}/organizations` +
        '?order-direction=asc&page=2&results-per-page=25',
    });
    expect(first.body.resources).toHaveLength(25);

    const last = await demoList({ 'results-per-page': '25', page: '6' });
    expect(last.body.resources).toHaveLength(5);
    expect(last.body.next_url).toBeNull();
    expect(last.body.prev_url).toBe(
      `/v2/users/${DEMO_CF_USER_GUID}/organizations?order-direction=asc&page=5&results-per-page=25`,
    );
  });

  it('walks every organization exactly once by following next_url', async () => {
    const seen: string[] = [];
    let next: string | null = `/v2/users/${DEMO_CF_USER_GUID}/organizations?results-per-page=100`;
    while (next) {
      const page: Answer<Envelope> = await get(next, demoToken);
      seen.push(...page.body.resources.map((resource) => resource.metadata.guid));
      next = page.body.next_url;
    }
    expect(seen).toHaveLength(DEMO_CF_ORGANIZATION_COUNT);
    expect(new Set(seen).size).toBe(DEMO_CF_ORGANIZATION_COUNT);
  });

  it('answers 50 per page by default', async () => {
    const answer = await demoList({});
    expect(answer.body.resources).toHaveLength(50);
    expect(answer.body.total_pages).toBe(3);
  });

  it('gives an empty page past the end, still counting everything', async () => {
    const answer = await aliceList({ page: '9', 'results-per-page': '2' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      total_results: 5,
      total_pages: 3,
      resources: [],
      next_url: null,
      prev_url: `/v2/users/${ALICE}/organizations?order-direction=asc&page=8&results-per-page=2`,
    });
  });

  it('counts one page when nothing matches', async () => {
    const answer = await aliceList({ q: 'name:nothing' });
    expect(answer.body).toMatchObject({ total_results: 0, total_pages: 1, resources: [] });
  });

  it('repeats q and order-by in next_url, encoded as Cloud Controller does', async () => {
    const answer = await aliceList({
      q: ['name>=a', 'status:active'],
      'order-by': 'name',
      'order-direction': 'desc',
      'results-per-page': '1',
    });
    expect(answer.body.next_url).toBe(
      `/v2/users/${ALICE}/organizations?order-by=name&order-direction=desc&page=2` +
        '&q=name%3E=a&q=status:active&results-per-page=1',
    );
  });

  it('renders an organization as Cloud Controller does', async () => {
    const answer = await aliceList({ q: 'name:beta' });
    const guid = org.beta;
    const url = `/v2/organizations/${guid}`;
    expect(answer.body.resources).toEqual([
      {
        metadata: {
          guid,
          url,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          updated_at: null, // never updated since it was created
        },
        entity: {
          name: 'beta',
          billing_enabled: false,
          quota_definition_guid: expect.any(String),
          status: 'active',
          default_isolation_segment_guid: null,
          quota_definition_url: expect.stringMatching(/^\/v2\/quota_definitions\//),
          spaces_url: `${url}/spaces`,
          domains_url: `${url}/domains`,
          private_domains_url: `${url}/private_domains`,
          users_url: `${url}/users`,
          managers_url: `${url}/managers`,
          billing_managers_url: `${url}/billing_managers`,
          auditors_url: `${url}/auditors`,
          app_events_url: `${url}/app_events`,
          space_quota_definitions_url: `${url}/space_quota_definitions`,
        },
      },
    ]);
  });
});

describe('order', () => {
  it('is insertion (id) order by default', async () => {
    expect(names(await aliceList())).toEqual([
      'beta',
      'Aurora',
      'gamma;delta',
      'R&D + #1',
      'atlas',
    ]);
  });

  it('orders by name case-insensitively, ascending or descending', async () => {
    const ascending = ['atlas', 'Aurora', 'beta', 'gamma;delta', 'R&D + #1'];
    expect(names(await aliceList({ 'order-by': 'name' }))).toEqual(ascending);
    expect(names(await aliceList({ 'order-by': 'name', 'order-direction': 'desc' }))).toEqual(
      ascending.toReversed(),
    );
  });

  it('orders and range-filters names by the database collation when one is set (C, code units, unless told)', async () => {
    const carol = 'ca201000-0000-4000-8000-000000000003';
    fake.addUser(carol);
    for (const name of ['zeta', 'École', 'Eagle', 'éclair']) fake.grant(carol, fake.addOrganization({ name }).guid, 'user');
    const carolNames = async (direction: string) =>
      names(await get(`/v2/users/${carol}/organizations?order-by=name&order-direction=${direction}`, await fake.mintUserToken(carol)));
    expect(await carolNames('asc')).toEqual(['Eagle', 'zeta', 'éclair', 'École']);
    const carolFiltered = async (q: string) =>
      names(await get(`/v2/users/${carol}/organizations?order-by=name&q=${encodeURIComponent(q)}`, await fake.mintUserToken(carol)));
    expect(await carolFiltered('name>z')).toEqual(['zeta', 'éclair', 'École']);
    expect(await carolFiltered('name<=eagle')).toEqual(['Eagle']);
    fake.nameCollation = 'en-US';
    try {
      expect(await carolNames('asc')).toEqual(['Eagle', 'éclair', 'École', 'zeta']);
      expect(await carolNames('desc')).toEqual(['zeta', 'École', 'éclair', 'Eagle']);
      // Range filters compare in the same collation; equality stays exact.
      expect(await carolFiltered('name>z')).toEqual(['zeta']);
      expect(await carolFiltered('name<f')).toEqual(['Eagle', 'éclair', 'École']);
      expect(await carolFiltered('name>=éclair')).toEqual(['éclair', 'École', 'zeta']);
      expect(await carolFiltered('name:eclair')).toEqual([]);
    } finally {
      fake.nameCollation = null;
    }
  });

  it('reverses id order for desc', async () => {
    expect(names(await aliceList({ 'order-direction': 'desc' }))).toEqual([
      'atlas',
      'R&D + #1',
      'gamma;delta',
      'Aurora',
      'beta',
    ]);
  });
});

describe('q', () => {
  it.each<[string, string | string[], string[]]>([
    ['name equality ignores case', 'name:BETA', ['beta']],
    ['name >', 'name>beta', ['gamma;delta', 'R&D + #1']],
    ['name >=', 'name>=beta', ['beta', 'gamma;delta', 'R&D + #1']],
    ['name <', 'name<b', ['Aurora', 'atlas']],
    ['name <=', 'name<=AURORA', ['Aurora', 'atlas']],
    ['name IN', 'name IN atlas,BETA', ['beta', 'atlas']],
    ['status', 'status:suspended', ['Aurora']],
    ['status IN', 'status IN deleting,suspended', ['Aurora', 'atlas']],
    ['status is case-sensitive', 'status:ACTIVE', []],
    ['an unknown status matches nothing', 'status:archived', []],
    ['; joins filters', 'name>=b;status:active', ['beta', 'gamma;delta', 'R&D + #1']],
    ['repeated q are ANDed', ['name>=b', 'status:active'], ['beta', 'gamma;delta', 'R&D + #1']],
    [';; is a literal ;', 'name:gamma;;delta', ['gamma;delta']],
    ['the first operator splits', 'name:R&D + #1', ['R&D + #1']],
    ['space_guid', `space_guid:${SPACE_1}`, ['beta']],
    ['space_guid IN', `space_guid IN ${SPACE_1},${SPACE_2}`, ['beta', 'R&D + #1']],
    ['the operator of an association is ignored', `space_guid>${SPACE_1}`, ['beta']],
    ['user_guid of another user intersects', `user_guid:${BOB}`, ['beta', 'R&D + #1']],
    ['manager_guid', `manager_guid:${ALICE}`, ['beta']],
    ['auditor_guid', `auditor_guid:${ALICE}`, ['Aurora']],
    ['billing_manager_guid', `billing_manager_guid:${ALICE}`, ['gamma;delta']],
    ['an unknown guid matches nothing', 'space_guid:nope', []],
  ])('%s', async (_, q, expected) => {
    const answer = await aliceList({ q });
    expect(answer.status).toBe(200);
    expect(names(answer)).toEqual(expected);
  });

  it("is refused by nginx in front (414, its HTML page) when the request line passes 8 KiB", async () => {
    const fits = await fetch(`${fake.url}/v2/users/${ALICE}/organizations?${query({ q: `name:${'n'.repeat(7_900)}` })}`, {
      headers: { authorization: `bearer ${aliceToken}` },
    });
    expect(fits.status).toBe(200);
    const tooLong = await fetch(`${fake.url}/v2/users/${ALICE}/organizations?${query({ q: `name:${'n'.repeat(8_200)}` })}`, {
      headers: { authorization: `bearer ${aliceToken}` },
    });
    expect(tooLong.status).toBe(414);
    expect(await tooLong.text()).toContain('<title>414 Request-URI Too Large</title>');
  });

  it("reads '+' in the query string as a space, '%2B' as '+'", async () => {
    const answer = await get(`/v2/users/${ALICE}/organizations?q=name:R%26D+%2B+%231`);
    expect(names(answer)).toEqual(['R&D + #1']);
  });

  it.each([
    ['an unknown key', 'guid:x', 'guid'],
    ['a segment with no operator', 'name:gamma;delta', 'delta'],
    ['a lowercase in', 'name in a,b', 'name in a,b'],
  ])('rejects %s with 400 CF-BadQueryParameter', async (_, q, detail) => {
    const answer = await aliceList({ q });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(
      cfError(`The query parameter is invalid: ${detail}`, 'CF-BadQueryParameter', 10005),
    );
  });
});

describe('parseQ', () => {
  it.each<[string, Condition[]]>([
    ['name:a;', [{ key: 'name', operator: ':', values: ['a'] }]],
    [
      'name:x;;;status:active',
      [
        { key: 'name', operator: ':', values: ['x;'] },
        { key: 'status', operator: ':', values: ['active'] },
      ],
    ],
    ['name:a;;;;b', [{ key: 'name', operator: ':', values: ['a;;b'] }]],
    ['name:a IN b', [{ key: 'name', operator: ':', values: ['a IN b'] }]],
    ['name IN a:b', [{ key: 'name', operator: ' IN ', values: ['a:b'] }]],
    ['name>=<b', [{ key: 'name', operator: '>=', values: ['<b'] }]],
    ['name IN a,,b,', [{ key: 'name', operator: ' IN ', values: ['a', '', 'b'] }]],
    ['name IN ', [{ key: 'name', operator: ' IN ', values: [] }]],
    ['', []],
  ])('reads %j as Cloud Controller does', (q, expected) => {
    expect(parseQ([q])).toEqual(expected);
  });

  it('names the empty segment of a leading ;', () => {
    expect(() => parseQ([';name:a'])).toThrow('The query parameter is invalid: ');
  });
});

describe('paging parameter errors', () => {
  it.each<[string, Record<string, string>, number, object]>([
    [
      'results-per-page over 100',
      { 'results-per-page': '101' },
      400,
      cfError(
        'The query parameter is invalid: results_per_page must be <= 100',
        'CF-BadQueryParameter',
        10005,
      ),
    ],
    [
      'an order-direction other than asc or desc',
      { 'order-direction': 'ASC' },
      400,
      cfError(
        "The query parameter is invalid: order_direction must be 'asc' or 'desc' but was 'ASC'",
        'CF-BadQueryParameter',
        10005,
      ),
    ],
    [
      'page 0',
      { page: '0' },
      500,
      { error_code: 'UnknownError', description: 'An unknown error occurred.', code: 10001 },
    ],
    [
      'a page that is no integer',
      { page: 'two' },
      500,
      { error_code: 'UnknownError', description: 'An unknown error occurred.', code: 10001 },
    ],
  ])('%s', async (_, params, status, body) => {
    const answer = await aliceList(params);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });

  it('accepts 100 results per page', async () => {
    expect((await aliceList({ 'results-per-page': '100' })).status).toBe(200);
  });
});

describe('role lists', () => {
  it.each([
    ['managed_organizations', ['beta']],
    ['audited_organizations', ['Aurora']],
    ['billing_managed_organizations', ['gamma;delta']],
  ])('%s lists the organizations where the user holds that role', async (relation, expected) => {
    expect(names(await aliceList({}, relation))).toEqual(expected);
  });
});

describe('authentication and authorization', () => {
  const notAuthenticated = cfError('Authentication error', 'CF-NotAuthenticated', 10002);
  const invalidToken = cfError('Invalid Auth Token', 'CF-InvalidAuthToken', 1000);
  const insufficientScope = cfError(
    'Your token lacks the necessary scopes to access this resource.',
    'CF-InsufficientScope',
    10007,
  );
  const notAuthorized = cfError(
    'You are not authorized to perform the requested action',
    'CF-NotAuthorized',
    10003,
  );
  /** The same token with the end of its signature changed. */
  const tamper = (token: string) =>
    `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;

  const mint = (user: string, options: UserTokenOptions = {}) => () =>
    fake.mintUserToken(user, options);
  const fixed = (token: string | null) => async () => token;
  const cases: Array<{
    name: string;
    token: () => Promise<string | null>;
    scheme?: string;
    status: number;
    body?: object;
  }> = [
    { name: 'no Authorization header', token: fixed(null), status: 401, body: notAuthenticated },
    {
      name: 'a Basic header',
      token: fixed('eDp5'),
      scheme: 'Basic',
      status: 401,
      body: notAuthenticated,
    },
    // A header value's trailing space is dropped on the wire: this sends `Authorization: bearer`.
    { name: 'the bearer scheme without a token', token: fixed(''), status: 401, body: notAuthenticated },
    {
      name: 'a scheme that only begins with bearer',
      token: async () => aliceToken,
      scheme: 'bearerX',
      status: 401,
      body: notAuthenticated,
    },
    { name: 'a token that is no JWT', token: fixed('garbage'), status: 401, body: invalidToken },
    {
      name: 'an expired token',
      token: mint(ALICE, { expiresInSeconds: -60 }),
      status: 401,
      body: invalidToken,
    },
    {
      name: 'a bad signature',
      token: async () => tamper(aliceToken),
      status: 401,
      body: invalidToken,
    },
    {
      name: 'another issuer',
      token: mint(ALICE, { issuer: 'https://uaa.example.com/oauth/token' }),
      status: 401,
      body: invalidToken,
    },
    {
      name: 'an unknown kid',
      token: mint(ALICE, { kid: 'key-99' }),
      status: 401,
      body: invalidToken,
    },
    {
      name: "the user's refresh token (jti ending in -r)",
      token: mint(ALICE, { refresh: true }),
      status: 401,
      body: invalidToken,
    },
    {
      // UAA names in `aud` the resources of the token's scopes: this one's lacks cloud_controller.
      name: 'no cloud_controller scope at all (not for Cloud Controller)',
      token: mint(ALICE, { scopes: ['openid'] }),
      status: 401,
      body: invalidToken,
    },
    {
      name: 'no cloud_controller.read',
      token: mint(ALICE, { scopes: ['cloud_controller.write', 'openid'] }),
      status: 403,
      body: insufficientScope,
    },
    { name: 'an uppercase BEARER', token: async () => aliceToken, scheme: 'BEARER', status: 200 },
    {
      name: "another user's admin_read_only token",
      token: mint(BOB, { scopes: ['cloud_controller.admin_read_only'] }),
      status: 200,
    },
    {
      // Cloud Controller's UserAccess lets only admin and admin_read_only read another user.
      name: "another user's global_auditor token",
      token: mint(BOB, { scopes: ['cloud_controller.global_auditor'] }),
      status: 403,
      body: notAuthorized,
    },
    { name: "another user's token", token: async () => bobToken, status: 403, body: notAuthorized },
    {
      name: 'a client token with cloud_controller.admin',
      token: () => clientToken(DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET),
      status: 200,
    },
    {
      name: 'a client token with only cloud_controller.read',
      token: () => clientToken('reader', 'reader-secret'),
      status: 403,
      body: notAuthorized,
    },
  ];

  it.each(cases)("reading Alice's organizations with $name", async (row) => {
    const { token, scheme, status, body } = row;
    const answer = await get(`/v2/users/${ALICE}/organizations`, await token(), scheme);
    expect(answer.status).toBe(status);
    if (body) expect(answer.body).toEqual(body);
    else expect(answer.body.total_results).toBe(5);
  });

  it('answers 404 CF-UserNotFound for an unknown user', async () => {
    const admin = await clientToken(DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET);
    const guid = '00000000-0000-4000-8000-00000000dead';
    const answer = await get(`/v2/users/${guid}/organizations`, admin);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(
      cfError(`The user could not be found: ${guid}`, 'CF-UserNotFound', 20003),
    );
  });

  it('knows the user of any valid token (Cloud Controller creates it on first sight)', async () => {
    const newcomer = '00000000-0000-4000-8000-0000000000ee';
    const token = await fake.mintUserToken(newcomer);
    const answer = await get(`/v2/users/${newcomer}/organizations`, token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total_results: 0, total_pages: 1, resources: [] });
  });
});

describe('GET /v2/organizations/:guid', () => {
  it('gives the organization to a member', async () => {
    const answer = await get<Resource>(`/v2/organizations/${org.Aurora}`);
    expect(answer.status).toBe(200);
    expect(answer.body.entity).toMatchObject({ name: 'Aurora', status: 'suspended' });
    expect(answer.body.metadata.url).toBe(`/v2/organizations/${org.Aurora}`);
  });

  it('refuses a non-member', async () => {
    const answer = await get(`/v2/organizations/${org.Aurora}`, bobToken);
    expect(answer.status).toBe(403);
  });

  it('answers 404 CF-OrganizationNotFound for an unknown guid', async () => {
    const answer = await get('/v2/organizations/nope');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(
      cfError('The organization could not be found: nope', 'CF-OrganizationNotFound', 30003),
    );
  });
});

describe('UAA', () => {
  it('issues a client-credentials token to a client with its secret', async () => {
    const basic = `Basic ${btoa(`${DEMO_CF_CLIENT_ID}:${DEMO_CF_CLIENT_SECRET}`)}`;
    const answer = await requestToken(basic);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 43199,
      scope: 'cloud_controller.admin',
      jti: expect.any(String),
    });
    const claims = decodeJwt(answer.body.access_token as string);
    expect(claims).toMatchObject({
      iss: `${fake.url}/uaa/oauth/token`,
      client_id: DEMO_CF_CLIENT_ID,
      scope: ['cloud_controller.admin'],
      jti: answer.body.jti,
      zid: 'uaa',
    });
    expect(claims.user_id).toBeUndefined();
  });

  it.each([
    ['a wrong secret', `Basic ${btoa(`${DEMO_CF_CLIENT_ID}:wrong`)}`],
    ['an unknown client', `Basic ${btoa('nobody:secret')}`],
    ['no client authentication', undefined],
  ])('answers 401 Bad credentials for %s', async (_, authorization) => {
    const answer = await requestToken(authorization);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'unauthorized', error_description: 'Bad credentials' });
  });

  it('refuses other grant types', async () => {
    const basic = `Basic ${btoa(`${DEMO_CF_CLIENT_ID}:${DEMO_CF_CLIENT_SECRET}`)}`;
    const answer = await requestToken(basic, 'password');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('unsupported_grant_type');
  });

  it('lists the signing key, against which its user tokens verify', async () => {
    const answer = await get<{ keys: JWK[] }>('/uaa/token_keys', null);
    expect(answer.body.keys).toEqual([
      expect.objectContaining({
        kid: expect.any(String),
        alg: 'RS256',
        use: 'sig',
        kty: 'RSA',
        n: expect.any(String),
        e: 'AQAB',
        value: expect.stringContaining('-----BEGIN PUBLIC KEY-----'),
      }),
    ]);
    const { payload } = await jwtVerify(aliceToken, createLocalJWKSet(answer.body), {
      issuer: `${fake.url}/uaa/oauth/token`,
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({
      user_id: ALICE,
      user_name: 'alice@example.com',
      scope: ['cloud_controller.read', 'openid'],
      client_id: 'cf',
      aud: expect.arrayContaining(['cloud_controller']),
    });
  });
});

describe('key rotation', () => {
  const rotating = new FakeCloudFoundry();
  beforeAll(async () => {
    rotating.addUser(ALICE);
    await rotating.start();
  });
  afterAll(() => rotating.stop());

  it('signs with the new key, lists only it, and rejects tokens of the old one', async () => {
    const keysOf = async () =>
      ((await (await fetch(`${rotating.url}/uaa/token_keys`)).json()) as { keys: JWK[] }).keys;
    const list = (token: string) =>
      fetch(`${rotating.url}/v2/users/${ALICE}/organizations`, {
        headers: { authorization: `bearer ${token}` },
      });
    const oldToken = await rotating.mintUserToken(ALICE);
    const [oldKey] = await keysOf();

    await rotating.rotateKey();

    const keys = await keysOf();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.kid).not.toBe(oldKey!.kid);
    expect((await list(oldToken)).status).toBe(401);
    expect((await list(await rotating.mintUserToken(ALICE))).status).toBe(200);
  });
});

describe('faults', () => {
  it('answers 429 as the v2 rate limiter does: JSON labelled text/plain, Retry-After the reset time, or the seconds left', async () => {
    fake.fail(FakeCloudFoundry.rateLimited(7));
    fake.fail(FakeCloudFoundry.rateLimited(7, { retryAfter: 'seconds' }));
    const sentAt = Math.floor(Date.now() / 1000);
    const answer = await aliceList();
    const answeredBy = Math.floor(Date.now() / 1000);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(answer.body).toEqual(
      cfError(
        'Rate Limit of V2 API Exceeded. Please consider using the V3 API',
        'CF-RateLimitV2APIExceeded',
        10018,
      ),
    );
    // The reset is written when the answer is: seven seconds after a second between the two readings.
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(sentAt + 7);
    expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(answeredBy + 7);
    expect(answer.headers.get('x-ratelimit-reset-v2-api')).toBe(answer.headers.get('retry-after'));
    expect(answer.headers.get('x-ratelimit-remaining-v2-api')).toBe('0');
    const later = await aliceList();
    expect(later.status).toBe(429);
    expect(later.headers.get('retry-after')).toBe('7');
    expect((await aliceList()).status).toBe(200);
  });

  it('answers unknown routes with CF-NotFound', async () => {
    const answer = await get('/v2/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(cfError('Unknown request', 'CF-NotFound', 10000));
  });
});

describe('the seed', () => {
  it("puts the colleague in some of the demo user's organizations", async () => {
    const q = `user_guid:${DEMO_CF_COLLEAGUE_GUID}`;
    const shared = await get(
      `/v2/users/${DEMO_CF_USER_GUID}/organizations?${query({ q })}`,
      demoToken,
    );
    expect(shared.body.total_results).toBeGreaterThan(0);
    expect(shared.body.total_results).toBeLessThan(DEMO_CF_ORGANIZATION_COUNT);
  });

  it("finds 'team;status:active' only when the ; is escaped", async () => {
    const find = async (q: string) =>
      names(await get(`/v2/users/${DEMO_CF_USER_GUID}/organizations?${query({ q })}`, demoToken));
    expect(await find('name:team;;status:active')).toEqual(['team;status:active']);
    expect(await find('name:team;status:active')).toEqual([]);
  });
});
