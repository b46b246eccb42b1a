/**
 * The subgraph composes into a supergraph with a users subgraph that owns `User`, using the
 * SDL the running server publishes (what a router or `rover` would fetch).
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startHarness, type Harness } from '../support/harness';

export const USERS_SUBGRAPH_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@key"])
  type User @key(fields: "id") { id: ID! email: String }
  type Query { me: User }
`;

describe('composition', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('composes with a users subgraph without errors or hints that matter', async () => {
    const { body } = await harness.graphql('{ _service { sdl } }');
    const result = composeServices([
      { name: 'organizations', url: `${harness.url}/graphql`, typeDefs: parse(body.data!._service.sdl) },
      { name: 'users', url: 'http://users.invalid/graphql', typeDefs: parse(USERS_SUBGRAPH_SDL) },
    ]);
    expect(result.errors).toBeUndefined();
    const supergraph = result.supergraphSdl!;
    expect(supergraph).toMatch(/type User[\s\S]*organizations\(/);
    expect(supergraph).toContain('myOrganizationMemberships(');
    expect(supergraph).toMatch(/type Organization\s+@join__type\(graph: ORGANIZATIONS, key: "id"\)/);
  });
});
