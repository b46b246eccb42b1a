/**
 * The HTTP surface beside GraphQL: health, metrics, the Sandbox landing page, CSRF
 * prevention, request ids, and an orderly shutdown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_WACHT_SESSION } from '../../src/fakes/wacht/seed';
import { REQUEST_TIMEOUT_MS, urlHost } from '../../src/server/app';
import { startHarness, type Harness } from '../support/harness';

const MEMBERSHIP_NAMES = '{ myOrganizationMemberships(providers: [WACHT]) { totalCount edges { node { organization { name } } } } }';

describe('outside production', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('is live and ready', async () => {
    const live = await fetch(`${harness.url}/health/live`);
    const ready = await fetch(`${harness.url}/health/ready`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('serves Apollo Sandbox to a browser opening /graphql', async () => {
    const response = await fetch(`${harness.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('embeddable-sandbox');
  });

  it('answers Sandbox preflights from another origin with the credential headers allowed', async () => {
    const response = await fetch(`${harness.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://studio.apollographql.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization,x-wacht-session',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-wacht-session');
  });

  it.each([
    ['Apollo Sandbox', 'https://sandbox.embed.apollographql.com', true],
    ["a frontend's dev server", 'http://localhost:5173', true],
    ['a page on this machine by address', 'http://127.0.0.1:3000', true],
    ['any other site', 'https://evil.example', false],
    ['a look-alike of localhost', 'http://localhost.evil.example', false],
  ])('lets %s read answers cross-origin: %s → %s', async (_what, origin, allowed) => {
    const response = await fetch(`${harness.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null);
  });

  it('refuses simple GET and text/plain requests that a browser could forge (CSRF)', async () => {
    const get = await fetch(`${harness.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    const textPlain = await fetch(`${harness.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    expect(textPlain.status).toBe(400);
    const allowed = await fetch(`${harness.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('passes the request id on to the providers it asks', async () => {
    harness.fakes.reset();
    await harness.graphql(MEMBERSHIP_NAMES, {
      headers: { 'x-request-id': 'req-upstream-7', 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    expect(harness.wacht.requests.map((request) => request.headers['x-request-id'])).toEqual(['req-upstream-7']);
  });

  it('makes its own request id for one that does not look like one, and passes only that on', async () => {
    for (const odd of ['x'.repeat(129), 'two words', 'id\twith\ttabs', '<script>']) {
      harness.fakes.reset();
      const { headers } = await harness.graphql(MEMBERSHIP_NAMES, { headers: { 'x-request-id': odd, 'x-wacht-session': DEMO_WACHT_SESSION } });
      const made = headers.get('x-request-id');
      expect([odd, made]).toEqual([odd, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      expect(harness.wacht.requests.map((request) => request.headers['x-request-id'])).toEqual([made]);
    }
  });

  it('bounds the time a client may take to send its request (a trickled body cannot hold a connection)', () => {
    expect(harness.server.fastify.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
  });

  it("answers an unknown path 404 in GraphQL's error shape", async () => {
    const response = await fetch(`${harness.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });

  it('echoes x-request-id, or makes one', async () => {
    const given = await harness.graphql('{ __typename }', { headers: { 'x-request-id': 'req-123' } });
    const made = await harness.graphql('{ __typename }');
    expect(given.headers.get('x-request-id')).toBe('req-123');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics with upstream calls by provider, route and status, and no credential', async () => {
    await harness.graphql(MEMBERSHIP_NAMES, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION } });
    const response = await fetch(`${harness.url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toMatch(
      /upstream_requests_total\{provider="WACHT",route="GET \/me\/organization-memberships",status="200"\} [1-9]/,
    );
    expect(text).not.toContain(DEMO_WACHT_SESSION);
  });

  it("has every metric README, Operations names (its list and its alerts' PromQL)", async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('- `GET /metrics`: Prometheus text:'), readme.indexOf('- OpenTelemetry:'));
    const named = new Set(section.match(/\b(?:upstream|graphql|cache)_[a-z_]+/g));
    expect(named.size).toBeGreaterThan(10);
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    const registered = new Set([...text.matchAll(/^# HELP (\S+) /gm)].map((match) => match[1]!));
    // A histogram's series are its name with _bucket, _count or _sum.
    const missing = [...named].filter((name) => !registered.has(name.replace(/_(bucket|count|sum)$/, '')) && !registered.has(name));
    expect(missing).toEqual([]);
  });

  it('has closed-circuit and idle-connection series for each configured provider from the start, and none for the others', async () => {
    const withoutWacht = await startHarness({ config: (config) => ({ ...config, wacht: null }) });
    try {
      const text = await (await fetch(`${withoutWacht.url}/metrics`)).text();
      const series = (name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`));
      for (const name of ['upstream_circuit_open', 'upstream_calls_in_flight', 'upstream_calls_waiting']) {
        expect(series(name)).toEqual([`${name}{provider="AUTH0"} 0`, `${name}{provider="CLOUD_FOUNDRY"} 0`]);
      }
    } finally {
      await withoutWacht.close();
    }
  });

  describe('operation limits', () => {
    const rejected = async (query: string, pattern: RegExp) => {
      const { body } = await harness.graphql(query);
      expect(body.data ?? null).toBeNull();
      expect(body.errors!.map((error) => error.message).join('\n')).toMatch(pattern);
    };

    it('refuses alias floods', () =>
      rejected(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: myOrganizationMemberships { totalCount }`).join(' ')} }`, /aliases/i));

    it('refuses directive floods', () => rejected(`{ __typename ${'@include(if: true) '.repeat(60)}}`, /directives/i));

    it('refuses token floods while parsing: GRAPHQL_PARSE_FAILED, HTTP 400', async () => {
      const { status, body } = await harness.graphql(`{ ${'__typename '.repeat(6000)}}`);
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/5000 tokens/), extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) }),
      ]);
    });

    it('refuses deep nesting', () =>
      rejected(`{ ${'a { '.repeat(20)}b${' }'.repeat(20)} }`, /depth/i));

    it('allows a depth of 12, not 13', async () => {
      // Fields this schema lacks: the depth rule speaks (or not) beside "Cannot query field".
      const nested = (levels: number) => `{ ${'a { '.repeat(levels - 1)}b${' }'.repeat(levels - 1)} }`;
      const messages = async (levels: number) => (await harness.graphql(nested(levels))).body.errors!.map((error) => error.message).join('\n');
      expect(await messages(12)).not.toMatch(/depth/i);
      expect(await messages(13)).toMatch(/depth/i);
    });

    describe('costs each page by its size: as written, as its variable gives it, 20 when not given', () => {
      // 30 pages with roles and organizations: ~1 146 per item of page size (20 000 allowed).
      const pages = (size: string) =>
        Array.from({ length: 30 }, (_, i) => `a${i}: myOrganizationMemberships${size} { edges { node { roles { permissions } organization { id name } } } }`).join(' ');
      const VARIABLE = `query ($n: Int) { ${pages('(first: $n)')} }`;
      const IN_A_FRAGMENT = `query ($n: Int = 20) { ...Pages } fragment Pages on Query { ${pages('(last: $n)')} }`;
      const signedIn = { 'x-wacht-session': DEMO_WACHT_SESSION };

      it.each([
        ['no size (20 each)', `{ ${pages('')} }`, {}, 22_912.5],
        ['first: 20 written in', `{ ${pages('(first: 20)')} }`, {}, 22_912.5],
        ['first: $n with n = 20', VARIABLE, { n: 20 }, 22_912.5],
        ['first: $n with n = 100', VARIABLE, { n: 100 }, 114_562.5],
        ['first: $n with n = 5000, counted as the largest page', VARIABLE, { n: 5000 }, 114_562.5],
        ['first: $n with n null (20 each)', VARIABLE, { n: null }, 22_912.5],
        // A fragment costs what its selections cost written in place.
        ["last: $n in a fragment, by the variable's default", IN_A_FRAGMENT, {}, 22_912.5],
      ])('refuses %s, before any upstream call', async (_what, query, variables, cost) => {
        harness.wacht.reset();
        const { status, body } = await harness.graphql(query, { variables, headers: signedIn });
        expect(status).toBe(400);
        expect(body.data).toBeUndefined();
        expect(body.errors?.map(({ message, extensions }) => [message, extensions?.['code']])).toEqual([
          [`Query Cost limit of 20000 exceeded, found ${cost}.`, 'GRAPHQL_VALIDATION_FAILED'],
        ]);
        expect(harness.wacht.requests).toEqual([]);
      });

      it('leaves a page-size variable that is no Int to execution: its own error, not a cost', async () => {
        const { status, body } = await harness.graphql(VARIABLE, { variables: { n: 'many' }, headers: signedIn });
        expect(status).toBe(400);
        expect(body.errors?.map(({ message, extensions }) => [message, extensions?.['code']])).toEqual([
          ['Variable "$n" got invalid value "many"; Int cannot represent non-integer value: "many"', 'BAD_USER_INPUT'],
        ]);
      });

      it('counts a fragment as its selections written in place, reckoned once however often it is spread', async () => {
        // The largest page with everything, inline and through three levels of fragments (as Relay builds queries).
        const everything = '{ totalCount edges { cursor node { id roles { id name permissions } organization { id name displayName slug imageUrl status createdAt } } } }';
        const inline = `{ myOrganizationMemberships(first: 100) ${everything} }`;
        const nested = `{ ...Screen }
          fragment Screen on Query { myOrganizationMemberships(first: 100) { ...List } }
          fragment List on OrganizationMembershipConnection { totalCount edges { cursor node { ...Item } } }
          fragment Item on OrganizationMembership { id roles { id name permissions } organization { ...Org } }
          fragment Org on Organization { id name displayName slug imageUrl status createdAt }`;
        for (const query of [inline, nested]) {
          const { body } = await harness.graphql(query, { headers: signedIn });
          expect(body.errors).toBeUndefined();
          expect(body.data!['myOrganizationMemberships'].totalCount).toBeGreaterThan(0);
        }
        // Fragments spreading the next one four times, fifteen deep: 4^14 spreads of the last.
        const spreads = Array.from({ length: 15 }, (_, i) =>
          `fragment F${i} on Query { ${i < 14 ? `...F${i + 1} `.repeat(4) : 'myOrganizationMemberships { totalCount }'} }`,
        ).join(' ');
        const { status, body } = await harness.graphql(`{ ...F0 } ${spreads}`, { headers: signedIn });
        expect(status).toBe(400);
        expect(body.errors?.[0]?.message).toMatch(/^Query Cost limit of 20000 exceeded, found \d/);
      });

      it.each([
        ['first: 5 written in', `{ ${pages('(first: 5)')} }`, {}],
        ['first: $n with n = 5', VARIABLE, { n: 5 }],
        ['last: $n = 5 in a fragment', IN_A_FRAGMENT, { n: 5 }],
      ])('answers %s', async (_what, query, variables) => {
        harness.wacht.reset();
        const { status, body } = await harness.graphql(query, { variables, headers: signedIn });
        expect(body.errors).toBeUndefined();
        expect(status).toBe(200);
        expect(body.data!['a29'].edges).toHaveLength(5);
        // Thirty aliases of one page are one upstream call.
        expect(harness.wacht.requests.map((request) => request.rawPath)).toEqual(['/me/organization-memberships']);
      });
    });

    it('lets introspection and a router-sized entities query through', async () => {
      const { getIntrospectionQuery } = await import('graphql');
      const introspection = await harness.graphql(getIntrospectionQuery());
      expect(introspection.body.errors).toBeUndefined();
      const entities = await harness.graphql(
        `query ($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on User { id organizations(first: $first) {
           totalCount unavailableProviders pageInfo { hasNextPage endCursor }
           edges { cursor node { id name displayName slug imageUrl status provider providerId createdAt updatedAt } } } } } }`,
        // A router passes the client's page size on as a variable: the largest page fits.
        { variables: { r: Array.from({ length: 50 }, (_, i) => ({ __typename: 'User', id: `user-${i}` })), first: 100 } },
      );
      expect(entities.body.errors).toBeUndefined();
      expect(entities.body.data!._entities).toHaveLength(50);
    });
  });

  it('publishes the federation SDL with the contract schema', async () => {
    const { body } = await harness.graphql('{ _service { sdl } }');
    const sdl: string = body.data!._service.sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.14"');
    expect(sdl).toMatch(/type User\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
    expect(sdl).toMatch(/@listSize\(assumedSize: 20, slicingArguments: \["first", "last"\]/);
  });
});

describe('in production', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ production: true });
  });
  afterAll(() => harness.close());

  it('serves no landing page and no CORS', async () => {
    const page = await fetch(`${harness.url}/graphql`, {
      headers: { accept: 'text/html', origin: 'https://evil.example' },
    });
    expect(await page.text()).not.toContain('embeddable-sandbox');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses introspection, whatever NODE_ENV the process has (Apollo would read it itself)', async () => {
    expect(process.env['NODE_ENV']).not.toBe('production');
    const { body } = await harness.graphql('{ __schema { queryType { name } } }');
    expect(body.errors![0]!.extensions!['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0]!.message).toMatch(/introspection/i);
  });

  it('includes no stack traces in errors', async () => {
    const { body } = await harness.graphql('{ myOrganizationMemberships(first: 500) { totalCount } }', {
      headers: { 'x-wacht-session': DEMO_WACHT_SESSION },
    });
    expect(body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(JSON.stringify(body)).not.toContain('stacktrace');
  });
});

describe('shutdown', () => {
  it('goes unready, lets the in-flight request finish, then closes', async () => {
    const harness = await startHarness({ config: (config) => ({ ...config, shutdownDelayMs: 500 }) });
    harness.wacht.latencyMs = 300;
    const inFlight = harness.graphql(MEMBERSHIP_NAMES, { headers: { 'x-wacht-session': DEMO_WACHT_SESSION } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = harness.server.close();
    // Still listening during the shutdown delay, so a load balancer's probe sees the 503.
    const ready = await fetch(`${harness.url}/health/ready`);
    expect(ready.status).toBe(503);
    const { status, body } = await inFlight;
    expect(status).toBe(200);
    expect(body.data!.myOrganizationMemberships.totalCount).toBe(8);
    await closing;
    await expect(fetch(`${harness.url}/health/live`)).rejects.toThrow();
    await harness.fakes.stop();
  });
});

describe('the log', () => {
  const lines: string[] = [];
  const logStream = { write: (line: string) => void lines.push(line) };
  const apolloKey = 'service:organizations:not-a-real-key-3f9a';
  let harness: Harness;
  beforeAll(async () => {
    // Apollo Server warns at start when given a graph's key and ref, which a subgraph does not use.
    process.env['APOLLO_KEY'] = apolloKey;
    process.env['APOLLO_GRAPH_REF'] = 'organizations@current';
    try {
      harness = await startHarness({ logStream, config: (config) => ({ ...config, logLevel: 'info' }) });
    } finally {
      delete process.env['APOLLO_KEY'];
      delete process.env['APOLLO_GRAPH_REF'];
    }
  });
  afterAll(() => harness.close());

  it("takes Apollo Server's own messages as JSON lines, without the key", () => {
    const parsed = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(parsed).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/subgraph/) }));
    expect(lines.join('\n')).not.toContain(apolloKey);
  });

  it('writes one line for a request to an unknown path', async () => {
    const before = lines.length;
    await fetch(`${harness.url}/nope`);
    // The request line is written once the answer has gone out, which may be just after the client has it.
    for (let wait = 0; wait < 40 && !lines.slice(before).some((line) => line.includes('"msg":"request"')); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lines.slice(before).map((line) => JSON.parse(line) as { msg: string; status?: number })).toEqual([
      expect.objectContaining({ msg: 'request', status: 404 }),
    ]);
  });
});

describe('the URL it prints once listening', () => {
  it.each([
    ['0.0.0.0', '127.0.0.1'],
    ['::', '[::1]'],
    ['::1', '[::1]'],
    ['fe80::1', '[fe80::1]'],
    ['fe80::1%eth0', '[fe80::1%25eth0]'],
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['subgraph.internal', 'subgraph.internal'],
  ])('reaches a listener on %s at %s', (host, reached) => {
    expect(urlHost(host)).toBe(reached);
  });
});
