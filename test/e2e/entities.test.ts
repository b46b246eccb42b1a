/**
 * `_entities` is open to any caller through the router: its representations are checked
 * before anything runs, however the operation reaches the field.
 */
import { startHarness, type Harness } from '../support/harness';

const ORGANIZATIONS = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id name } } }`;

describe('_entities representations', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.fakes.reset());

  const upstreamRequests = () => harness.fakes.auth0.requests.length + harness.fakes.cloudFoundry.requests.length;

  it('refuses more than 100 in one request, asking no provider', async () => {
    const r = Array.from({ length: 101 }, (_, index) => ({ __typename: 'Organization', id: `auth0:org_flood${index}` }));
    const { status, body } = await harness.graphql(ORGANIZATIONS, { variables: { r } });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({ message: 'at most 100 representations in one request', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    expect(upstreamRequests()).toBe(0);
  });

  it('counts every alias of _entities together: two lists of 60 are refused, asking no provider; two of 50 answer', async () => {
    const query = `query ($a: [_Any!]!, $b: [_Any!]!) {
      a: _entities(representations: $a) { ... on Organization { id } } b: _entities(representations: $b) { ... on Organization { id } } }`;
    const list = (name: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({ __typename: 'Organization', id: `auth0:org_${name}${index}` }));
    const refused = await harness.graphql(query, { variables: { a: list('a', 60), b: list('b', 60) } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ message: 'at most 100 representations in one request', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    expect(upstreamRequests()).toBe(0);
    const answered = await harness.graphql(query, { variables: { a: list('a', 50), b: list('b', 50) } });
    expect(answered.body.errors).toBeUndefined();
    expect([answered.body.data!.a.length, answered.body.data!.b.length]).toEqual([50, 50]);
    // Unknown organizations (null), each asked for once.
    expect(answered.body.data!.a[0]).toBeNull();
    expect(harness.fakes.auth0.requestsTo(/^\/api\/v2\/organizations\//)).toHaveLength(100);
  });

  it('counts a response key written twice (inline and in a fragment) once, as it runs once', async () => {
    const query = `query ($r: [_Any!]!) {
      _entities(representations: $r) { ... on Organization { id } } ... on Query { _entities(representations: $r) { ... on Organization { id } } } }`;
    const r = Array.from({ length: 60 }, (_, index) => ({ __typename: 'Organization', id: `auth0:org_twice${index}` }));
    const { body } = await harness.graphql(query, { variables: { r } });
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(60);
    expect(harness.fakes.auth0.requestsTo(/^\/api\/v2\/organizations\//)).toHaveLength(60);
  });

  it('lets 100 through', async () => {
    const r = Array.from({ length: 100 }, (_, index) => ({ __typename: 'Organization', id: `wacht:org_${index}` }));
    const { body } = await harness.graphql(ORGANIZATIONS, { variables: { r } });
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(100);
  });

  it("reads the operation's default for the representations variable, as execution does", async () => {
    const query = `query ($r: [_Any!]! = [{ __typename: "Organization", id: "wacht:org_1" }]) {
      _entities(representations: $r) { ... on Organization { id } } }`;
    const answered = await harness.graphql(query);
    expect(answered.body).toEqual({ data: { _entities: [null] } });
    const refused = await harness.graphql(query.replace('"wacht:org_1"', '5'));
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refused.body.errors![0]!.message).toBe('representations[0]: a Organization representation needs a string `id`');
    expect(upstreamRequests()).toBe(0);
  });

  it.each([
    ['an inline fragment on Query', `query ($r: [_Any!]!) { ... on Query { _entities(representations: $r) { ... on Organization { id } } } }`],
    ['a fragment spread', `query ($r: [_Any!]!) { ...Root } fragment Root on Query { _entities(representations: $r) { ... on Organization { id } } }`],
  ])('checks them behind %s too', async (_label, query) => {
    const { status, body } = await harness.graphql(query, { variables: { r: [{ __typename: 'Organization', id: 5 }] } });
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/representations\[0\]: a Organization representation needs a string `id`/);
  });
});

describe('_entities representations, MAX_REPRESENTATIONS set', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ config: (config) => ({ ...config, maxRepresentations: 150 }) });
  });
  afterAll(() => harness.close());

  const representations = (count: number) => Array.from({ length: count }, (_, index) => ({ __typename: 'Organization', id: `wacht:org_${index}` }));

  it('lets as many through as it says', async () => {
    const { body } = await harness.graphql(ORGANIZATIONS, { variables: { r: representations(150) } });
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(150);
  });

  it('refuses one more, naming the limit', async () => {
    const { status, body } = await harness.graphql(ORGANIZATIONS, { variables: { r: representations(151) } });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({ message: 'at most 150 representations in one request', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
  });
});
