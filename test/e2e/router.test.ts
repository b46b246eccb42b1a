/**
 * The supergraph experience: a frontend's queries through a real router (@apollo/gateway)
 * composed of this subgraph, a users subgraph and a billing subgraph that extends
 * Organization, every subgraph on a real port, credentials forwarded by the router.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type GraphQLSchema } from 'graphql';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from '../../src/fakes/auth0/seed';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { FakeWacht } from '../../src/fakes/wacht/fake-wacht';
import { startBillingSubgraph, startUsersSubgraph, type FixtureSubgraph } from '../support/fixture-subgraphs';
import { startHarness, type Harness } from '../support/harness';
import { startRouter, type Router } from '../support/router';

const examplesDirectory = join(__dirname, '..', '..', 'examples');

describe('through a router', () => {
  let harness: Harness;
  let users: FixtureSubgraph;
  let billing: FixtureSubgraph;
  let router: Router;
  let headers: Record<string, string>;
  let auth0OrganizationIds: string[];

  beforeAll(async () => {
    harness = await startHarness();
    users = await startUsersSubgraph();
    const sdl = (await harness.graphql('{ _service { sdl } }')).body.data!._service.sdl as string;
    const token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    headers = { authorization: `Bearer ${token}`, 'x-wacht-session': DEMO_WACHT_SESSION };
    const direct = await harness.graphql('{ myOrganizationMemberships(first: 100, providers: [AUTH0]) { nodes { organization { id } } } }', {
      headers,
    });
    auth0OrganizationIds = direct.body.data!.myOrganizationMemberships.nodes.map((node: any) => node.organization.id);
    billing = await startBillingSubgraph({
      [auth0OrganizationIds[0]!]: 'enterprise',
      [auth0OrganizationIds[1]!]: 'enterprise',
      [auth0OrganizationIds[2]!]: 'team',
      'auth0:org_doesnotexist1': 'enterprise',
    });
    router = await startRouter([
      { name: 'organizations', url: `${harness.url}/graphql`, typeDefs: parse(sdl) },
      users,
      billing,
    ]);
  });
  afterAll(async () => {
    await router?.close();
    await Promise.all([users?.close(), billing?.close()]);
    await harness?.close();
  });
  beforeEach(() => harness.fakes.reset());

  it("adds the signed-in user's organizations to me, sorted, with the users subgraph's fields", async () => {
    const { body } = await router.graphql(
      '{ me { id email organizations(first: 5) { totalCount edges { node { id provider name } } pageInfo { hasNextPage } } } }',
      { headers },
    );
    expect(body.errors).toBeUndefined();
    const me = body.data!.me;
    expect(me.id).toBe(DEMO_AUTH0_USER_ID);
    expect(me.email).toBe('64b1f0c2a9e5d3c1b2a4e6f8@example.com');
    const names: string[] = me.organizations.edges.map((edge: any) => edge.node.name);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect(me.organizations.edges.every((edge: any) => edge.node.provider === 'AUTH0')).toBe(true);
    expect(me.organizations.totalCount).toBe(auth0OrganizationIds.length);
    expect(me.organizations.pageInfo.hasNextPage).toBe(auth0OrganizationIds.length > 5);
  });

  it('walks me.organizations with cursors, every organization once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { body }: any = await router.graphql(
        'query ($after: String) { me { organizations(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
        { headers, variables: { after } },
      );
      const connection = body.data.me.organizations;
      seen.push(...connection.edges.map((edge: any) => edge.node.id));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    expect([...seen].sort()).toEqual([...auth0OrganizationIds].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('merges the Auth0 and Wacht memberships of a caller presenting both', async () => {
    const { body } = await router.graphql(
      '{ myOrganizationMemberships(first: 100) { totalCount unavailableProviders nodes { provider organization { name } } } }',
      { headers },
    );
    expect(body.errors).toBeUndefined();
    const connection = body.data!.myOrganizationMemberships;
    const providers = new Set(connection.nodes.map((node: any) => node.provider));
    expect(providers).toEqual(new Set(['AUTH0', 'WACHT']));
    expect(connection.totalCount).toBe(auth0OrganizationIds.length + 8);
    expect(harness.wacht.requests[0]!.headers.cookie).toBe(`__session=${DEMO_WACHT_SESSION}`);
  });

  it('filters through the router', async () => {
    const { body } = await router.graphql(
      '{ myOrganizationMemberships(filter: { name: { eq: "GLOBEX" } }) { nodes { provider organization { name } } } }',
      { headers },
    );
    expect(body.data!.myOrganizationMemberships.nodes).toEqual([{ provider: 'WACHT', organization: { name: 'Globex' } }]);
  });

  it("passes on a provider's failure as a partial result with its error", async () => {
    harness.wacht.fail({ ...FakeWacht.serverError(), times: Infinity });
    const { body } = await router.graphql(
      '{ myOrganizationMemberships(first: 100) { totalCount unavailableProviders nodes { provider } } }',
      { headers },
    );
    const connection = body.data!.myOrganizationMemberships;
    expect(connection.unavailableProviders).toEqual(['WACHT']);
    expect(connection.totalCount).toBe(auth0OrganizationIds.length);
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['myOrganizationMemberships'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', provider: 'WACHT' }),
      }),
    ]);
  });

  it('resolves Organization entities another subgraph returns', async () => {
    const { body } = await router.graphql('{ organizationsOnPlan(plan: "team") { id plan name provider } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.organizationsOnPlan).toEqual([
      { id: auth0OrganizationIds[2], plan: 'team', name: expect.any(String), provider: 'AUTH0' },
    ]);
    expect(harness.auth0.requestsTo(/^\/api\/v2\/organizations\/org_[^/]+$/)).toHaveLength(1);
  });

  it('resolves an organization that does not exist to null: none of its fields come back', async () => {
    const { body } = await router.graphql('{ organizationsOnPlan(plan: "enterprise") { id plan displayName } }');
    const byId = Object.fromEntries(body.data!.organizationsOnPlan.map((organization: any) => [organization.id, organization]));
    expect(byId['auth0:org_doesnotexist1']).toEqual({ id: 'auth0:org_doesnotexist1', plan: 'enterprise', displayName: null });
    expect(byId[auth0OrganizationIds[0]!].displayName).toEqual(expect.any(String));
    expect(harness.auth0.requestsTo(/^\/api\/v2\/organizations\/org_doesnotexist1$/)).toHaveLength(1);
  });

  describe('the example operations', () => {
    let schema: GraphQLSchema;
    beforeAll(async () => {
      const { body } = await router.graphql(getIntrospectionQuery());
      schema = buildClientSchema(body.data as any);
    });

    const files = readdirSync(examplesDirectory).filter((file) => file.endsWith('.graphql') && file !== 'users.graphql');
    const variables: Record<string, Record<string, unknown>> = {
      'filtered-memberships.graphql': { from: 'a', to: 'n' },
    };

    it('are there', () => {
      expect(files.length).toBeGreaterThanOrEqual(4);
    });

    it.each(files)('%s validates against the supergraph and runs against the demo data', async (file) => {
      const operation = readFileSync(join(examplesDirectory, file), 'utf8');
      expect(validate(schema, parse(operation))).toEqual([]);
      const { body } = await router.graphql(operation, { headers, variables: variables[file] ?? {} });
      expect(body.errors).toBeUndefined();
      expect(JSON.stringify(body.data)).toMatch(/"name":"/);
    });
  });
});
