/**
 * Auth0 end to end: the real server over loopback, every fake behind it. What the fake
 * recorded (paths as sent, query strings, tokens) is asserted beside the data.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AUTH0_ERRORS, FakeAuth0, type Auth0Permission, type CallerTokenOptions } from '../../src/fakes/auth0/fake-auth0';
import {
  DEMO_AUTH0_ADMIN_USER_ID,
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_CLIENT_SECRET,
  DEMO_AUTH0_GOOGLE_USER_ID,
  DEMO_AUTH0_SIWE_USER_ID,
  DEMO_AUTH0_USER_ID,
} from '../../src/fakes/auth0/seed';
import type { Fault } from '../../src/fakes/fake-server';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { startHarness, type GraphQLResponse, type Harness, type HarnessOptions } from '../support/harness';
import { WACHT_DEMO_NAMES_ASC } from '../support/expected';

/** The demo user's seeded organizations in the contract's order (lowercase, code units: `-` < digits < `_`). */
const DEMO_NAMES = [
  'acme',
  'acme-labs',
  'acme_research',
  'blue-harbor',
  'cedar10',
  'cedar2',
  'delta-dynamics',
  'evergreen',
  'foxglove-studio',
  'granite',
  'hollow-pine',
  'zenith',
];
const WACHT_NAMES = WACHT_DEMO_NAMES_ASC;

/** More organizations than one upstream page holds (per_page=100): three pages. */
const BULK_USER_ID = 'auth0|bulk-member-0001';
const BULK_SIZE = 230;
/** More than offset paging can reach (1000). */
const WALL_USER_ID = 'auth0|wall-member-0001';
const WALL_SIZE = 1005;
/** An id that, sent unencoded, would walk into other Management API routes. */
const TRAVERSAL_USER_ID = 'samlp|corp|../../users/auth0|victim/organizations';
const MERGE_USER_ID = 'auth0|merge-member-0001';
const BULK_MEMBER_ROLE = 'rol_bulkMember0001';
const BULK_ADMIN_ROLE = 'rol_bulkAdmin0001';

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const bulkName = (index: number) => `team-${pad(index, 3)}`;
/** The bulk user's organization names, in list order. */
const ASCENDING_BULK = Array.from({ length: BULK_SIZE }, (_, index) => bulkName(index));

const ORGANIZATION_FIELDS = 'id provider providerId name displayName slug imageUrl status createdAt updatedAt';
const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const ARGS_DECLARATION = `$first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter,
  $orderDirection: OrderDirection, $providers: [IdentityProvider!]`;
const ARGS = `first: $first, after: $after, last: $last, before: $before, filter: $filter,
  orderDirection: $orderDirection, providers: $providers`;

function membershipsQuery({ roles }: { roles: boolean }): string {
  return /* GraphQL */ `
    query Memberships(${ARGS_DECLARATION}) {
      myOrganizationMemberships(${ARGS}) {
        totalCount unavailableProviders ${PAGE_INFO}
        edges { cursor node { id provider createdAt updatedAt organization { ${ORGANIZATION_FIELDS} }
          ${roles ? 'roles { id name permissions }' : ''} } }
      }
    }`;
}
const MEMBERSHIPS = membershipsQuery({ roles: false });
const MEMBERSHIPS_WITH_ROLES = membershipsQuery({ roles: true });

const USER_ORGANIZATIONS = /* GraphQL */ `
  query UserOrganizations($representations: [_Any!]!, ${ARGS_DECLARATION}) {
    _entities(representations: $representations) {
      ... on User { id organizations(${ARGS}) {
        totalCount unavailableProviders ${PAGE_INFO} edges { cursor node { ${ORGANIZATION_FIELDS} } } } }
    }
  }`;

const ORGANIZATION_REFERENCES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Organization { ${ORGANIZATION_FIELDS} } }
  }`;

type Connection = Record<string, any>;

/** Organization names of either connection (membership nodes hold an organization; organization nodes are one). */
const names = (connection: Connection): string[] =>
  connection.edges.map((edge: any) => (edge.node.organization ?? edge.node).name);
const providersAndNames = (connection: Connection): [string, string][] =>
  connection.edges.map((edge: any) => [edge.node.provider, edge.node.organization.name]);
const codes = (body: GraphQLResponse['body']) => (body.errors ?? []).map((error) => error.extensions?.code);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const session = { 'x-wacht-session': DEMO_WACHT_SESSION };
const userOrganizationsPath = (encodedId: string) => `/api/v2/users/${encodedId}/organizations`;
const usersRoute = /^\/api\/v2\/users\/[^/]+\/organizations$/;
const rolesRoute = /^\/api\/v2\/organizations\/[^/]+\/members\/[^/]+\/roles$/;
const permissionsRoute = /^\/api\/v2\/roles\/[^/]+\/permissions$/;
const organizationRoute = /^\/api\/v2\/organizations\/[^/]+$/;
const managementApi = /^\/api\/v2\//;

function permission(name: string): Auth0Permission {
  return {
    permission_name: name,
    description: name,
    resource_server_name: 'Organizations API',
    resource_server_identifier: DEMO_AUTH0_AUDIENCE,
  };
}

/**
 * The harness, with a guard: nothing the subgraph answers may hold the client secret, a
 * Management API token (as the fake received them) or a caller token the test presented.
 */
class Subgraph {
  private readonly bodies: string[] = [];
  private readonly callerTokens = new Set<string>();

  private constructor(readonly harness: Harness) {}

  static async start(options?: HarnessOptions): Promise<Subgraph> {
    return new Subgraph(await startHarness(options));
  }

  get auth0(): FakeAuth0 {
    return this.harness.auth0;
  }

  async graphql(query: string, options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    const response = await this.harness.graphql(query, options);
    this.bodies.push(JSON.stringify(response.body));
    return response;
  }

  async token(sub: string, options: Partial<CallerTokenOptions> = {}): Promise<string> {
    const token = await this.auth0.mintCallerToken(sub, { audience: DEMO_AUTH0_AUDIENCE, ...options });
    this.callerTokens.add(token);
    return token;
  }

  async memberships(token: string, variables: Record<string, unknown> = {}, query = MEMBERSHIPS) {
    return this.graphql(query, { variables, headers: bearer(token) });
  }

  /** `User.organizations` through `_entities`, as the router asks for it. */
  async userOrganizations(userId: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
    const response = await this.graphql(USER_ORGANIZATIONS, {
      variables: { representations: [{ __typename: 'User', id: userId }], ...variables },
      headers,
    });
    return { body: response.body, connection: response.body.data?._entities?.[0]?.organizations as Connection | null };
  }

  expectNothingSecretAnswered(): void {
    const managementTokens = this.auth0
      .requestsTo(managementApi)
      .map((request) => request.headers.authorization?.replace(/^Bearer /, ''))
      .filter((token): token is string => Boolean(token));
    const secrets = [DEMO_AUTH0_CLIENT_SECRET, ...managementTokens, ...this.callerTokens];
    for (const body of this.bodies) {
      for (const secret of secrets) expect(body).not.toContain(secret);
    }
    this.bodies.length = 0;
  }

  async close(): Promise<void> {
    await this.harness.close();
  }
}

/** Each describe gets its own server and fakes, checked for leaks after every test. */
function useSubgraph(options?: HarnessOptions, seed?: (fake: FakeAuth0) => void): () => Subgraph {
  let subgraph: Subgraph | undefined;
  beforeAll(async () => {
    subgraph = await Subgraph.start(options);
    seed?.(subgraph.auth0);
  });
  afterAll(() => subgraph?.close());
  beforeEach(() => subgraph!.harness.fakes.reset());
  afterEach(() => subgraph!.expectNothingSecretAnswered());
  return () => subgraph!;
}

/** Users and organizations beyond the demo seed, added to the fake as Auth0 would hold them. */
function seedLargeAndOddUsers(fake: FakeAuth0): void {
  fake.addRole({ id: BULK_MEMBER_ROLE, name: 'bulk-member', description: 'Works there' }, [permission('read:members')]);
  fake.addRole({ id: BULK_ADMIN_ROLE, name: 'bulk-admin', description: 'Runs it' }, [
    permission('read:members'),
    permission('manage:members'),
  ]);
  fake.addUser(BULK_USER_ID);
  for (let index = 0; index < BULK_SIZE; index += 1) {
    // Ids (Auth0's order) run against names (ours): 97 is coprime with 230, so every name once.
    const id = `org_bulk${pad(index, 4)}`;
    fake.addOrganization({ id, name: bulkName((index * 97) % BULK_SIZE), display_name: `Team ${index}` });
    fake.addMember(id, BULK_USER_ID, index % 10 === 0 ? [BULK_MEMBER_ROLE, BULK_ADMIN_ROLE] : [BULK_MEMBER_ROLE]);
  }
  fake.addUser(WALL_USER_ID);
  for (let index = 0; index < WALL_SIZE; index += 1) {
    const id = `org_wall${pad(index, 4)}`;
    fake.addOrganization({ id, name: `wall-${pad(index, 4)}` });
    fake.addMember(id, WALL_USER_ID);
  }
  fake.addUser(TRAVERSAL_USER_ID);
  fake.addOrganization({ id: 'org_traversal0001', name: 'odd-one' });
  fake.addMember('org_traversal0001', TRAVERSAL_USER_ID, [BULK_MEMBER_ROLE]);
  fake.addUser(MERGE_USER_ID);
  ['9lives', 'acme-corp', 'globex', 'initech', 'zeta_systems', 'zzz'].forEach((name, index) => {
    const id = `org_merge${pad(index, 4)}`;
    fake.addOrganization({ id, name });
    fake.addMember(id, MERGE_USER_ID);
  });
}

describe('Auth0 through the subgraph', () => {
  /** What the server logged at warn and above. */
  const logLines: string[] = [];
  const subgraph = useSubgraph(
    { logStream: { write: (line: string) => logLines.push(line) }, config: (config) => ({ ...config, logLevel: 'warn' }) },
    seedLargeAndOddUsers,
  );
  const fake = () => subgraph().auth0;

  describe('myOrganizationMemberships for an Auth0 caller', () => {
    it('lists the caller’s organizations sorted by name, mapped as the contract says, with one upstream call', async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID, { scope: 'openid profile' });
      const { body } = await subgraph().memberships(token);
      expect(body.errors).toBeUndefined();
      const connection = body.data!.myOrganizationMemberships;
      expect(names(connection)).toEqual(DEMO_NAMES);
      expect(connection).toMatchObject({ totalCount: 12, unavailableProviders: [] });
      expect(connection.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

      const acme = connection.edges[0].node;
      const acmeId: string = acme.organization.providerId;
      expect(acmeId).toMatch(/^org_[A-Za-z0-9]{16}$/);
      expect(acme).toEqual({
        id: `auth0:${acmeId}:${DEMO_AUTH0_USER_ID}`,
        provider: 'AUTH0',
        createdAt: null,
        updatedAt: null,
        organization: {
          id: `auth0:${acmeId}`,
          provider: 'AUTH0',
          providerId: acmeId,
          name: 'acme',
          displayName: 'Acme Corporation',
          slug: null,
          imageUrl: 'https://cdn.example.com/logos/acme.png',
          status: 'ACTIVE',
          createdAt: null,
          updatedAt: null,
        },
      });
      // Seeded without display name or branding.
      expect(connection.edges[6].node.organization).toMatchObject({ name: 'delta-dynamics', displayName: null, imageUrl: null });
      expect(new Set(connection.edges.map((edge: any) => edge.node.id)).size).toBe(12);

      // One call, with only the documented parameters, and the Management API token, not the caller's.
      const calls = fake().requestsTo(managementApi);
      expect(calls.map((call) => call.rawUrl)).toEqual([
        `${userOrganizationsPath('auth0%7C64b1f0c2a9e5d3c1b2a4e6f8')}?page=0&per_page=100&include_totals=true`,
      ]);
      const sent = calls[0]!.headers.authorization!;
      expect(sent).toMatch(/^Bearer /);
      expect(sent).not.toBe(`Bearer ${token}`);
      expect(decodeJwt(sent.slice('Bearer '.length)).aud).toBe(`${fake().url}/api/v2/`);
    });

    it('gives a machine token (sub `…@clients`) no Auth0 memberships, without a call', async () => {
      const token = await subgraph().token('Dm0OrgSubgraphM2mClient000000001@clients');
      const { body } = await subgraph().memberships(token);
      expect(body.errors).toBeUndefined();
      expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: [] });
      expect(fake().requestsTo(managementApi)).toHaveLength(0);
    });

    it('merges an Auth0 token and a Wacht session into one name-sorted list, ties AUTH0 first', async () => {
      const token = await subgraph().token(MERGE_USER_ID);
      const expected: [string, string][] = [
        ['WACHT', '42 Robotics'],
        ['AUTH0', '9lives'],
        ['WACHT', 'acme corp'],
        ['AUTH0', 'acme-corp'],
        ['AUTH0', 'globex'],
        ['WACHT', 'Globex'],
        ['AUTH0', 'initech'],
        ['WACHT', 'Initech & Partners'],
        ['WACHT', "O'Reilly-Vance Holdings, Ltd."],
        ['WACHT', 'umbrella-labs'],
        ['WACHT', 'Zeta Systems'],
        ['AUTH0', 'zeta_systems'],
        ['AUTH0', 'zzz'],
        ['WACHT', 'Ångström Analytics'],
      ];
      const headers = { ...bearer(token), ...session };
      const all = await subgraph().graphql(MEMBERSHIPS, { variables: { first: 20 }, headers });
      expect(all.body.errors).toBeUndefined();
      expect(providersAndNames(all.body.data!.myOrganizationMemberships)).toEqual(expected);
      expect(all.body.data!.myOrganizationMemberships.totalCount).toBe(14);

      const descending = await subgraph().graphql(MEMBERSHIPS, { variables: { orderDirection: 'DESC' }, headers });
      expect(providersAndNames(descending.body.data!.myOrganizationMemberships)).toEqual([...expected].reverse());

      const walked: [string, string][] = [];
      let after: string | null = null;
      do {
        const { body } = await subgraph().graphql(MEMBERSHIPS, { variables: { first: 4, after }, headers });
        const connection = body.data!.myOrganizationMemberships;
        walked.push(...providersAndNames(connection));
        after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      } while (after);
      expect(walked).toEqual(expected);

      const auth0Only = await subgraph().graphql(MEMBERSHIPS, { variables: { providers: ['AUTH0'] }, headers });
      expect(providersAndNames(auth0Only.body.data!.myOrganizationMemberships)).toEqual(
        expected.filter(([provider]) => provider === 'AUTH0'),
      );
    });
  });

  describe("the caller's own cursors", () => {
    it("keep working with the user's next token; another user's cursor is BAD_USER_INPUT, with nothing fetched; signed out, UNAUTHENTICATED", async () => {
      const first = await subgraph().memberships(await subgraph().token(BULK_USER_ID), { first: 3 });
      const cursor = first.body.data!.myOrganizationMemberships.pageInfo.endCursor as string;

      const renewed = await subgraph().token(BULK_USER_ID, { expiresInSeconds: 1800 });
      const next = await subgraph().memberships(renewed, { first: 3, after: cursor });
      expect(next.body.errors).toBeUndefined();
      expect(names(next.body.data!.myOrganizationMemberships)).toEqual(ASCENDING_BULK.slice(3, 6));

      fake().reset();
      const other = await subgraph().memberships(await subgraph().token(MERGE_USER_ID), { first: 3, after: cursor });
      expect(other.body.errors!.map((error) => [error.extensions!.code, error.message])).toEqual([
        ['BAD_USER_INPUT', expect.stringMatching(/^after: the cursor belongs to other arguments \(.*caller/)],
      ]);
      expect(other.body.data!.myOrganizationMemberships).toBeNull();
      expect(fake().requestsTo(usersRoute)).toHaveLength(0);

      // Signed out, the cursor is not the problem: UNAUTHENTICATED.
      const signedOut = await subgraph().graphql(MEMBERSHIPS, { variables: { first: 3, after: cursor } });
      expect(signedOut.body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('lists longer than one upstream page', () => {
    const ASCENDING = ASCENDING_BULK;
    const pagesAsked = () => fake().requestsTo(usersRoute).map((call) => call.query.get('page'));

    it('walks all three upstream pages forward and backward, each organization once, in order', async () => {
      const token = await subgraph().token(BULK_USER_ID);
      const forward: string[] = [];
      let after: string | null = null;
      do {
        const { body } = await subgraph().memberships(token, { first: 100, after });
        expect(body.errors).toBeUndefined();
        const connection = body.data!.myOrganizationMemberships;
        expect(connection.totalCount).toBe(BULK_SIZE);
        forward.push(...names(connection));
        after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      } while (after);
      expect(forward).toEqual(ASCENDING);
      // Three GraphQL pages, each reading the three upstream pages once.
      expect(pagesAsked()).toEqual(['0', '1', '2', '0', '1', '2', '0', '1', '2']);
      expect(fake().requestsTo(usersRoute).every((call) => call.query.get('per_page') === '100')).toBe(true);

      const backward: string[][] = [];
      let before: string | null = null;
      do {
        const { body } = await subgraph().memberships(token, { last: 100, before });
        const connection = body.data!.myOrganizationMemberships;
        backward.unshift(names(connection));
        before = connection.pageInfo.hasPreviousPage ? connection.pageInfo.startCursor : null;
      } while (before);
      expect(backward.flat()).toEqual(ASCENDING);
      expect(backward[0]).toHaveLength(30);
    });

    it('serves order, filters and both ends of one list from one fetch per request', async () => {
      const token = await subgraph().token(BULK_USER_ID);
      const { body } = await subgraph().graphql(
        `{ asc: myOrganizationMemberships(first: 3) { totalCount edges { node { organization { name } } } }
           desc: myOrganizationMemberships(first: 3, orderDirection: DESC) { edges { node { organization { name } } } }
           tail: myOrganizationMemberships(last: 2) { edges { node { organization { name } } } }
           range: myOrganizationMemberships(filter: { name: { gte: "TEAM-100", lt: "team-105" } }) {
             totalCount edges { node { organization { name } } } }
           one: myOrganizationMemberships(filter: { name: { in: ["Team-007", "nope"] }, status: { eq: ACTIVE } }) {
             totalCount edges { node { organization { name displayName } } } } }`,
        { headers: bearer(token) },
      );
      expect(body.errors).toBeUndefined();
      const data = body.data!;
      expect(names(data.asc)).toEqual(['team-000', 'team-001', 'team-002']);
      expect(names(data.desc)).toEqual(['team-229', 'team-228', 'team-227']);
      expect(names(data.tail)).toEqual(['team-228', 'team-229']);
      expect(names(data.range)).toEqual(['team-100', 'team-101', 'team-102', 'team-103', 'team-104']);
      expect(data.range.totalCount).toBe(5);
      // team-007 is organization k with 97 × k ≡ 7 (mod 230): k = 121.
      expect(data.one.edges.map((edge: any) => edge.node.organization)).toEqual([{ name: 'team-007', displayName: 'Team 121' }]);
      expect(pagesAsked()).toEqual(['0', '1', '2']);
    });

    it('returns the 1000 reachable organizations of a user with more, never asking past the wall, and says so in the log of each request', async () => {
      const admin = await subgraph().token(DEMO_AUTH0_ADMIN_USER_ID, { permissions: ['read:organizations'] });
      logLines.length = 0;
      const { body, connection } = await subgraph().userOrganizations(WALL_USER_ID, bearer(admin), { first: 2 });
      expect(body.errors).toBeUndefined();
      expect(connection!.totalCount).toBe(1000);
      expect(names(connection!)).toEqual(['wall-0000', 'wall-0001']);
      const last = await subgraph().userOrganizations(WALL_USER_ID, bearer(admin), { last: 1 });
      expect(names(last.connection!)).toEqual(['wall-0999']);
      const toTheWall = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
      expect(pagesAsked()).toEqual([...toTheWall, ...toTheWall]);
      // A user whose whole list was read (230, three pages) logs nothing.
      await subgraph().userOrganizations(BULK_USER_ID, bearer(admin), { first: 1 });
      const cut = logLines.map((line) => JSON.parse(line)).filter((line) => /first 1000 organizations/.test(line.msg));
      expect(cut).toHaveLength(2);
      for (const line of cut) {
        expect(line).toMatchObject({ level: 40, provider: 'AUTH0', listed: 1000, total: WALL_SIZE, msg: "AUTH0 lists only a user's first 1000 organizations" });
        expect(typeof line.reqId).toBe('string');
      }
      expect(new Set(cut.map((line) => line.reqId)).size).toBe(2);
      // No id: the user's is for the operator to find from the request.
      expect(logLines.join('\n')).not.toContain('wall-member');
    });
  });

  describe('user ids in paths', () => {
    it.each([
      [DEMO_AUTH0_SIWE_USER_ID, 'oauth2%7Csiwe%7Ceip155%3A5%3A0xabc%2Fdef', ['acme', 'zk-collective']],
      [TRAVERSAL_USER_ID, 'samlp%7Ccorp%7C..%2F..%2Fusers%2Fauth0%7Cvictim%2Forganizations', ['odd-one']],
    ])('%s reaches Auth0 as one encoded segment, for its organizations and its roles', async (userId, encoded, expected) => {
      const token = await subgraph().token(userId);
      const { body } = await subgraph().memberships(token, {}, MEMBERSHIPS_WITH_ROLES);
      expect(body.errors).toBeUndefined();
      const connection = body.data!.myOrganizationMemberships;
      expect(names(connection)).toEqual(expected);
      expect(connection.edges.every((edge: any) => edge.node.roles.length > 0)).toBe(true);

      expect(fake().requestsTo(usersRoute).map((call) => call.rawPath)).toEqual([userOrganizationsPath(encoded)]);
      const rolePaths = fake().requestsTo(rolesRoute).map((call) => call.rawPath);
      expect(rolePaths).toHaveLength(expected.length);
      const rolePath = new RegExp(`^/api/v2/organizations/org_[A-Za-z0-9]+/members/${encoded}/roles$`);
      for (const path of rolePaths) expect(path).toMatch(rolePath);
      // Nothing else was reached: no request went anywhere a decoded id would have led.
      const expectedRoutes = [usersRoute, rolesRoute, permissionsRoute];
      const elsewhere = fake()
        .requestsTo(managementApi)
        .filter((call) => !expectedRoutes.some((route) => route.test(call.rawPath)));
      expect(elsewhere).toEqual([]);
    });
  });

  describe('metrics', () => {
    it('label Auth0 calls by route template, never by id or token', async () => {
      const token = await subgraph().token(DEMO_AUTH0_SIWE_USER_ID);
      await subgraph().memberships(token, {}, MEMBERSHIPS_WITH_ROLES);
      const metrics = await (await fetch(`${subgraph().harness.url}/metrics`)).text();
      for (const route of [
        'POST /oauth/token',
        'GET /api/v2/users/{id}/organizations',
        'GET /api/v2/organizations/{id}/members/{user_id}/roles',
        'GET /api/v2/roles/{id}/permissions',
      ]) {
        expect(metrics).toContain(`provider="AUTH0",route="${route}",status="200"`);
      }
      const managementToken = fake().requestsTo(managementApi)[0]!.headers.authorization!.replace(/^Bearer /, '');
      for (const secret of ['siwe', 'eip155', 'org_', 'rol_', token, managementToken, DEMO_AUTH0_CLIENT_SECRET]) {
        expect(metrics).not.toContain(secret);
      }
    });
  });

  describe('roles', () => {
    const roleNames = (connection: Connection): Record<string, string[]> =>
      Object.fromEntries(
        connection.edges.map((edge: any) => [edge.node.organization.name, edge.node.roles.map((role: any) => role.name).sort()]),
      );
    const distinct = (route: RegExp) => new Set(fake().requestsTo(route).map((call) => call.rawPath)).size;

    it('loads each member’s roles and each role’s permissions once, however many memberships share them', async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID);
      const { body } = await subgraph().graphql(
        `query ($first: Int) {
           a: myOrganizationMemberships(first: $first) { edges { node { organization { name } roles { id name permissions } } } }
           b: myOrganizationMemberships(last: 5) { edges { node { organization { name } roles { name } } } } }`,
        { variables: { first: 20 }, headers: bearer(token) },
      );
      expect(body.errors).toBeUndefined();
      expect(roleNames(body.data!.a)).toEqual({
        acme: ['admin'],
        'acme-labs': ['member'],
        acme_research: ['billing', 'member'],
        'blue-harbor': ['billing'],
        cedar10: [],
        cedar2: ['member'],
        'delta-dynamics': ['admin', 'billing'],
        evergreen: ['member'],
        'foxglove-studio': ['admin'],
        granite: ['member'],
        'hollow-pine': ['billing'],
        zenith: ['member'],
      });
      const admin = body.data!.a.edges[0].node.roles[0];
      expect(admin).toEqual({
        id: expect.stringMatching(/^rol_[A-Za-z0-9]+$/),
        name: 'admin',
        permissions: ['update:organization', 'read:members', 'manage:members', 'read:billing'],
      });

      expect(fake().requestsTo(usersRoute)).toHaveLength(1);
      expect(fake().requestsTo(rolesRoute)).toHaveLength(12);
      expect(distinct(rolesRoute)).toBe(12);
      // 17 role grants across 12 memberships, 3 distinct roles.
      expect(fake().requestsTo(permissionsRoute)).toHaveLength(3);
      expect(distinct(permissionsRoute)).toBe(3);
      for (const call of fake().requestsTo(/^\/api\/v2\/(organizations|roles)\//)) {
        expect(call.rawUrl).toMatch(/\?page=0&per_page=100&include_totals=true$/);
      }
    });

    it('asks for a hundred members’ roles once each and their two roles’ permissions once each', async () => {
      const token = await subgraph().token(BULK_USER_ID);
      const { body } = await subgraph().memberships(token, { first: 100 }, MEMBERSHIPS_WITH_ROLES);
      expect(body.errors).toBeUndefined();
      const roles = roleNames(body.data!.myOrganizationMemberships);
      expect(Object.keys(roles)).toHaveLength(100);
      // Organization index 0 (every tenth holds the admin role too) is team-000.
      expect(roles['team-000']).toEqual(['bulk-admin', 'bulk-member']);
      expect(fake().requestsTo(rolesRoute)).toHaveLength(100);
      expect(distinct(rolesRoute)).toBe(100);
      expect(fake().requestsTo(permissionsRoute).map((call) => call.rawPath).sort()).toEqual([
        `/api/v2/roles/${BULK_ADMIN_ROLE}/permissions`,
        `/api/v2/roles/${BULK_MEMBER_ROLE}/permissions`,
      ]);
    });

    it('asks for roles but not their permissions when the query reads only their ids and names', async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID);
      const { body } = await subgraph().graphql(
        '{ myOrganizationMemberships(first: 20) { edges { node { organization { name } roles { id name } } } } }',
        { headers: bearer(token) },
      );
      expect(body.errors).toBeUndefined();
      expect(roleNames(body.data!.myOrganizationMemberships)['delta-dynamics']).toEqual(['admin', 'billing']);
      expect(fake().requestsTo(rolesRoute)).toHaveLength(12);
      expect(fake().requestsTo(permissionsRoute)).toHaveLength(0);
    });

    it('asks nothing about roles when the query does not select them', async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID);
      await subgraph().memberships(token, { first: 100 });
      expect(fake().requestsTo(managementApi).map((call) => call.rawPath)).toEqual([
        userOrganizationsPath('auth0%7C64b1f0c2a9e5d3c1b2a4e6f8'),
      ]);
    });

    it('asks nothing about roles when the query skips them (@skip), and asks when it includes them', async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID);
      const query = `query ($skip: Boolean!) { myOrganizationMemberships(first: 3) { edges { node { roles @skip(if: $skip) { name } } } } }`;
      const skipped = await subgraph().graphql(query, { variables: { skip: true }, headers: bearer(token) });
      expect(skipped.body.errors).toBeUndefined();
      expect(fake().requestsTo(rolesRoute)).toHaveLength(0);
      const included = await subgraph().graphql(query, { variables: { skip: false }, headers: bearer(token) });
      expect(included.body.errors).toBeUndefined();
      expect(fake().requestsTo(rolesRoute)).toHaveLength(3);
    });

    describe('a failed roles call makes AUTH0 unavailable; the other providers’ items are still answered', () => {
      const failRoles = () =>
        fake().fail({ path: rolesRoute, status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'down' }, times: Infinity });
      // Roles selected under `edges`, and under `nodes` through a named fragment.
      const EDGES = membershipsQuery({ roles: true });
      const NODES = /* GraphQL */ `
        query Memberships(${ARGS_DECLARATION}) {
          myOrganizationMemberships(${ARGS}) { totalCount unavailableProviders ${PAGE_INFO} nodes { ...Held } }
        }
        fragment Held on OrganizationMembership { id provider roles { id name permissions } }`;

      it.each([
        ['edges', EDGES, (connection: any) => connection.edges.map((edge: any) => edge.node)],
        ['nodes, through a fragment', NODES, (connection: any) => connection.nodes],
      ])('selected under %s: the page is Wacht’s alone, as full as Wacht allows, one error', async (_label, query, items) => {
        const token = await subgraph().token(DEMO_AUTH0_USER_ID);
        const headers = { ...bearer(token), ...session };
        const wachtOnly = await subgraph().graphql(query, { variables: { first: 3, providers: ['WACHT'] }, headers });
        expect(wachtOnly.body.errors).toBeUndefined();

        failRoles();
        const { body } = await subgraph().graphql(query, { variables: { first: 3 }, headers });
        const connection = body.data!.myOrganizationMemberships;
        expect(body.errors).toEqual([
          expect.objectContaining({ path: ['myOrganizationMemberships'], extensions: { code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' } }),
        ]);
        expect(connection.unavailableProviders).toEqual(['AUTH0']);
        const expected = wachtOnly.body.data!.myOrganizationMemberships;
        expect(items(connection)).toHaveLength(3);
        expect(items(connection)).toEqual(items(expected));
        expect(connection.totalCount).toBe(expected.totalCount);
        // Auth0's list was read (it had items on the page), then its roles failed.
        expect(fake().requestsTo(usersRoute)).toHaveLength(1);
        expect(fake().requestsTo(rolesRoute).length).toBeGreaterThan(0);
      });

      it('alone, the connection comes back empty, with AUTH0 unavailable and why', async () => {
        failRoles();
        const token = await subgraph().token(DEMO_AUTH0_USER_ID);
        const { body } = await subgraph().memberships(token, { first: 3 }, EDGES);
        expect(body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: ['AUTH0'] });
        expect(body.errors!.map((error) => [error.path, error.extensions])).toEqual([
          [['myOrganizationMemberships'], { code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' }],
        ]);
      });
    });
  });

  describe('User.organizations', () => {
    const noManagementCall = () => expect(fake().requestsTo(managementApi)).toHaveLength(0);

    it('lets the user themself read their organizations', async () => {
      const token = await subgraph().token(DEMO_AUTH0_SIWE_USER_ID);
      const { body, connection } = await subgraph().userOrganizations(DEMO_AUTH0_SIWE_USER_ID, bearer(token));
      expect(body.errors).toBeUndefined();
      expect(names(connection!)).toEqual(['acme', 'zk-collective']);
      expect(connection!.edges[0].node).toMatchObject({ provider: 'AUTH0', name: 'acme', displayName: 'Acme Corporation' });
    });

    it.each([
      ['an RBAC permission', { permissions: ['read:organizations'] }],
      ['a scope', { scope: 'openid read:organizations profile' }],
    ])('lets an administrator with read:organizations as %s read anyone’s', async (_label, grant) => {
      const token = await subgraph().token(DEMO_AUTH0_ADMIN_USER_ID, grant);
      const { body, connection } = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token), { first: 5 });
      expect(body.errors).toBeUndefined();
      expect(connection!.totalCount).toBe(12);
      expect(names(connection!)).toEqual(DEMO_NAMES.slice(0, 5));
    });

    it('binds its cursors to the filter: one followed with another filter is BAD_USER_INPUT, with nothing fetched', async () => {
      const token = await subgraph().token(DEMO_AUTH0_ADMIN_USER_ID, { permissions: ['read:organizations'] });
      const filter = { status: { eq: 'ACTIVE' } };
      const first = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token), { first: 2, filter });
      const after = first.connection!.pageInfo.endCursor as string;
      const same = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token), { first: 2, after, filter });
      expect(same.body.errors).toBeUndefined();

      fake().reset();
      const other = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token), {
        first: 2,
        after,
        filter: { name: { gte: 'a' } },
      });
      expect(other.connection).toBeNull();
      expect(other.body.errors!.map((error) => [error.extensions!.code, error.message])).toEqual([
        ['BAD_USER_INPUT', expect.stringMatching(/^after: the cursor belongs to other arguments \(.*filter/)],
      ]);
      expect(fake().requestsTo(usersRoute)).toHaveLength(0);
    });

    it('is FORBIDDEN for another user, with no upstream call', async () => {
      const token = await subgraph().token(DEMO_AUTH0_GOOGLE_USER_ID, {
        scope: 'openid profile read:roles',
        permissions: ['read:users'],
      });
      const { body, connection } = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token));
      expect(connection).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({ path: ['_entities', 0, 'organizations'], extensions: { code: 'FORBIDDEN' } }),
      ]);
      noManagementCall();
    });

    it('is UNAUTHENTICATED without a token, with no upstream call', async () => {
      const { body, connection } = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, session);
      expect(connection).toBeNull();
      expect(codes(body)).toEqual(['UNAUTHENTICATED']);
      noManagementCall();
    });

    const invalidTokens: Array<[string, (subgraph: Subgraph) => Promise<string>]> = [
      ['expired', (s) => s.token(DEMO_AUTH0_USER_ID, { expiresInSeconds: -300 })],
      ['expired 45 s ago (past the 30 s allowed for clocks that differ)', (s) => s.token(DEMO_AUTH0_USER_ID, { expiresInSeconds: -45 })],
      ['without exp (it would never expire)', (s) => s.token(DEMO_AUTH0_USER_ID, { expiresInSeconds: null })],
      ['for another audience', (s) => s.token(DEMO_AUTH0_USER_ID, { audience: 'https://other-api.example.com' })],
      ['from an unconfigured issuer', (s) => s.token(DEMO_AUTH0_USER_ID, { issuer: 'https://evil.example.com/' })],
      ['signed with HS256', (s) => s.token(DEMO_AUTH0_USER_ID, { algorithm: 'HS256' })],
      ["signed with the tenant's own key as RS384", (s) => s.token(DEMO_AUTH0_USER_ID, { algorithm: 'RS384' })],
      ["signed with the tenant's own key as PS256", (s) => s.token(DEMO_AUTH0_USER_ID, { algorithm: 'PS256' })],
      ['signed with a key the tenant does not publish', (s) => s.token(DEMO_AUTH0_USER_ID, { kid: 'not-a-published-kid' })],
      [
        'tampered with (sub changed after signing)',
        async (s) => {
          const [header, payload, signature] = (await s.token(DEMO_AUTH0_GOOGLE_USER_ID)).split('.');
          const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: DEMO_AUTH0_USER_ID };
          return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
        },
      ],
    ];
    it.each(invalidTokens)('is UNAUTHENTICATED for a token %s, with no upstream call', async (_label, mint) => {
      const token = await mint(subgraph());
      const { body, connection } = await subgraph().userOrganizations(DEMO_AUTH0_USER_ID, bearer(token));
      expect(connection).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({ path: ['_entities', 0, 'organizations'], extensions: { code: 'UNAUTHENTICATED' } }),
      ]);
      expect(JSON.stringify(body)).not.toContain(token);
      noManagementCall();

      // Never taken for anonymous either: the caller's own list is refused too.
      const mine = await subgraph().graphql(MEMBERSHIPS, { headers: { ...bearer(token), ...session } });
      expect(mine.body.data!.myOrganizationMemberships).toBeNull();
      expect(codes(mine.body)).toEqual(['UNAUTHENTICATED']);
      expect(subgraph().harness.wacht.requests).toHaveLength(0);
      noManagementCall();
    });

    it('is empty for a user Auth0 does not know (404 inexistent_user), without an error', async () => {
      const token = await subgraph().token(DEMO_AUTH0_ADMIN_USER_ID, { permissions: ['read:organizations'] });
      const { body, connection } = await subgraph().userOrganizations('auth0|nobody-knows-me', bearer(token));
      expect(body.errors).toBeUndefined();
      expect(connection).toMatchObject({ totalCount: 0, edges: [], unavailableProviders: [] });
      expect(fake().requestsTo(usersRoute).map((call) => call.rawPath)).toEqual([
        userOrganizationsPath('auth0%7Cnobody-knows-me'),
      ]);
    });

    it('is empty, with no call, for an id no provider owns or when providers: leaves Auth0 out', async () => {
      const token = await subgraph().token(DEMO_AUTH0_ADMIN_USER_ID, { permissions: ['read:organizations'] });
      for (const [id, variables] of [
        ['no-connection-here', {}],
        [DEMO_AUTH0_USER_ID, { providers: ['WACHT'] }],
      ] as const) {
        const { body, connection } = await subgraph().userOrganizations(id, bearer(token), variables);
        expect(body.errors).toBeUndefined();
        expect(connection).toMatchObject({ totalCount: 0, edges: [] });
      }
      noManagementCall();
    });
  });

  describe('Management API errors: Auth0 is unavailable, Wacht still answers', () => {
    const withWacht = async () => {
      const token = await subgraph().token(DEMO_AUTH0_USER_ID);
      const { body } = await subgraph().graphql(MEMBERSHIPS, { headers: { ...bearer(token), ...session } });
      const connection = body.data!.myOrganizationMemberships;
      return { body, connection };
    };
    const failedWith = async () => {
      const { body, connection } = await withWacht();
      expect(names(connection)).toEqual(WACHT_NAMES);
      expect(connection).toMatchObject({ totalCount: 8, unavailableProviders: ['AUTH0'] });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.path).toEqual(['myOrganizationMemberships']);
      return body.errors![0]!.extensions;
    };

    const cases: Array<[string, Fault, Record<string, unknown>]> = [
      [
        '400 invalid_query_string',
        {
          path: usersRoute,
          status: 400,
          body: AUTH0_ERRORS.invalidQueryString(
            "Query validation error: 'Additional properties not allowed: from' on property query (Query parameters)",
          ),
        },
        { code: 'UPSTREAM_ERROR', provider: 'AUTH0' },
      ],
      [
        '403 insufficient_scope',
        { path: usersRoute, status: 403, body: AUTH0_ERRORS.insufficientScope('read:organizations') },
        { code: 'UPSTREAM_ERROR', provider: 'AUTH0' },
      ],
      [
        '429 with Retry-After',
        FakeAuth0.rateLimited({ retryAfterSeconds: 7 }),
        { code: 'RATE_LIMITED', provider: 'AUTH0', retryAfter: 7 },
      ],
      [
        '500',
        { path: usersRoute, status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'Oops' } },
        { code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' },
      ],
      [
        'a body that is not JSON',
        { path: usersRoute, status: 200, rawBody: '{"start":0,"limit":100,' },
        { code: 'UPSTREAM_ERROR', provider: 'AUTH0' },
      ],
      [
        'a bare array (totals missing)',
        { path: usersRoute, status: 200, body: [] },
        { code: 'UPSTREAM_ERROR', provider: 'AUTH0' },
      ],
      ['a reset connection', { path: usersRoute, reset: true }, { code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' }],
    ];
    it.each(cases)('%s', async (_label, fault, extensions) => {
      fake().fail({ ...fault, times: Infinity });
      expect(await failedWith()).toEqual(extensions);
      // 5xx and lost connections are retried twice; a 429 asking for longer than the budget is not.
      const retried = fault.reset || (fault.status ?? 0) >= 500;
      expect(fake().requestsTo(usersRoute)).toHaveLength(retried ? 3 : 1);
    });

    it('429 with only X-RateLimit-Reset is RATE_LIMITED with the seconds until the reset', async () => {
      fake().fail(FakeAuth0.rateLimited({ resetInSeconds: 30 }));
      const extensions = await failedWith();
      expect(extensions).toMatchObject({ code: 'RATE_LIMITED', provider: 'AUTH0' });
      // The reset is a whole epoch second, so up to one second has passed since the fake set it.
      expect([29, 30]).toContain(extensions!.retryAfter);
    });

    it('401 even after renewing the token once is UPSTREAM_ERROR', async () => {
      const issued = fake().issuedManagementTokens;
      fake().fail({ path: usersRoute, status: 401, body: AUTH0_ERRORS.invalidToken, times: 2 });
      expect(await failedWith()).toEqual({ code: 'UPSTREAM_ERROR', provider: 'AUTH0' });
      expect(fake().requestsTo(usersRoute)).toHaveLength(2);
      expect(fake().issuedManagementTokens).toBe(issued + 1);
    });

    it.each([
      ['500', 'UPSTREAM_UNAVAILABLE', { status: 500, body: { error: 'server_error' } }],
      ['401 access_denied', 'UPSTREAM_ERROR', { status: 401, body: { error: 'access_denied' } }],
    ] as const)('a token endpoint answering %s while renewing is %s', async (_label, code, fault) => {
      fake().revokeManagementTokens();
      fake().fail({ path: /^\/oauth\/token$/, ...fault, times: Infinity });
      expect(await failedWith()).toEqual({ code, provider: 'AUTH0' });
    });

    it('404 inexistent_user is an empty Auth0 list, not an error', async () => {
      fake().fail({ path: usersRoute, status: 404, body: AUTH0_ERRORS.userNotFound });
      const { body, connection } = await withWacht();
      expect(body.errors).toBeUndefined();
      expect(names(connection)).toEqual(WACHT_NAMES);
      expect(connection.unavailableProviders).toEqual([]);
    });
  });

  describe('Organization references', () => {
    const reference = (id: string) => ({ __typename: 'Organization', id });

    it('resolves auth0: ids, each distinct one fetched once; unknown or implausible ids are null', async () => {
      const { body } = await subgraph().graphql(ORGANIZATION_REFERENCES, {
        variables: {
          representations: [
            reference('auth0:org_bulk0000'),
            reference('auth0:org_bulk0001'),
            reference('auth0:org_bulk0000'),
            reference('auth0:org_unknown0001'),
            reference('auth0:org_has-dash'),
            reference('auth0:org_../../users'),
            reference('auth0:rol_bulkMember0001'),
          ],
        },
      });
      expect(body.errors).toBeUndefined();
      const team0 = {
        id: 'auth0:org_bulk0000',
        provider: 'AUTH0',
        providerId: 'org_bulk0000',
        name: 'team-000',
        displayName: 'Team 0',
        slug: null,
        imageUrl: null,
        status: 'ACTIVE',
        createdAt: null,
        updatedAt: null,
      };
      expect(body.data!._entities).toEqual([
        team0,
        expect.objectContaining({ id: 'auth0:org_bulk0001', name: 'team-097' }),
        team0,
        null,
        null,
        null,
        null,
      ]);
      expect(fake().requestsTo(managementApi).map((call) => call.rawUrl).sort()).toEqual([
        '/api/v2/organizations/org_bulk0000',
        '/api/v2/organizations/org_bulk0001',
        '/api/v2/organizations/org_unknown0001',
      ]);
      expect(fake().requestsTo(organizationRoute)).toHaveLength(3);
    });

    it('reports a failing lookup as AUTH0’s', async () => {
      // Asking for longer than the call's budget: not retried.
      fake().fail({ path: organizationRoute, status: 429, body: AUTH0_ERRORS.tooManyRequests, headers: { 'retry-after': '40' } });
      const { body } = await subgraph().graphql(ORGANIZATION_REFERENCES, {
        variables: { representations: [reference('auth0:org_bulk0002')] },
      });
      expect(body.data!._entities).toEqual([null]);
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['_entities', 0],
          extensions: { code: 'RATE_LIMITED', provider: 'AUTH0', retryAfter: 40 },
        }),
      ]);
    });
  });
});

describe('the Management API token, shared by every request', () => {
  const subgraph = useSubgraph();
  const fake = () => subgraph().auth0;

  it('one token request serves many GraphQL requests, concurrent or not', async () => {
    const token = await subgraph().token(DEMO_AUTH0_USER_ID);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => subgraph().memberships(token)));
    for (let index = 0; index < 3; index += 1) concurrent.push(await subgraph().memberships(token));
    for (const { body } of concurrent) expect(names(body.data!.myOrganizationMemberships)).toEqual(DEMO_NAMES);

    expect(fake().issuedManagementTokens).toBe(1);
    expect(fake().requestsTo(/^\/oauth\/token$/)).toHaveLength(1);
    const calls = fake().requestsTo(usersRoute);
    expect(calls).toHaveLength(8);
    expect(new Set(calls.map((call) => call.headers.authorization)).size).toBe(1);
  });

  it('renews a revoked token exactly once, then shares the new one', async () => {
    const token = await subgraph().token(DEMO_AUTH0_USER_ID);
    await subgraph().memberships(token);
    fake().reset();
    fake().revokeManagementTokens();

    const renewed = await subgraph().memberships(token);
    expect(renewed.body.errors).toBeUndefined();
    expect(names(renewed.body.data!.myOrganizationMemberships)).toEqual(DEMO_NAMES);
    // Refused once, renewed once, sent again once.
    expect(fake().issuedManagementTokens).toBe(2);
    expect(fake().requestsTo(/^\/oauth\/token$/)).toHaveLength(1);
    expect(fake().requestsTo(usersRoute)).toHaveLength(2);

    await Promise.all([subgraph().memberships(token), subgraph().memberships(token)]);
    expect(fake().issuedManagementTokens).toBe(2);
    expect(fake().requestsTo(usersRoute)).toHaveLength(4);
    expect(new Set(fake().requestsTo(usersRoute).slice(1).map((call) => call.headers.authorization)).size).toBe(1);
  });
});

describe('a tenant reached at a custom domain (AUTH0_MANAGEMENT_AUDIENCE)', () => {
  const CANONICAL = 'travel0.us.auth0.com';
  const subgraph = useSubgraph({
    config: (config) => ({
      ...config,
      auth0: { ...config.auth0!, management: { ...config.auth0!.management, audience: `https://${CANONICAL}/api/v2/` } },
    }),
  });
  beforeEach(() => {
    subgraph().auth0.canonicalDomain = CANONICAL;
  });
  afterEach(() => {
    subgraph().auth0.canonicalDomain = null;
  });

  it("asks the custom domain for a token to the canonical Management API identifier, and calls the API there with it", async () => {
    const token = await subgraph().token(DEMO_AUTH0_USER_ID);
    const { body } = await subgraph().memberships(token);
    expect(body.errors).toBeUndefined();
    expect(names(body.data!.myOrganizationMemberships)).toEqual(DEMO_NAMES);
    const [tokenRequest] = subgraph().auth0.requestsTo(/^\/oauth\/token$/);
    expect(tokenRequest!.body).toMatchObject({ grant_type: 'client_credentials', audience: `https://${CANONICAL}/api/v2/` });
    const [call] = subgraph().auth0.requestsTo(usersRoute);
    expect(decodeJwt(call!.headers.authorization!.replace(/^Bearer /, ''))).toMatchObject({
      iss: subgraph().auth0.issuer,
      aud: `https://${CANONICAL}/api/v2/`,
    });
  });
});

describe('a fixed Management API token (AUTH0_MANAGEMENT_TOKEN)', () => {
  const FIXED = 'fixed-management-token-never-issued-by-the-tenant';
  const subgraph = useSubgraph({
    config: (config) => ({ ...config, auth0: { ...config.auth0!, management: { token: FIXED } } }),
  });

  it('is sent as is, never renewed: a refused one is UPSTREAM_ERROR once', async () => {
    const token = await subgraph().token(DEMO_AUTH0_USER_ID);
    const { body } = await subgraph().graphql(MEMBERSHIPS, { headers: { ...bearer(token), ...session } });
    expect(names(body.data!.myOrganizationMemberships)).toEqual(WACHT_NAMES);
    expect(body.data!.myOrganizationMemberships.unavailableProviders).toEqual(['AUTH0']);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UPSTREAM_ERROR', provider: 'AUTH0' } })]);
    expect(JSON.stringify(body)).not.toContain(FIXED);
    expect(subgraph().auth0.requestsTo(usersRoute).map((call) => call.headers.authorization)).toEqual([`Bearer ${FIXED}`]);
    expect(subgraph().auth0.requestsTo(/^\/oauth\/token$/)).toHaveLength(0);
  });
});

/** Signing-key fetches the subgraph made. */
const jwksFetches = (subgraph: Subgraph) => subgraph.auth0.requestsTo(/^\/\.well-known\/jwks\.json$/).length;

/** The caller's Auth0 organization count, or the error codes instead. */
async function auth0Count(subgraph: Subgraph, token: string): Promise<number | string[]> {
  const { body } = await subgraph.memberships(token, { providers: ['AUTH0'] });
  return body.errors ? codes(body) : body.data!.myOrganizationMemberships.totalCount;
}

describe('signing key rotation', () => {
  const subgraph = useSubgraph();
  afterEach(() => jest.useRealTimers());

  it('verifies a token signed with a new key once the cached key set may be refetched', async () => {
    const before = await subgraph().token(DEMO_AUTH0_USER_ID);
    expect(await auth0Count(subgraph(), before)).toBe(12);
    expect(jwksFetches(subgraph())).toBe(1);

    const kid = await subgraph().auth0.rotateKey();
    const after = await subgraph().token(DEMO_AUTH0_USER_ID);
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    // Within jose's cooldown (30 s) an unknown kid does not refetch: forged kids cannot make us hammer the tenant.
    expect(await auth0Count(subgraph(), after)).toEqual(['UNAUTHENTICATED']);
    expect(jwksFetches(subgraph())).toBe(1);

    // Only the clock moves past the cooldown; timers and I/O stay real.
    jest.useFakeTimers({
      now: Date.now() + 31_000,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    expect(await auth0Count(subgraph(), after)).toBe(12);
    expect(jwksFetches(subgraph())).toBe(2);
    // The previous key stays published, so tokens it signed still verify, from the refreshed set.
    expect(await auth0Count(subgraph(), before)).toBe(12);
    expect(jwksFetches(subgraph())).toBe(2);
  });
});

describe('a signing key the tenant revokes', () => {
  const subgraph = useSubgraph();

  it('stops verifying once the token was verified five minutes ago: kept tokens and the key set are both renewed then', async () => {
    const signedWithOld = await subgraph().token(DEMO_AUTH0_USER_ID);
    expect(await auth0Count(subgraph(), signedWithOld)).toBe(12);
    expect(jwksFetches(subgraph())).toBe(1);

    await subgraph().auth0.rotateKey({ revokePrevious: true });
    // Verified a moment ago, against a key set fetched a moment ago: still taken (the window).
    expect(await auth0Count(subgraph(), signedWithOld)).toBe(12);
    expect(jwksFetches(subgraph())).toBe(1);

    // Both clocks move 5 min on (the verified-token cache reads performance.now, jose's key set Date.now).
    const later = 5 * 60_000 + 1000;
    const [realDateNow, realPerformanceNow] = [Date.now.bind(Date), performance.now.bind(performance)];
    const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => realDateNow() + later);
    const performanceNow = jest.spyOn(performance, 'now').mockImplementation(() => realPerformanceNow() + later);
    try {
      const calls = subgraph().auth0.requestsTo(usersRoute).length;
      expect(await auth0Count(subgraph(), signedWithOld)).toEqual(['UNAUTHENTICATED']);
      expect(jwksFetches(subgraph())).toBe(2);
      expect(subgraph().auth0.requestsTo(usersRoute)).toHaveLength(calls);
      // The tenant's new key verifies from the refetched set, with no further fetch.
      expect(await auth0Count(subgraph(), await subgraph().token(DEMO_AUTH0_USER_ID))).toBe(12);
      expect(jwksFetches(subgraph())).toBe(2);
    } finally {
      dateNow.mockRestore();
      performanceNow.mockRestore();
    }
  });
});
