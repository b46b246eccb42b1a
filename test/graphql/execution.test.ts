/**
 * How operations execute (src/graphql/execution.ts), through the real server: graphql-js for
 * an operation's first run, graphql-jit from its second (production's default), graphql-js
 * for traced requests and `_entities`; the same answers on every path.
 */
import { ApolloServer } from '@apollo/server';
import { Trace } from '@apollo/usage-reporting-protobuf';
import { buildSchema, type GraphQLError } from 'graphql';
import { compiledExecutionPlugin } from '../../src/graphql/execution';
import { formatError } from '../../src/graphql/errors';
import type { Config } from '../../src/config';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from '../../src/fakes/auth0/seed';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { startHarness, type Harness } from '../support/harness';

const MEMBERSHIPS = `query Memberships($first: Int, $after: String, $filter: OrganizationFilter) {
  myOrganizationMemberships(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id provider roles { id name permissions } organization { id name displayName status createdAt } } }
    nodes { organization { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    unavailableProviders
  }
}`;

/** Strings that would break out of a generated function if they were pasted into its source. */
const CODE_LIKE = ['"); throw new Error(1); ("', '`${process.exit(1)}`', '*/ }); //', '\\', '\u2028\u2029', "'", 'acme'];

const compileAfter = (runs: number | null) => (config: Config): Config => ({ ...config, graphqlCompileAfterRuns: runs });

async function compiledSoFar(harness: Harness): Promise<{ compiled: number; notCompilable: number }> {
  const text = await (await fetch(`${harness.url}/metrics`)).text();
  const read = (outcome: string) =>
    Number(new RegExp(`^graphql_operations_compiled_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { compiled: read('compiled'), notCompilable: read('not_compilable') };
}

/** Queries answered with errors so far (graphql_operation_duration_seconds, outcome error). */
async function failedOperations(harness: Harness): Promise<number> {
  const text = await (await fetch(`${harness.url}/metrics`)).text();
  return Number(/^graphql_operation_duration_seconds_count\{operation="query",outcome="error"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Auth0 and Wacht credentials at once: both providers answer, merged. */
async function credentials(harness: Harness): Promise<Record<string, string>> {
  const token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
  return { authorization: `Bearer ${token}`, 'x-wacht-session': DEMO_WACHT_SESSION };
}

/** A request as the answer a client sees: status and body. */
async function answer(harness: Harness, query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const { status, body } = await harness.graphql(query, { variables, headers });
  return { status, body };
}

describe('execution with production defaults (compiled from the second run)', () => {
  let harness: Harness;
  let headers: Record<string, string>;

  beforeAll(async () => {
    harness = await startHarness({ production: true, config: compileAfter(1) });
    headers = await credentials(harness);
  });
  afterAll(() => harness.close());

  it('runs an operation on graphql-js once, then compiles it once, answering the same every time', async () => {
    const variables = { first: 5, filter: { name: { in: ['acme', 'globex', 'initech', 'umbrella'] } } };
    const before = await compiledSoFar(harness);
    const first = await answer(harness, MEMBERSHIPS, variables, headers);
    expect(await compiledSoFar(harness)).toEqual(before);
    const second = await answer(harness, MEMBERSHIPS, variables, headers);
    expect(await compiledSoFar(harness)).toEqual({ ...before, compiled: before.compiled + 1 });
    const third = await answer(harness, MEMBERSHIPS, variables, headers);
    expect(await compiledSoFar(harness)).toEqual({ ...before, compiled: before.compiled + 1 });

    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.myOrganizationMemberships.edges.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  });

  it('reads the selection alike on both paths: a failed roles call makes AUTH0 unavailable, the same answer each time', async () => {
    const query = MEMBERSHIPS.replace('query Memberships', 'query MembershipsWithRolesDown');
    harness.auth0.fail({ path: /\/members\/[^/]+\/roles$/, status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'down' }, times: Infinity });
    try {
      const before = await compiledSoFar(harness);
      const onGraphQLJs = await answer(harness, query, { first: 5 }, headers);
      const compiled = await answer(harness, query, { first: 5 }, headers);
      expect(await compiledSoFar(harness)).toEqual({ ...before, compiled: before.compiled + 1 });
      const connection = onGraphQLJs.body.data!.myOrganizationMemberships;
      expect(connection.unavailableProviders).toEqual(['AUTH0']);
      expect(connection.edges).toHaveLength(5);
      expect(connection.edges.every((edge: any) => edge.node.provider === 'WACHT')).toBe(true);
      expect(onGraphQLJs.body.errors).toEqual([
        expect.objectContaining({ path: ['myOrganizationMemberships'], extensions: { code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' } }),
      ]);
      expect(compiled).toEqual(onGraphQLJs);
    } finally {
      harness.fakes.reset();
    }
  });

  it('never compiles an operation whose text is new every time', async () => {
    const before = await compiledSoFar(harness);
    for (let index = 0; index < 5; index += 1) {
      const { body } = await answer(harness, `{ run${index}: myOrganizationMemberships(first: 1) { totalCount } }`, {}, headers);
      expect(body.errors).toBeUndefined();
      expect(body.data![`run${index}`].totalCount).toBeGreaterThan(0);
    }
    expect(await compiledSoFar(harness)).toEqual(before);
  });

  it('keeps _entities on graphql-js: every representation answered at its own index', async () => {
    const query = 'query Refs($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id name } } }';
    const representations = [
      { __typename: 'Organization', id: 'wacht:org_123456789' },
      { __typename: 'Organization', id: 'okta:1' },
      { __typename: 'Organization', id: 'wacht:org_987654321' },
    ];
    const before = await compiledSoFar(harness);
    for (let run = 0; run < 3; run += 1) {
      const { status, body } = await answer(harness, query, { r: representations }, headers);
      expect(status).toBe(200);
      expect(body.data!._entities).toEqual([null, null, null]);
      expect(body.errors).toEqual([expect.objectContaining({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } })]);
    }
    expect(await compiledSoFar(harness)).toEqual({ ...before, notCompilable: before.notCompilable + 1 });
  });

  it('refuses bad variables of a compiled operation as graphql-js does: 400, BAD_USER_INPUT, the same words', async () => {
    const query = 'query Page($first: Int) { myOrganizationMemberships(first: $first) { totalCount } }';
    const onGraphQLJs = await answer(harness, query, { first: 'three' }, headers);
    await answer(harness, query, { first: 1 }, headers);
    const compiled = await answer(harness, query, { first: 'three' }, headers);
    expect(onGraphQLJs.status).toBe(400);
    expect(onGraphQLJs.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Variable "$first" got invalid value "three"'), extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    expect(compiled).toEqual(onGraphQLJs);
  });

  it('answers an error thrown by a resolver with its contract code on the compiled path, counted as an error', async () => {
    const query = 'query Page($first: Int) { myOrganizationMemberships(first: $first) { totalCount } }';
    await answer(harness, query, { first: 1 }, headers);
    const failedBefore = await failedOperations(harness);
    const { status, body } = await answer(harness, query, { first: 101 }, headers);
    expect(await failedOperations(harness)).toBe(failedBefore + 1);
    expect(status).toBe(200);
    expect(body.data!.myOrganizationMemberships).toBeNull();
    expect(body.errors).toEqual([
      {
        message: '`first` must be between 0 and 100',
        locations: [{ line: 1, column: 27 }],
        path: ['myOrganizationMemberships'],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it('answers a traced request (ftv1) on graphql-js, with a trace of every field, even once the operation is compiled', async () => {
    const variables = { first: 2 };
    const untraced = await answer(harness, MEMBERSHIPS, variables, headers);
    await answer(harness, MEMBERSHIPS, variables, headers);
    const traced = await harness.graphql(MEMBERSHIPS, { variables, headers: { ...headers, 'apollo-federation-include-trace': 'ftv1' } });
    expect(traced.status).toBe(200);
    expect(traced.body.data).toEqual(untraced.body.data);
    const ftv1 = (traced.body as { extensions?: { ftv1?: string } }).extensions?.ftv1;
    expect(typeof ftv1).toBe('string');
    const trace = Trace.decode(Buffer.from(ftv1!, 'base64'));
    const connection = trace.root!.child!.find((node) => node.responseName === 'myOrganizationMemberships');
    expect(connection).toBeDefined();
    const edges = connection!.child!.find((node) => node.responseName === 'edges');
    // One node per edge (by index), and under each the fields resolved for it.
    expect(edges!.child!.map((node) => node.index)).toEqual([0, 1]);
    const firstEdge = edges!.child![0]!;
    const membership = firstEdge.child!.find((node) => node.responseName === 'node');
    expect(membership!.child!.map((node) => node.responseName)).toEqual(expect.arrayContaining(['id', 'provider', 'roles', 'organization']));
    expect(Number(connection!.endTime)).toBeGreaterThanOrEqual(Number(connection!.startTime));
    // Untraced requests carry no trace.
    expect((untraced.body as { extensions?: unknown }).extensions).toBeUndefined();
  });
});

describe('the same answers on every path', () => {
  let onGraphQLJs: Harness;
  let compiled: Harness;

  beforeAll(async () => {
    [onGraphQLJs, compiled] = await Promise.all([
      startHarness({ production: true, config: compileAfter(null) }),
      startHarness({ production: true, config: compileAfter(0) }),
    ]);
  });
  afterAll(() => Promise.all([onGraphQLJs.close(), compiled.close()]));

  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['a first page with roles and dates', MEMBERSHIPS, { first: 4 }],
    ['every membership', MEMBERSHIPS, { first: 100 }],
    ['a filter that matches nothing', MEMBERSHIPS, { first: 5, filter: { name: { eq: 'no-such-organization' } } }],
    ['an invalid argument', MEMBERSHIPS, { first: -1 }],
    ['a cursor that does not decode', MEMBERSHIPS, { first: 2, after: 'not-a-cursor' }],
    ['a variable of the wrong type', MEMBERSHIPS, { first: 'two' }],
    ['fragments, aliases and __typename', `query { a: myOrganizationMemberships(first: 2) { ...Page } b: myOrganizationMemberships(last: 1) { ...Page } }
      fragment Page on OrganizationMembershipConnection { __typename totalCount edges { node { __typename organization { ... on Organization { id } } } } }`, {}],
    // graphql-jit generates code from the operation: literals that look like code stay data.
    [
      'string literals and aliases that look like code',
      `{ __proto__: myOrganizationMemberships(first: 1, filter: { name: { in: ${JSON.stringify(CODE_LIKE)} } }) { totalCount nodes { organization { name } } } }`,
      {},
    ],
    ['@skip and @include', `query ($yes: Boolean!) { myOrganizationMemberships(first: 2) { totalCount @skip(if: $yes) nodes @include(if: $yes) { id } } }`, { yes: true }],
  ];

  it.each(cases)('%s', async (_name, query, variables) => {
    // The fakes are separate fleets seeded alike; each caller's token is minted by its own fleet.
    const [expected, actual] = await Promise.all([
      credentials(onGraphQLJs).then((headers) => answer(onGraphQLJs, query, variables, headers)),
      credentials(compiled).then((headers) => answer(compiled, query, variables, headers)),
    ]);
    expect(actual).toEqual(expected);
    expect(await compiledSoFar(onGraphQLJs)).toEqual({ compiled: 0, notCompilable: 0 });
  });

  it('compiled every operation it answered but the one with a __proto__ alias (the comparison compared something)', async () => {
    expect(await compiledSoFar(compiled)).toEqual({ compiled: new Set(cases.map(([, query]) => query)).size - 1, notCompilable: 1 });
  });
});

describe('a server fault on the compiled path', () => {
  // A resolver that breaks the schema's promise (null for a non-null field) and a scalar that
  // cannot serialize: graphql-jit raises these errors itself, without an original error.
  const typeDefs = 'type Query { name: String! count: Int }';
  const resolvers = { name: () => null, count: () => 'many' };
  const answerOf = async (compileAfterRuns: number | null) => {
    const logged: GraphQLError[][] = [];
    const schema = () => {
      const built = buildSchema(typeDefs);
      const query = built.getQueryType()!.getFields();
      query['name']!.resolve = resolvers.name;
      query['count']!.resolve = resolvers.count;
      return built;
    };
    const server = new ApolloServer({
      schema: schema(),
      formatError,
      includeStacktraceInErrorResponses: false,
      plugins: [
        compiledExecutionPlugin({ schema: schema(), compileAfterRuns, formatError, didEncounterErrors: (errors) => logged.push([...errors]) }),
        { async requestDidStart() { return { async didEncounterErrors({ errors }) { logged.push([...errors]); } }; } },
      ],
    });
    await server.start();
    const response = await server.executeOperation({ query: '{ count name }' });
    await server.stop();
    return { body: response.body, logged: logged.flat().map((error) => error.message) };
  };

  it('is masked as INTERNAL_SERVER_ERROR and reported, exactly as on graphql-js', async () => {
    const [onGraphQLJs, compiled] = [await answerOf(null), await answerOf(0)];
    expect(onGraphQLJs.body).toEqual({
      kind: 'single',
      singleResult: {
        data: null,
        errors: [
          { message: 'Internal server error', path: ['count'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          { message: 'Internal server error', path: ['name'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      },
    });
    expect(compiled.body).toEqual(onGraphQLJs.body);
    expect(compiled.logged).toHaveLength(2);
    expect(compiled.logged).toEqual(onGraphQLJs.logged);
  });
});

describe('the compiled operations kept', () => {
  const schema = () => buildSchema('type Query { a: Int b: Int c: Int d: Int }');
  /** A server that compiles from the first run, keeping at most `maxCompiledFields` fields' worth; what it compiled. */
  const serverKeeping = async (maxCompiledFields: number) => {
    const compiled: string[] = [];
    let current = '';
    const server = new ApolloServer({
      schema: schema(),
      plugins: [
        compiledExecutionPlugin({ schema: schema(), compileAfterRuns: 0, maxCompiledFields, onCompile: (outcome) => compiled.push(`${current}: ${outcome}`) }),
      ],
    });
    await server.start();
    const run = async (query: string) => {
      current = query;
      const response = await server.executeOperation({ query });
      expect(response.body).toMatchObject({ kind: 'single', singleResult: { data: expect.any(Object) } });
    };
    return { server, run, compiled };
  };

  it('are bounded by the fields they select, written out (fragments where spread): large operations evict one another', async () => {
    const { server, run, compiled } = await serverKeeping(6);
    try {
      await run('{ a b c }'); // 3 fields
      await run('{ a b c }'); // kept: not compiled again
      await run('query F { ...Two ...Two } fragment Two on Query { c d }'); // 4 fields: 7 > 6, the first goes
      await run('{ a b c }'); // compiled again
      await run('{ a b c d e: a f: b g: c }'); // 7 fields: more than can be kept, left on graphql-js
      await run('{ a b c d e: a f: b g: c }'); // and not compiled again
      expect(compiled).toEqual([
        '{ a b c }: compiled',
        'query F { ...Two ...Two } fragment Two on Query { c d }: compiled',
        '{ a b c }: compiled',
        '{ a b c d e: a f: b g: c }: not_compilable',
      ]);
    } finally {
      await server.stop();
    }
  });
});

