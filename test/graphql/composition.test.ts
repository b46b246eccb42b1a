/**
 * The subgraph composes into a supergraph with a users subgraph that owns `User`, using the
 * SDL the running server publishes (what a router or `rover` would fetch), and so does
 * schema.graphql itself (what supergraph.yaml gives `rover`).
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { typeDefs } from '../../src/graphql/schema';
import { USERS_SDL } from '../support/fixture-subgraphs';
import { startHarness, type Harness } from '../support/harness';

describe('composition', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('composes with a users subgraph without errors', async () => {
    const { body } = await harness.graphql('{ _service { sdl } }');
    const result = composeServices([
      { name: 'organizations', url: `${harness.url}/graphql`, typeDefs: parse(body.data!._service.sdl) },
      { name: 'users', url: 'http://users.invalid/graphql', typeDefs: USERS_SDL },
    ]);
    expect(result.errors).toBeUndefined();
    const supergraph = result.supergraphSdl!;
    expect(supergraph).toMatch(/type User[\s\S]*organizations\(/);
    expect(supergraph).toContain('myOrganizationMemberships(');
    expect(supergraph).toMatch(/type Organization\s+@join__type\(graph: ORGANIZATIONS, key: "id"\)/);
  });
});

it('composes schema.graphql as supergraph.yaml gives it to rover', () => {
  const result = composeServices([
    { name: 'organizations', url: 'http://localhost:4001/graphql', typeDefs: typeDefs },
    { name: 'users', url: 'http://localhost:4002/graphql', typeDefs: USERS_SDL },
  ]);
  expect(result.errors).toBeUndefined();
});
