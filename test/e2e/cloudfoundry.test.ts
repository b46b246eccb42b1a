/**
 * Cloud Foundry end to end: the real server over loopback, the Cloud Controller and UAA fake
 * behind it, seeded with the demo user in 130 organizations.
 */
import { decodeJwt } from 'jose';
import { DEMO_AUTH0_ADMIN_USER_ID, DEMO_AUTH0_AUDIENCE } from '../../src/fakes/auth0/seed';
import { FakeCloudFoundry } from '../../src/fakes/cloudfoundry/fake-cloudfoundry';
import {
  DEMO_CF_CLIENT_ID,
  DEMO_CF_CLIENT_SECRET,
  DEMO_CF_COLLEAGUE_GUID,
  DEMO_CF_ORGANIZATION_COUNT,
  DEMO_CF_USER_GUID,
} from '../../src/fakes/cloudfoundry/seed';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { planWindow } from '../../src/providers/cloudfoundry/paging';
import type { WindowRequest } from '../../src/providers/provider';
import { startHarness, type GraphQLResponse, type Harness } from '../support/harness';

const ORGANIZATION_FIELDS = 'id provider providerId name displayName slug imageUrl status createdAt updatedAt';
const CONNECTION_ARGUMENTS = `$first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter,
  $orderDirection: OrderDirection, $providers: [IdentityProvider!]`;
const PASS_ARGUMENTS = `first: $first, after: $after, last: $last, before: $before, filter: $filter,
  orderDirection: $orderDirection, providers: $providers`;
const PAGE_FIELDS = 'totalCount unavailableProviders pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

const USER_ORGANIZATIONS = /* GraphQL */ `
  query ($representations: [_Any!]!, ${CONNECTION_ARGUMENTS}) {
    _entities(representations: $representations) {
      ... on User { id organizations(${PASS_ARGUMENTS}) {
        ${PAGE_FIELDS} edges { cursor node { ${ORGANIZATION_FIELDS} } } } }
    }
  }
`;

const membershipsQuery = (withRoles: boolean) => /* GraphQL */ `
  query (${CONNECTION_ARGUMENTS}) {
    myOrganizationMemberships(${PASS_ARGUMENTS}) {
      ${PAGE_FIELDS}
      edges { cursor node { id provider createdAt updatedAt organization { ${ORGANIZATION_FIELDS} }
        ${withRoles ? 'roles { id name permissions }' : ''} } }
    }
  }
`;
const MEMBERSHIPS = membershipsQuery(false);
const MEMBERSHIPS_WITH_ROLES = membershipsQuery(true);

const ORGANIZATION_REFERENCES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Organization { ${ORGANIZATION_FIELDS} } }
  }
`;

const LIST_ROUTE = /^\/v2\/users\/[^/]+\/organizations$/;
const ROLE_ROUTES = /^\/v2\/users\/[^/]+\/(managed|billing_managed|audited)_organizations$/;
const ORGANIZATION_ROUTE = /^\/v2\/organizations\/[^/]+$/;
const TOKEN_ROUTE = /^\/uaa\/oauth\/token$/;
const ADMIN_GUID = 'ad000000-0000-4000-8000-00000000ad01';
const STRANGER_GUID = '5a000000-0000-4000-8000-0000000000ff';
const SPACE_1 = '5ace0000-0000-4000-8000-00000000000a';
const SPACE_2 = '5ace0000-0000-4000-8000-00000000000b';

interface CfResource {
  metadata: { guid: string; created_at: string; updated_at: string };
  entity: { name: string; status: string };
}

interface CfPage {
  total_results: number;
  total_pages: number;
  resources: CfResource[];
}

type Connection = {
  totalCount: number;
  unavailableProviders: string[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: any }>;
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const userRepresentation = (id: string) => ({ representations: [{ __typename: 'User', id }] });
const organizationOf = (edge: { node: any }) => edge.node.organization ?? edge.node;
const names = (connection: Connection): string[] => connection.edges.map((edge) => organizationOf(edge).name);

/** Runs one page query with these paging arguments. */
type PageRunner = (variables: Record<string, unknown>) => Promise<Connection>;

/** Helpers bound to one harness. */
function cloudFoundryTools(harness: () => Harness) {
  const fake = () => harness().cloudFoundry;
  const listRequests = () => fake().requestsTo(LIST_ROUTE);

  /** A direct call to the fake, with `token`. */
  async function direct<T>(path: string, token: string): Promise<T> {
    const response = await fetch(`${fake().url}${path}`, { headers: { authorization: `bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  /** Every organization of one of the user's lists, as the fake itself evaluates `q`, in its name order. */
  async function fakeList(token: string, q: string[] = [], list = 'organizations'): Promise<CfResource[]> {
    const resources: CfResource[] = [];
    for (let page = 1, pages = 1; page <= pages; page++) {
      const query = new URLSearchParams([
        ...q.map((value): [string, string] => ['q', value]),
        ['order-by', 'name'],
        ['results-per-page', '100'],
        ['page', String(page)],
      ]);
      const answer = await direct<CfPage>(`/v2/users/${DEMO_CF_USER_GUID}/${list}?${query}`, token);
      resources.push(...answer.resources);
      pages = answer.total_pages;
    }
    return resources;
  }

  const userOrganizations = async (variables: Record<string, unknown>, headers: Record<string, string>, id = DEMO_CF_USER_GUID) => {
    const { body } = await harness().graphql(USER_ORGANIZATIONS, { variables: { ...userRepresentation(id), ...variables }, headers });
    return { body, connection: body.data?._entities?.[0]?.organizations as Connection | null | undefined };
  };

  /** Walks every page in `direction`, checking each cost at most two list requests; the names in list order. */
  async function walk(run: PageRunner, direction: 'forward' | 'backward', size: number): Promise<string[]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      fake().reset();
      const connection: Connection = await run(
        direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor },
      );
      expect(connection.unavailableProviders).toEqual([]);
      expect(listRequests().length).toBeLessThanOrEqual(2);
      if (direction === 'forward') {
        pages.push(names(connection));
        cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      } else {
        pages.unshift(names(connection));
        cursor = connection.pageInfo.hasPreviousPage ? connection.pageInfo.startCursor : null;
      }
      expect(pages.length).toBeLessThanOrEqual(200);
    } while (cursor);
    return pages.flat();
  }

  return { fake, listRequests, fakeList, userOrganizations, walk };
}

describe('Cloud Foundry with the subgraph’s UAA client', () => {
  let harness: Harness;
  let userToken: string;
  let colleagueToken: string;
  const { fake, listRequests, fakeList, userOrganizations, walk } = cloudFoundryTools(() => harness);
  /** The demo user's organizations, as the fake lists them by name. */
  let all: CfResource[];

  beforeAll(async () => {
    harness = await startHarness();
    userToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    colleagueToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_COLLEAGUE_GUID);
    all = await fakeList(userToken);
    const guidOf = (name: string) => all.find((resource) => resource.entity.name === name)!.metadata.guid;
    harness.cloudFoundry.addSpace(guidOf('R&D'), SPACE_1);
    harness.cloudFoundry.addSpace(guidOf('Growth #1'), SPACE_2);
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  const allNames = () => all.map((resource) => resource.entity.name);
  const asUser = (variables: Record<string, unknown>) => userOrganizations(variables, bearer(userToken));

  it('lists the user’s organizations, mapped as the contract says, with one list request and the client token', async () => {
    const { body, connection } = await asUser({ first: 5 });
    expect(body.errors).toBeUndefined();
    expect(all).toHaveLength(DEMO_CF_ORGANIZATION_COUNT);
    expect(connection!.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
    expect(connection!.edges.map((edge) => edge.node)).toEqual(
      all.slice(0, 5).map(({ metadata, entity }) => ({
        id: `cloudfoundry:${metadata.guid}`,
        provider: 'CLOUD_FOUNDRY',
        providerId: metadata.guid,
        name: entity.name,
        displayName: null,
        slug: null,
        imageUrl: null,
        status: entity.status.toUpperCase(),
        createdAt: metadata.created_at,
        updatedAt: metadata.updated_at,
      })),
    );
    expect(connection!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const [request] = listRequests();
    expect(listRequests()).toHaveLength(1);
    expect(request!.rawUrl).toBe(
      `/v2/users/${DEMO_CF_USER_GUID}/organizations?order-by=name&order-direction=asc&page=1&results-per-page=5`,
    );
    const sent = String(request!.headers.authorization).replace(/^bearer /, '');
    expect(sent).not.toBe(userToken);
    expect(decodeJwt(sent)).toMatchObject({ client_id: DEMO_CF_CLIENT_ID, grant_type: 'client_credentials' });
  });

  it('refuses, as UNAUTHENTICATED and without asking Cloud Controller, a UAA refresh token, whose scopes would otherwise do', async () => {
    const token = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { refresh: true });
    expect(decodeJwt(token).jti).toMatch(/-r$/);
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 3 }, headers: bearer(token) });
    expect(body.data!.myOrganizationMemberships).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Invalid bearer token: a UAA refresh token is not an access token',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    expect(fake().requestsTo(/^\/v2\/(?!info$)/)).toHaveLength(0);
  });

  it('an organization never updated (Cloud Controller’s updated_at: null) has updatedAt null', async () => {
    const never = all.filter((resource) => resource.metadata.updated_at === null);
    expect(never.length).toBeGreaterThan(0);
    const { entity, metadata } = never[0]!;
    const { body, connection } = await asUser({ first: 1, filter: { name: { eq: entity.name } } });
    expect(body.errors).toBeUndefined();
    expect(connection!.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ providerId: metadata.guid, createdAt: metadata.created_at, updatedAt: null }),
    ]);
  });

  it('has the suspended organizations as SUSPENDED', async () => {
    const { connection } = await asUser({ first: 100, filter: { status: { eq: 'SUSPENDED' } } });
    const suspended = all.filter((resource) => resource.entity.status === 'suspended');
    expect(suspended.length).toBeGreaterThan(0);
    expect(connection!.edges.map((edge) => [edge.node.name, edge.node.status])).toEqual(
      suspended.map((resource) => [resource.entity.name, 'SUSPENDED']),
    );
  });

  describe('filters return what Cloud Controller’s own evaluation of the same q returns', () => {
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['name eq, case-insensitive, with &', { name: { eq: 'r&d' } }, ['name:r&d']],
      ['name eq with + and spaces', { name: { eq: 'Sales + Marketing' } }, ['name:Sales + Marketing']],
      ['name eq with %', { name: { eq: '100% Uptime' } }, ['name:100% Uptime']],
      ['name eq with #', { name: { eq: 'Growth #1' } }, ['name:Growth #1']],
      ['name eq with ++', { name: { eq: 'C++ GUILD' } }, ['name:C++ GUILD']],
      ['name eq with ;status:active', { name: { eq: 'team;status:active' } }, ['name:team;;status:active']],
      ['name eq with ;;', { name: { eq: 'ops;;nightly' } }, ['name:ops;;;;nightly']],
      ['name eq that looks like an operator', { name: { eq: 'name>=b' } }, ['name:name>=b']],
      ['name eq with IN', { name: { eq: 'IN Transit' } }, ['name:IN Transit']],
      [
        'name in',
        { name: { in: ['acme', 'ZETA GROUP', 'nope', 'R&D', 'team;status:active'] } },
        ['name IN acme,ZETA GROUP,nope,R&D,team;;status:active'],
      ],
      ['name gt and lt', { name: { gt: 'payments', lt: 'search' } }, ['name>payments', 'name<search']],
      ['name gte and lte', { name: { gte: 'Payments EU', lte: 'payments us' } }, ['name>=Payments EU', 'name<=payments us']],
      ['status eq', { status: { eq: 'SUSPENDED' } }, ['status:suspended']],
      ['status in', { status: { in: ['ACTIVE', 'DELETING'] } }, ['status IN active,deleting']],
      ['name and status', { name: { gte: 's' }, status: { eq: 'ACTIVE' } }, ['name>=s', 'status:active']],
      ['spaceGuid eq', { spaceGuid: { eq: SPACE_1 } }, [`space_guid:${SPACE_1}`]],
      ['spaceGuid in', { spaceGuid: { in: [SPACE_1, SPACE_2] } }, [`space_guid IN ${SPACE_1},${SPACE_2}`]],
      ['userGuid (both users’ organizations)', { userGuid: { eq: DEMO_CF_COLLEAGUE_GUID } }, [`user_guid:${DEMO_CF_COLLEAGUE_GUID}`]],
      ['managerGuid', { managerGuid: { eq: DEMO_CF_USER_GUID } }, [`manager_guid:${DEMO_CF_USER_GUID}`]],
      [
        'billingManagerGuid in',
        { billingManagerGuid: { in: [DEMO_CF_USER_GUID, DEMO_CF_COLLEAGUE_GUID] } },
        [`billing_manager_guid IN ${DEMO_CF_USER_GUID},${DEMO_CF_COLLEAGUE_GUID}`],
      ],
      ['auditorGuid', { auditorGuid: { eq: DEMO_CF_USER_GUID } }, [`auditor_guid:${DEMO_CF_USER_GUID}`]],
      [
        'an association and a name',
        { managerGuid: { eq: DEMO_CF_USER_GUID }, name: { lt: 'm' } },
        ['name<m', `manager_guid:${DEMO_CF_USER_GUID}`],
      ],
    ];

    it.each(cases)('%s', async (_label, filter, q) => {
      const expected = (await fakeList(userToken, q)).map((resource) => resource.entity.name);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(DEMO_CF_ORGANIZATION_COUNT);
      fake().reset();

      const { body, connection } = await asUser({ first: 100, filter });
      expect(body.errors).toBeUndefined();
      expect(names(connection!)).toEqual(expected.slice(0, 100));
      expect(connection!.totalCount).toBe(expected.length);
      expect(listRequests().map((request) => request.query.getAll('q'))).toEqual([q]);
    });

    it('a name holding ;status:active matches only itself, not every active organization', async () => {
      for (const [eq, expected] of [
        ['team;status:active', ['team;status:active']],
        ['nope;status:active', []],
      ] as const) {
        const { connection } = await asUser({ first: 100, filter: { name: { eq } } });
        expect(names(connection!)).toEqual(expected);
        expect(connection!.totalCount).toBe(expected.length);
      }
    });
  });

  describe('paging: every organization once, in order, at most two list requests per page', () => {
    it.each([7, 25])('forward and backward in pages of %i', async (size) => {
      expect(await walk(asConnection(asUser), 'forward', size)).toEqual(allNames());
      expect(await walk(asConnection(asUser), 'backward', size)).toEqual(allNames());
    });

    it('DESC is Cloud Controller’s order-direction=desc', async () => {
      const descending = await walk(asConnection((variables) => asUser({ ...variables, orderDirection: 'DESC' })), 'forward', 25);
      expect(descending).toEqual([...allNames()].reverse());
      fake().reset();
      await asUser({ first: 10, orderDirection: 'DESC' });
      expect(listRequests().map((request) => request.rawUrl)).toEqual([
        `/v2/users/${DEMO_CF_USER_GUID}/organizations?order-by=name&order-direction=desc&page=1&results-per-page=10`,
      ]);
    });

    it('the last page without a cursor is one request, the first page read in the other direction', async () => {
      const { connection } = await asUser({ last: 7 });
      expect(names(connection!)).toEqual(allNames().slice(-7));
      expect(connection!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(listRequests().map((request) => request.rawUrl)).toEqual([
        `/v2/users/${DEMO_CF_USER_GUID}/organizations?order-by=name&order-direction=desc&page=1&results-per-page=7`,
      ]);
    });

    it('any two cursors bound a slice, first or last taking from it (Relay’s algorithm), each page reading just its window', async () => {
      const run = asConnection(asUser);
      const head = await run({ first: 100 });
      const edges = [...head.edges, ...(await run({ first: 100, after: head.pageInfo.endCursor })).edges];
      expect(edges.map((edge) => edge.node.name)).toEqual(allNames());
      const cursor = (index: number) => edges[index]!.cursor;
      // [what, arguments, index of the first item shown, index past the last, the window the engine asks Cloud Foundry for,
      //  Relay's hasPreviousPage and hasNextPage]
      const cases: Array<[string, Record<string, unknown>, number, number, WindowRequest, boolean, boolean]> = [
        ['after and before, first', { after: cursor(10), before: cursor(40), first: 100 }, 11, 40, { from: 'start', offset: 11, limit: 29 }, true, false],
        ['after and before, last', { after: cursor(10), before: cursor(40), last: 5 }, 35, 40, { from: 'start', offset: 35, limit: 5 }, true, true],
        ['after and before, neither (first: 20)', { after: cursor(10), before: cursor(60) }, 11, 31, { from: 'start', offset: 11, limit: 20 }, true, true],
        ['after with last, the slice longer than the page', { after: cursor(10), last: 5 }, 125, 130, { from: 'end', limit: 5 }, true, false],
        ['after with last, the slice shorter than the page', { after: cursor(120), last: 20 }, 121, 130, { from: 'end', limit: 20 }, false, false],
        ['before with first', { before: cursor(40), first: 5 }, 0, 5, { from: 'start', offset: 0, limit: 5 }, false, true],
        ['after beyond before: nothing between', { after: cursor(40), before: cursor(10), first: 5 }, 41, 41, { from: 'start', offset: 41, limit: 0 }, true, false],
      ];
      for (const [what, variables, from, to, window, hasPreviousPage, hasNextPage] of cases) {
        fake().reset();
        const connection = await run(variables);
        expect([what, connection.edges.map((edge) => edge.cursor)]).toEqual([what, edges.slice(from, to).map((edge) => edge.cursor)]);
        expect([what, names(connection)]).toEqual([what, allNames().slice(from, to)]);
        expect([what, connection.totalCount, connection.pageInfo]).toMatchObject([
          what,
          DEMO_CF_ORGANIZATION_COUNT,
          { hasPreviousPage, hasNextPage },
        ]);
        // Exactly the pages that window needs (its plan is unit-tested in test/providers/cloudfoundry).
        const reads = planWindow(window).reads.map((read) => [
          String(read.page),
          String(read.resultsPerPage),
          read.reversed ? 'desc' : 'asc',
        ]);
        expect([what, listRequests().map((request) => ['page', 'results-per-page', 'order-direction'].map((key) => request.query.get(key)))]).toEqual([
          what,
          reads,
        ]);
      }
    });

    it('first: 0 still counts, with one request of one result', async () => {
      const { connection } = await asUser({ first: 0 });
      expect(connection).toMatchObject({ totalCount: DEMO_CF_ORGANIZATION_COUNT, edges: [] });
      expect(listRequests().map((request) => request.query.get('results-per-page'))).toEqual(['1']);
    });

    it('merged with Wacht, Cloud Foundry windows off page boundaries still cost at most two requests', async () => {
      const headers = { ...bearer(userToken), 'x-wacht-session': DEMO_WACHT_SESSION };
      const run = async (variables: Record<string, unknown>) => {
        const { body } = await harness.graphql(MEMBERSHIPS, { variables, headers });
        expect(body.errors).toBeUndefined();
        return body.data!.myOrganizationMemberships as Connection;
      };
      const wacht = names(await run({ first: 100, providers: ['WACHT'] }));
      expect(wacht.length).toBeGreaterThan(0);
      const merged = [
        ...allNames().map((name) => ({ name, provider: 1 })),
        ...wacht.map((name) => ({ name, provider: 2 })),
      ]
        .sort((a, b) => compareNames(a.name, b.name) || a.provider - b.provider)
        .map((item) => item.name);
      expect(await walk(run, 'forward', 7)).toEqual(merged);
      expect(await walk(run, 'backward', 7)).toEqual(merged);
    });

    it('where Cloud Controller’s collation differs from the subgraph’s order: merged with Wacht, every item once each way, each provider’s in its own order', async () => {
      // A database in en_US.UTF-8 sorts accented names beside their base letters; code units put them after z.
      const guid = 'c0111a7e-0000-4000-8000-000000000001';
      fake().addUser(guid);
      const collated = ['Alpenglow', 'Ångström Lab', 'Eagle Works', 'éclair', 'École du Nord', 'mañana', 'Mango Ltd', 'Omega Point', 'Øresund', 'zeta-lab'];
      for (const name of collated.toReversed()) fake().grant(guid, fake().addOrganization({ name }).guid, 'user');
      const headers = { ...bearer(await fake().mintUserToken(guid)), 'x-wacht-session': DEMO_WACHT_SESSION };
      const run = async (variables: Record<string, unknown>) => {
        const { body } = await harness.graphql(MEMBERSHIPS, { variables, headers });
        expect(body.errors).toBeUndefined();
        return body.data!.myOrganizationMemberships as Connection;
      };
      const wacht = names(await run({ first: 100, providers: ['WACHT'] }));
      fake().nameCollation = 'en-US';
      try {
        expect(names(await run({ first: 100, providers: ['CLOUD_FOUNDRY'] }))).toEqual(collated);
        // A range filter is Cloud Controller's to apply, in its collation: past `n` are only its
        // names past n there (no accented E), while Wacht's are those past n in code units.
        const pastN = names(await run({ first: 100, filter: { name: { gt: 'n' } } }));
        expect(pastN.filter((name) => collated.includes(name))).toEqual(['Omega Point', 'Øresund', 'zeta-lab']);
        expect(pastN.filter((name) => !collated.includes(name))).toEqual(wacht.filter((name) => name.toLowerCase() > 'n'));
        expect(listRequests().at(-1)!.rawUrl).toContain(`q=${encodeURIComponent('name>n')}`);
        for (const direction of ['forward', 'backward'] as const) {
          const walked = await walk(run, direction, 3);
          expect([direction, walked.toSorted()]).toEqual([direction, [...collated, ...wacht].toSorted()]);
          expect([direction, walked.filter((name) => collated.includes(name))]).toEqual([direction, collated]);
          expect([direction, walked.filter((name) => wacht.includes(name))]).toEqual([direction, wacht]);
        }
      } finally {
        fake().nameCollation = null;
      }
    });

    it('asks once for the same page of the same list within a request', async () => {
      const { body } = await harness.graphql(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User {
           a: organizations(first: 5) { totalCount } b: organizations(first: 5) { edges { cursor } } } } }`,
        { variables: userRepresentation(DEMO_CF_USER_GUID), headers: bearer(userToken) },
      );
      expect(body.errors).toBeUndefined();
      expect(listRequests()).toHaveLength(1);
    });
  });

  describe('bad filters never reach Cloud Foundry', () => {
    it.each<[string, Record<string, unknown>]>([
      ["gt starting with '=' (would read as >=)", { name: { gt: '=b' } }],
      ["lt starting with '=' (would read as <=)", { name: { lt: '=b' } }],
      ['a lone surrogate', { name: { eq: 'bad \ud800' } }],
      ['a lone surrogate in a guid', { spaceGuid: { eq: '\udc00' } }],
      ['a , inside an in value', { name: { in: ['a,b'] } }],
      ['over 100 in values', { name: { in: Array.from({ length: 101 }, (_, i) => `org ${i}`) } }],
      ['an empty guid', { managerGuid: { eq: '' } }],
      ['a blank guid in a list', { auditorGuid: { in: [DEMO_CF_USER_GUID, ' '] } }],
      [
        "three association filters of 100 guids each (more than Cloud Controller's request line holds)",
        Object.fromEntries(
          ['spaceGuid', 'managerGuid', 'auditorGuid'].map((field, f) => [
            field,
            { in: Array.from({ length: 100 }, (_, i) => `0000000${f}-0000-4000-8000-${String(i).padStart(12, '0')}`) },
          ]),
        ),
      ],
    ])('%s is BAD_USER_INPUT', async (_label, filter) => {
      const { body, connection } = await asUser({ filter });
      expect(connection).toBeNull();
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['BAD_USER_INPUT']);
      expect(body.errors![0]!.extensions!.provider).toBeUndefined();
      expect(fake().requests).toHaveLength(0);
    });

    it('an empty in list matches nothing, without asking', async () => {
      const { body, connection } = await asUser({ filter: { spaceGuid: { in: [] } } });
      expect(body.errors).toBeUndefined();
      expect(connection).toMatchObject({ totalCount: 0, edges: [] });
      expect(fake().requests).toHaveLength(0);
    });
  });

  it('association filters go upstream, and the other providers contribute nothing', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 50, filter: { spaceGuid: { in: [SPACE_1, SPACE_2] } } },
      headers: { ...bearer(userToken), 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    expect(body.errors).toBeUndefined();
    const connection = body.data!.myOrganizationMemberships as Connection;
    expect(names(connection)).toEqual(['Growth #1', 'R&D']);
    expect(connection.edges.every((edge) => edge.node.provider === 'CLOUD_FOUNDRY')).toBe(true);
    expect(listRequests().map((request) => request.query.getAll('q'))).toEqual([[`space_guid IN ${SPACE_1},${SPACE_2}`]]);
    expect(harness.wacht.requests).toHaveLength(0);
  });

  it('association filter guids are sent in Cloud Controller’s lower-case spelling, whatever the case given', async () => {
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 50, filter: { spaceGuid: { in: [SPACE_1.toUpperCase()] }, userGuid: { eq: DEMO_CF_USER_GUID.toUpperCase() } } },
      headers: bearer(userToken),
    });
    expect(body.errors).toBeUndefined();
    expect(names(body.data!.myOrganizationMemberships as Connection)).toEqual(['R&D']);
    expect(listRequests().map((request) => request.query.getAll('q'))).toEqual([[`space_guid IN ${SPACE_1}`, `user_guid:${DEMO_CF_USER_GUID}`]]);
  });

  describe('User.organizations: who may read', () => {
    it.each(['cloud_controller.admin', 'cloud_controller.admin_read_only', 'cloud_controller.global_auditor'])(
      'a UAA token with %s reads another user',
      async (scope) => {
        const admin = await harness.cloudFoundry.mintUserToken(ADMIN_GUID, { scopes: [scope] });
        const { body, connection } = await userOrganizations({ first: 3 }, bearer(admin));
        expect(body.errors).toBeUndefined();
        expect(names(connection!)).toEqual(allNames().slice(0, 3));
      },
    );

    it('the user themself, whatever the case of the guid: Cloud Controller is asked for its own (lower-case) spelling, once for both', async () => {
      const upper = DEMO_CF_USER_GUID.toUpperCase();
      const { body } = await harness.graphql(USER_ORGANIZATIONS, {
        variables: { representations: [upper, DEMO_CF_USER_GUID].map((id) => ({ __typename: 'User', id })), first: 2 },
        headers: bearer(userToken),
      });
      expect(body.errors).toBeUndefined();
      const [asUpper, asLower] = body.data!._entities as Array<{ id: string; organizations: Connection }>;
      expect(asUpper!.id).toBe(upper);
      // The fake, like Cloud Controller's PostgreSQL, knows only the lower-case spelling.
      expect(names(asUpper!.organizations)).toEqual(allNames().slice(0, 2));
      expect(asUpper!.organizations.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
      expect(asUpper!.organizations.edges.map((edge) => edge.node.id)).toEqual(asLower!.organizations.edges.map((edge) => edge.node.id));
      expect(listRequests().map((request) => request.rawPath)).toEqual([`/v2/users/${DEMO_CF_USER_GUID}/organizations`]);
    });

    it('another user with a plain user token is FORBIDDEN, without asking', async () => {
      const { body, connection } = await userOrganizations({ first: 3 }, bearer(colleagueToken));
      expect(connection).toBeNull();
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['FORBIDDEN']);
      expect(fake().requestsTo(/^\/v2\/(?!info$)/)).toHaveLength(0);
    });

    it('an Auth0 token, even with read:organizations, is FORBIDDEN for a Cloud Foundry user', async () => {
      const auth0 = await harness.auth0.mintCallerToken(DEMO_AUTH0_ADMIN_USER_ID, {
        audience: DEMO_AUTH0_AUDIENCE,
        permissions: ['read:organizations'],
      });
      const { body } = await userOrganizations({ first: 3 }, bearer(auth0));
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['FORBIDDEN']);
      expect(fake().requestsTo(/^\/v2\/(?!info$)/)).toHaveLength(0);
    });

    it('no token is UNAUTHENTICATED, without asking', async () => {
      const { body, connection } = await userOrganizations({ first: 3 }, {});
      expect(connection).toBeNull();
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
      expect(fake().requests).toHaveLength(0);
    });

    it('a user Cloud Controller does not know has no organizations (CF-UserNotFound)', async () => {
      const admin = await harness.cloudFoundry.mintUserToken(ADMIN_GUID, { scopes: ['cloud_controller.admin'] });
      const { body, connection } = await userOrganizations({ first: 3 }, bearer(admin), STRANGER_GUID);
      expect(body.errors).toBeUndefined();
      expect(connection).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: [] });
      expect(listRequests()).toHaveLength(1);
    });

    it('an id that is not a guid is no Cloud Foundry user: empty, without asking', async () => {
      const { body, connection } = await userOrganizations({ first: 3 }, bearer(userToken), 'not-a-guid');
      expect(body.errors).toBeUndefined();
      expect(connection).toMatchObject({ totalCount: 0, edges: [] });
      expect(fake().requests).toHaveLength(0);
    });
  });

  describe('roles', () => {
    it('are the org user role plus the roles the user holds, from the three role lists, each read once', async () => {
      const held = new Map<string, string[]>();
      for (const [list, role] of [
        ['managed_organizations', 'organization_manager'],
        ['billing_managed_organizations', 'organization_billing_manager'],
        ['audited_organizations', 'organization_auditor'],
      ] as const) {
        for (const resource of await fakeList(userToken, [], list)) {
          held.set(resource.metadata.guid, [...(held.get(resource.metadata.guid) ?? []), role]);
        }
      }
      fake().reset();

      const { body } = await harness.graphql(
        `query { a: myOrganizationMemberships(first: 100) { edges { node { id organization { providerId } roles { id name permissions } } } }
                 b: myOrganizationMemberships(last: 30) { edges { node { roles { name } } } } }`,
        { headers: bearer(userToken) },
      );
      expect(body.errors).toBeUndefined();
      const edges = body.data!.a.edges as Array<{ node: any }>;
      expect(edges).toHaveLength(100);
      for (const { node } of edges) {
        const guid = node.organization.providerId;
        expect(node.id).toBe(`cloudfoundry:${guid}:${DEMO_CF_USER_GUID}`);
        const roles = ['organization_user', ...(held.get(guid) ?? [])];
        expect(node.roles).toEqual(roles.map((role) => ({ id: role, name: role, permissions: [] })));
      }
      expect(edges.some(({ node }) => node.roles.length > 1)).toBe(true);
      expect(fake().requestsTo(ROLE_ROUTES).map((request) => request.rawPath).sort()).toEqual(
        ['audited_organizations', 'billing_managed_organizations', 'managed_organizations'].map(
          (list) => `/v2/users/${DEMO_CF_USER_GUID}/${list}`,
        ),
      );
    });

    it('are not read when not selected', async () => {
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 100 }, headers: bearer(userToken) });
      expect(body.errors).toBeUndefined();
      expect(fake().requestsTo(ROLE_ROUTES)).toHaveLength(0);
    });
  });

  describe('Organization references', () => {
    it('resolve cloudfoundry:<guid>, each distinct guid once whatever its case, as Cloud Controller spells it; unknown ids are null', async () => {
      const [first, second] = all;
      const representations = [
        `cloudfoundry:${first!.metadata.guid}`,
        `cloudfoundry:${second!.metadata.guid}`,
        `cloudfoundry:${first!.metadata.guid.toUpperCase()}`,
        `cloudfoundry:${STRANGER_GUID}`,
        'cloudfoundry:not-a-guid',
      ].map((id) => ({ __typename: 'Organization', id }));
      const { body } = await harness.graphql(ORGANIZATION_REFERENCES, { variables: { representations } });
      expect(body.errors).toBeUndefined();
      const [a, b, c, unknown, notGuid] = body.data!._entities;
      expect(a).toMatchObject({
        id: `cloudfoundry:${first!.metadata.guid}`,
        provider: 'CLOUD_FOUNDRY',
        providerId: first!.metadata.guid,
        name: first!.entity.name,
        createdAt: first!.metadata.created_at,
      });
      expect(b.name).toBe(second!.entity.name);
      expect(c).toEqual(a);
      expect(unknown).toBeNull();
      expect(notGuid).toBeNull();
      expect(fake().requestsTo(ORGANIZATION_ROUTE).map((request) => request.rawPath).sort()).toEqual(
        [first!.metadata.guid, second!.metadata.guid, STRANGER_GUID].map((guid) => `/v2/organizations/${guid}`).sort(),
      );
    });
  });

  describe('Cloud Foundry failures keep the other providers’ items and say why', () => {
    const headers = () => ({ ...bearer(userToken), 'x-wacht-session': DEMO_WACHT_SESSION });

    async function failedWith(): Promise<Record<string, unknown>> {
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 50 }, headers: headers() });
      const connection = body.data!.myOrganizationMemberships as Connection;
      expect(connection.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
      expect(connection.edges.length).toBeGreaterThan(0);
      expect(connection.edges.every((edge) => edge.node.provider === 'WACHT')).toBe(true);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.path).toEqual(['myOrganizationMemberships']);
      const text = JSON.stringify(body);
      for (const secret of [userToken, DEMO_CF_CLIENT_SECRET, DEMO_WACHT_SESSION]) expect(text).not.toContain(secret);
      return body.errors![0]!.extensions!;
    }

    // Faults that a retry could meet are injected for every request (`times: Infinity`; beforeEach clears them).
    const cfError = (status: number, error_code: string, code: number) => ({
      path: LIST_ROUTE,
      status,
      body: { description: 'injected', error_code, code },
    });

    it('404 CF-UserNotFound is no failure: Cloud Foundry just has nothing', async () => {
      fake().fail(cfError(404, 'CF-UserNotFound', 20003));
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 50 }, headers: headers() });
      expect(body.errors).toBeUndefined();
      const connection = body.data!.myOrganizationMemberships as Connection;
      expect(connection.unavailableProviders).toEqual([]);
      expect(connection.edges.length).toBeGreaterThan(0);
      expect(connection.edges.every((edge) => edge.node.provider === 'WACHT')).toBe(true);
      expect(connection.totalCount).toBe(connection.edges.length);
      expect(listRequests()).toHaveLength(1);
    });

    // The subgraph's client token was refused: its grant is missing, which the caller cannot mend
    // (a 403 to the caller's own token is FORBIDDEN: the caller-token describe below).
    it('403 CF-NotAuthorized to the client token is UPSTREAM_ERROR', async () => {
      fake().fail(cfError(403, 'CF-NotAuthorized', 10003));
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
    });

    it('403 CF-InsufficientScope to the client token is UPSTREAM_ERROR', async () => {
      fake().fail(cfError(403, 'CF-InsufficientScope', 10007));
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
    });

    it.each(['epoch', 'seconds'] as const)('429 is RATE_LIMITED with retryAfter in seconds (Retry-After in the %s form)', async (retryAfter) => {
      fake().fail({ path: LIST_ROUTE, ...FakeCloudFoundry.rateLimited(17, { retryAfter }), times: Infinity });
      const { retryAfter: seconds, ...rest } = await failedWith();
      expect(rest).toEqual({ code: 'RATE_LIMITED', provider: 'CLOUD_FOUNDRY' });
      // A reset time, truncated to its second, is read as that second's end against this
      // machine's clock, whose second may have turned since it was written.
      expect(seconds).toBeGreaterThanOrEqual(17);
      expect(seconds).toBeLessThanOrEqual(retryAfter === 'epoch' ? 18 : 17);
    });

    it('500 UnknownError is UPSTREAM_UNAVAILABLE', async () => {
      const body = { error_code: 'UnknownError', description: 'An unknown error occurred.', code: 10001 };
      fake().fail({ path: LIST_ROUTE, status: 500, body, times: Infinity });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' });
    });

    it('a reset connection is UPSTREAM_UNAVAILABLE', async () => {
      fake().fail({ path: LIST_ROUTE, reset: true, times: Infinity });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' });
    });

    it('400 CF-BadQueryParameter is UPSTREAM_ERROR', async () => {
      fake().fail(cfError(400, 'CF-BadQueryParameter', 10005));
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
    });

    it('a body that is not JSON is UPSTREAM_ERROR', async () => {
      fake().fail({ path: LIST_ROUTE, status: 200, rawBody: '{"total_results":1,"resources":[' });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
    });

    it('an unknown status is UPSTREAM_ERROR', async () => {
      const [resource] = all;
      fake().fail({
        path: LIST_ROUTE,
        status: 200,
        body: { total_results: 1, total_pages: 1, resources: [{ ...resource, entity: { ...resource!.entity, status: 'frozen' } }] },
      });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
    });

    it('a 401 to the client token renews it once; a second 401 is UPSTREAM_ERROR', async () => {
      fake().fail({ ...cfError(401, 'CF-InvalidAuthToken', 1000), times: 2 });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'CLOUD_FOUNDRY' });
      expect(fake().requestsTo(TOKEN_ROUTE)).toHaveLength(1);
      expect(listRequests()).toHaveLength(2);

      fake().reset();
      fake().fail(cfError(401, 'CF-InvalidAuthToken', 1000));
      const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 5 }, headers: bearer(userToken) });
      expect(body.errors).toBeUndefined();
      expect(body.data!.myOrganizationMemberships.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
      expect(fake().requestsTo(TOKEN_ROUTE)).toHaveLength(1);
    });

    it('a failed role list makes Cloud Foundry unavailable; Wacht’s items come with their roles', async () => {
      const wachtOnly = await harness.graphql(MEMBERSHIPS_WITH_ROLES, { variables: { first: 5, providers: ['WACHT'] }, headers: headers() });
      expect(wachtOnly.body.errors).toBeUndefined();
      fake().fail({ path: ROLE_ROUTES, status: 503, body: {}, times: Infinity });
      const { body } = await harness.graphql(MEMBERSHIPS_WITH_ROLES, { variables: { first: 5 }, headers: headers() });
      const connection = body.data!.myOrganizationMemberships as Connection;
      const expected = wachtOnly.body.data!.myOrganizationMemberships as Connection;
      expect(connection.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
      expect(connection.edges).toHaveLength(5);
      expect(connection.edges.map((edge) => edge.node)).toEqual(expected.edges.map((edge) => edge.node));
      expect(connection.totalCount).toBe(expected.totalCount);
      expect(body.errors!.map((error) => [error.path, error.extensions])).toEqual([
        [['myOrganizationMemberships'], { code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' }],
      ]);
      expect(listRequests()).toHaveLength(1);
    });
  });
});

describe('Cloud Foundry with the caller’s own UAA token (no client configured)', () => {
  let harness: Harness;
  let userToken: string;
  const { fake, listRequests, userOrganizations } = cloudFoundryTools(() => harness);

  beforeAll(async () => {
    harness = await startHarness({ config: (config) => ({ ...config, cloudFoundry: { ...config.cloudFoundry!, client: null } }) });
    userToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  it('forwards the caller’s token and never asks the UAA for a client token', async () => {
    const { body, connection } = await userOrganizations({ first: 5 }, bearer(userToken));
    expect(body.errors).toBeUndefined();
    expect(connection!.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
    const { body: memberships } = await harness.graphql(MEMBERSHIPS_WITH_ROLES, { variables: { first: 3 }, headers: bearer(userToken) });
    expect(memberships.errors).toBeUndefined();
    const sent = fake().requestsTo(/^\/v2\/users\//).map((request) => request.headers.authorization);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(new Set(sent)).toEqual(new Set([`bearer ${userToken}`]));
    expect(fake().requestsTo(TOKEN_ROUTE)).toHaveLength(0);
  });

  it('an admin’s token reading another user is forwarded as it is', async () => {
    const admin = await harness.cloudFoundry.mintUserToken(ADMIN_GUID, { scopes: ['cloud_controller.admin_read_only'] });
    const { body } = await userOrganizations({ first: 5 }, bearer(admin));
    expect(body.errors).toBeUndefined();
    expect(listRequests().map((request) => request.headers.authorization)).toEqual([`bearer ${admin}`]);
  });

  it('a global auditor’s token reading another user: the contract lets it through, Cloud Controller refuses it', async () => {
    // Cloud Controller lets only admin and admin_read_only read another user; the client token, when configured, reads all.
    const auditor = await harness.cloudFoundry.mintUserToken(ADMIN_GUID, { scopes: ['cloud_controller.global_auditor'] });
    const { body, connection } = await userOrganizations({ first: 5 }, bearer(auditor));
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'FORBIDDEN', provider: 'CLOUD_FOUNDRY' }]);
    expect(connection).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: ['CLOUD_FOUNDRY'] });
    expect(listRequests().map((request) => request.headers.authorization)).toEqual([`bearer ${auditor}`]);
  });

  it('a 401 to the caller’s token is UNAUTHENTICATED for Cloud Foundry; Wacht still answers', async () => {
    fake().fail({ path: LIST_ROUTE, status: 401, body: { description: 'Invalid Auth Token', error_code: 'CF-InvalidAuthToken', code: 1000 } });
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 50 },
      headers: { ...bearer(userToken), 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    const connection = body.data!.myOrganizationMemberships as Connection;
    expect(connection.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
    expect(connection.edges.length).toBeGreaterThan(0);
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', provider: 'CLOUD_FOUNDRY' }]);
    expect(listRequests()).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain(userToken);
  });

  it('a token UAA issued without a cloud_controller scope: without CF_AUDIENCE it is forwarded, and Cloud Controller’s 401 is UNAUTHENTICATED', async () => {
    const token = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { scopes: ['openid'] });
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 5 }, headers: bearer(token) });
    expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: ['CLOUD_FOUNDRY'] });
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', provider: 'CLOUD_FOUNDRY' }]);
    expect(listRequests().map((request) => request.headers.authorization)).toEqual([`bearer ${token}`]);
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('an organization reference without a Cloud Foundry token is UNAUTHENTICATED, without asking', async () => {
    const { body } = await harness.graphql(ORGANIZATION_REFERENCES, {
      variables: { representations: [{ __typename: 'Organization', id: `cloudfoundry:${STRANGER_GUID}` }] },
    });
    expect(body.data!._entities).toEqual([null]);
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', provider: 'CLOUD_FOUNDRY' }]);
    expect(fake().requests).toHaveLength(0);
  });
});

describe('CF_AUDIENCE: UAA caller tokens must name it in `aud`', () => {
  let harness: Harness;
  const { fake, listRequests, userOrganizations } = cloudFoundryTools(() => harness);

  beforeAll(async () => {
    harness = await startHarness({
      config: (config) => ({ ...config, cloudFoundry: { ...config.cloudFoundry!, audience: 'cloud_controller' } }),
    });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  it('takes a token with a cloud_controller scope, whose aud UAA makes cloud_controller', async () => {
    const token = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { scopes: ['cloud_controller.read', 'openid'] });
    expect(decodeJwt(token).aud).toContain('cloud_controller');
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { first: 3 }, headers: bearer(token) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.myOrganizationMemberships.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
    expect(listRequests()).toHaveLength(1);
  });

  it('refuses, as UNAUTHENTICATED and without asking Cloud Controller, a token UAA issued to a client without it', async () => {
    const token = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { scopes: ['openid'] });
    expect(decodeJwt(token).aud).not.toContain('cloud_controller');
    const mine = await harness.graphql(MEMBERSHIPS, { variables: { first: 3 }, headers: bearer(token) });
    expect(mine.body.data!.myOrganizationMemberships).toBeNull();
    expect(mine.body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
    const { body, connection } = await userOrganizations({ first: 3 }, bearer(token));
    expect(connection).toBeNull();
    expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify([mine.body, body])).not.toContain(token);
    expect(fake().requestsTo(/^\/v2\/(?!info$)/)).toHaveLength(0);
  });
});

describe('the UAA client token and discovery, per process', () => {
  let harness: Harness;
  const { fake, listRequests } = cloudFoundryTools(() => harness);

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('finds the UAA again after a failed discovery, then keeps it; one client token serves many requests', async () => {
    const userToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    const ask = () => harness.graphql(MEMBERSHIPS, { variables: { first: 3 }, headers: bearer(userToken) });
    fake().fail({ path: /^\/v2\/info$/, status: 503, body: {}, times: Infinity });
    const failed = await ask();
    expect(failed.body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' }]);
    expect(listRequests()).toHaveLength(0);

    fake().reset();
    const answers: GraphQLResponse[] = [];
    for (let i = 0; i < 5; i++) answers.push(await ask());
    for (const { body } of answers) expect(body.data!.myOrganizationMemberships.totalCount).toBe(DEMO_CF_ORGANIZATION_COUNT);
    expect(fake().requestsTo(/^\/v2\/info$/)).toHaveLength(1);
    const tokenRequests = fake().requestsTo(TOKEN_ROUTE);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${DEMO_CF_CLIENT_ID}:${DEMO_CF_CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(tokenRequests[0]!.body).toEqual({ grant_type: 'client_credentials' });
    expect(new Set(listRequests().map((request) => request.headers.authorization)).size).toBe(1);
    expect(listRequests()).toHaveLength(5);
  });
});

describe('caller tokens while the UAA cannot be discovered', () => {
  let harness: Harness;
  const { fake } = cloudFoundryTools(() => harness);

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('a token no UAA could have issued is UNAUTHENTICATED at once, not an outage, and discovery is not asked for it', async () => {
    fake().fail({ path: /^\/v2\/info$/, status: 503, body: {}, times: Infinity });
    const forged = await harness.auth0.mintCallerToken(DEMO_AUTH0_ADMIN_USER_ID, { issuer: 'https://evil.example.com/', audience: DEMO_AUTH0_AUDIENCE });
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 3 },
      headers: { ...bearer(forged), 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    expect(body.data).toEqual({ myOrganizationMemberships: null });
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED' }]);
    expect(fake().requestsTo(/^\/v2\/info$/)).toHaveLength(0);
    expect(harness.wacht.requests).toHaveLength(0);
  });

  it('a token naming a UAA token endpoint still waits for discovery: Cloud Foundry is unavailable, the others answer', async () => {
    fake().fail({ path: /^\/v2\/info$/, status: 503, body: {}, times: Infinity });
    const userToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    const { body } = await harness.graphql(MEMBERSHIPS, {
      variables: { first: 3 },
      headers: { ...bearer(userToken), 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    expect(body.errors!.map((error) => error.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' }]);
    expect(body.data!.myOrganizationMemberships.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
    expect(body.data!.myOrganizationMemberships.totalCount).toBeGreaterThan(0);
    expect(fake().requestsTo(/^\/v2\/info$/).length).toBeGreaterThan(0);
  });
});

/** The contract's order: lowercase names in code-unit order. */
function compareNames(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
}

function asConnection(
  run: (variables: Record<string, unknown>) => Promise<{ body: GraphQLResponse['body']; connection: Connection | null | undefined }>,
): PageRunner {
  return async (variables) => {
    const { body, connection } = await run(variables);
    expect(body.errors).toBeUndefined();
    return connection!;
  };
}
