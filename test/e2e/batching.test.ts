/**
 * The fewest upstream calls: one upstream sequence per distinct (provider, user, arguments)
 * however many representations, aliases and repeated fields ask for it; a per-provider
 * concurrency limit; and the per-request upstream count as a metric.
 */
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from '../../src/fakes/auth0/seed';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { startHarness, type Harness } from '../support/harness';

const CONCURRENCY = 8;
const USERS = Array.from({ length: 40 }, (_, index) => `auth0|batch${String(index).padStart(3, '0')}`);
const usersRoute = /^\/api\/v2\/users\/[^/]+\/organizations$/;

async function upstreamRequestsObserved(harness: Harness): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`${harness.url}/metrics`)).text();
  const read = (name: string) =>
    Number(new RegExp(`^graphql_operation_upstream_requests_${name}\\{operation="query"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { count: read('count'), sum: read('sum') };
}

describe('batching', () => {
  let harness: Harness;
  let admin: string;

  beforeAll(async () => {
    harness = await startHarness({
      config: (config) => ({ ...config, resilience: { ...config.resilience, concurrency: CONCURRENCY } }),
    });
    const organization = harness.auth0.addOrganization({ id: 'org_batch0001', name: 'batch-one', display_name: 'Batch One' });
    for (const user of USERS) {
      harness.auth0.addUser(user);
      harness.auth0.addMember(organization.id, user);
    }
    admin = await harness.auth0.mintCallerToken('auth0|batch-admin', {
      audience: DEMO_AUTH0_AUDIENCE,
      permissions: ['read:organizations'],
    });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  it('asks once per distinct user for _entities with repeated representations, never over the concurrency limit', async () => {
    harness.auth0.latencyMs = 20;
    const representations = [...USERS, ...USERS.slice(0, 10)].map((id) => ({ __typename: 'User', id }));
    const before = await upstreamRequestsObserved(harness);
    const { body } = await harness.graphql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id
         first: organizations(first: 5) { totalCount nodes { name } }
         again: organizations(first: 5) { totalCount }
         desc: organizations(first: 1, orderDirection: DESC) { nodes { name } } } } }`,
      { variables: { r: representations }, headers: { authorization: `Bearer ${admin}` } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(50);
    expect(body.data!._entities[45]).toEqual({
      id: USERS[5],
      first: { totalCount: 1, nodes: [{ name: 'batch-one' }] },
      again: { totalCount: 1 },
      desc: { nodes: [{ name: 'batch-one' }] },
    });
    const calls = harness.auth0.requestsTo(usersRoute).map((request) => decodeURIComponent(request.rawPath.split('/')[4]!));
    expect([...calls].sort()).toEqual([...USERS].sort());
    expect(harness.auth0.peakInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(harness.auth0.peakInFlight).toBeGreaterThan(1);

    const after = await upstreamRequestsObserved(harness);
    expect(after.count - before.count).toBe(1);
    // Every request the fake saw, the signing keys' fetch included: all go through the client.
    expect(harness.auth0.requestsTo(/^\/\.well-known\/jwks\.json$/)).toHaveLength(1);
    expect(after.sum - before.sum).toBe(harness.auth0.requests.length);
  });

  it('asks each provider once for aliases and repeated fields of the same list', async () => {
    const token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const { body } = await harness.graphql(
      `{ a: myOrganizationMemberships(first: 2) { totalCount }
         b: myOrganizationMemberships(last: 2) { totalCount }
         c: myOrganizationMemberships(first: 3, orderDirection: DESC) { totalCount }
         d: myOrganizationMemberships(filter: { name: { gte: "m" } }) { totalCount } }`,
      { headers: { authorization: `Bearer ${token}`, 'x-wacht-session': DEMO_WACHT_SESSION } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.a.totalCount).toBe(20);
    expect(body.data!.c.totalCount).toBe(20);
    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(1);
    expect(harness.wacht.requestsTo(/^\/me\/organization-memberships$/)).toHaveLength(1);
  });

  it('asks again in the next request: nothing is cached across requests by default', async () => {
    const token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    for (let round = 0; round < 2; round += 1) {
      await harness.graphql('{ myOrganizationMemberships { totalCount } }', { headers: { authorization: `Bearer ${token}` } });
    }
    expect(harness.auth0.requestsTo(usersRoute)).toHaveLength(2);
  });
});
