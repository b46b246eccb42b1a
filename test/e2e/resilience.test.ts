/**
 * Faults end to end: the real server over loopback, every fake behind it, each fake told to
 * misbehave (429, 5xx, slowness, resets, malformed bodies, unreachable signing keys, a
 * provider down for good). Every case checks the data and errors the caller gets, how many
 * attempts reached the fake, and that the server is healthy afterwards. All the while,
 * everything the server wrote (debug logs, answers, metrics) is kept, and the last case
 * scans it for secrets.
 */
import type { Config } from '../../src/config';
import { FakeAuth0 } from '../../src/fakes/auth0/fake-auth0';
import {
  DEMO_AUTH0_ADMIN_USER_ID,
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_CLIENT_SECRET,
  DEMO_AUTH0_GOOGLE_USER_ID,
  DEMO_AUTH0_USER_ID,
} from '../../src/fakes/auth0/seed';
import { FakeCloudFoundry } from '../../src/fakes/cloudfoundry/fake-cloudfoundry';
import { DEMO_CF_CLIENT_SECRET, DEMO_CF_USER_GUID } from '../../src/fakes/cloudfoundry/seed';
import type { Fault, FakeServer } from '../../src/fakes/fake-server';
import { FakeWacht } from '../../src/fakes/wacht/fake-wacht';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT } from '../../src/fakes/wacht/seed';
import { MAX_ANSWER_BYTES } from '../../src/upstream/http-client';
import { startHarness, type GraphQLResponse, type Harness } from '../support/harness';
import { waitFor } from '../support/wait';

jest.setTimeout(30_000);

type ProviderName = 'AUTH0' | 'CLOUD_FOUNDRY' | 'WACHT';

/** How many memberships each seeded caller has. */
const COUNTS: Record<ProviderName, number> = { AUTH0: 12, CLOUD_FOUNDRY: 130, WACHT: 8 };

const MEMBERSHIPS = /* GraphQL */ `
  query ($first: Int, $providers: [IdentityProvider!]) {
    myOrganizationMemberships(first: $first, providers: $providers) {
      totalCount unavailableProviders
      edges { node { id provider organization { name } } }
    }
  }
`;

const USER_ORGANIZATIONS = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User { organizations(first: 20) { totalCount unavailableProviders edges { node { id } } } }
    }
  }
`;

const WACHT_ROUTE = /^\/me\/organization-memberships$/;
const AUTH0_LIST_ROUTE = /^\/api\/v2\/users\/[^/]+\/organizations$/;
const AUTH0_JWKS = /^\/\.well-known\/jwks\.json$/;
const CF_LIST_ROUTE = /^\/v2\/users\/[^/]+\/organizations$/;

// ---- Everything the server said, and every secret it might have leaked ----

const logLines: string[] = [];
const answers: string[] = [];
/** Name → value, so a failure says which one leaked. */
const secrets = new Map<string, string>([
  ['the Auth0 client secret', DEMO_AUTH0_CLIENT_SECRET],
  ['the Cloud Foundry client secret', DEMO_CF_CLIENT_SECRET],
  ['the Wacht session', DEMO_WACHT_SESSION],
  ['the other Wacht session', DEMO_WACHT_SESSION_CURRENT],
]);
/** Kinds of credentials the fakes received, so the scan is known not to be vacuous. */
const harvested = { auth0Management: 0, cfClient: 0, cfBasic: 0 };
const logStream = {
  write(line: string) {
    logLines.push(line);
  },
};

function rememberSecret(name: string, value: string): void {
  secrets.set(`${name} ${value.slice(0, 12)}…`, value);
}

/** Every credential the server sent upstream, as the fakes recorded it (before they forget). */
function harvest(harness: Harness): void {
  const fakes: [string, FakeServer][] = [
    ['auth0', harness.auth0],
    ['cloudfoundry', harness.cloudFoundry],
    ['wacht', harness.wacht],
  ];
  for (const [name, fake] of fakes) {
    for (const request of fake.requests) {
      const authorization = /^(bearer|basic)\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
      if (authorization) {
        const [, scheme, value] = authorization;
        rememberSecret(`a ${scheme} credential sent to ${name}`, value!);
        if (name === 'auth0' && request.rawPath.startsWith('/api/v2/')) harvested.auth0Management += 1;
        if (name === 'cloudfoundry' && /^bearer$/i.test(scheme!)) harvested.cfClient += 1;
        if (name === 'cloudfoundry' && /^basic$/i.test(scheme!)) harvested.cfBasic += 1;
      }
      const session = /(?:^|;\s*)__session=([^;]+)/.exec(String(request.headers.cookie ?? ''));
      if (session) rememberSecret(`a session sent to ${name}`, session[1]!);
    }
  }
}

function resetFakes(harness: Harness): void {
  harvest(harness);
  harness.fakes.reset();
}

async function start(change: (config: Config) => Config = (config) => config): Promise<Harness> {
  return startHarness({ logStream, config: (config) => change({ ...config, logLevel: 'debug' }) });
}

async function stop(harness: Harness | undefined): Promise<void> {
  if (!harness) return;
  harvest(harness);
  await harness.close();
}

async function graphql(
  harness: Harness,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse['body']> {
  const response = await harness.graphql(query, options);
  answers.push(JSON.stringify(response.body));
  return response.body;
}

async function metricsText(harness: Harness): Promise<string> {
  const response = await fetch(`${harness.url}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  answers.push(text);
  return text;
}

/** The sum of a metric's samples whose labels include `labels` (0 when there is none). */
function metricValue(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    // Greedy: label values may hold braces (route templates such as `/users/{id}/organizations`).
    const sample = /^([a-zA-Z_:][\w:]*)\{(.*)\}\s+(\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const present = new Map([...sample[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) total += Number(sample[3]);
  }
  return total;
}

async function metric(harness: Harness, name: string, labels: Record<string, string>): Promise<number> {
  return metricValue(await metricsText(harness), name, labels);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the memberships query, and hangs up (as a router timing out does) once `asked` holds. */
async function hangUp(harness: Harness, headers: Record<string, string>, asked: () => boolean): Promise<void> {
  const client = new AbortController();
  const answer = fetch(`${harness.url}/graphql`, {
    method: 'POST',
    signal: client.signal,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: MEMBERSHIPS, variables: { first: 20 } }),
  });
  await waitFor(asked, 'the call to hang up after');
  client.abort();
  await expect(answer).rejects.toThrow(/abort/i);
}

// ---- Callers ----

interface Callers {
  /** An Auth0 access token of the demo user (12 organizations). */
  auth0: string;
  /** A UAA user token of the demo Cloud Foundry user (130 organizations). */
  cloudFoundry: string;
}

async function mintCallers(harness: Harness): Promise<Callers> {
  const auth0 = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
  const cloudFoundry = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
  rememberSecret('a minted Auth0 caller token', auth0);
  rememberSecret('a minted UAA caller token', cloudFoundry);
  return { auth0, cloudFoundry };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const session = { 'x-wacht-session': DEMO_WACHT_SESSION };

// ---- Targets: the provider a case breaks, and the one whose items must keep coming ----

interface Target {
  provider: ProviderName;
  /** The provider asked beside it, unaffected by the fault. */
  other: ProviderName;
  fake(harness: Harness): FakeServer;
  /** The route whose requests are the attempts (and that faults are aimed at). */
  route: RegExp;
  /** Credentials for both providers. */
  headers(callers: Callers): Record<string, string>;
  rateLimited(retryAfterSeconds: number, times: number): Fault;
  serverError(times: number): Fault;
}

const TARGETS: Target[] = [
  {
    provider: 'WACHT',
    other: 'AUTH0',
    fake: (harness) => harness.wacht,
    route: WACHT_ROUTE,
    headers: (callers) => ({ ...bearer(callers.auth0), ...session }),
    rateLimited: (seconds, times) => ({ ...FakeWacht.rateLimited(seconds), times }),
    serverError: (times) => ({ ...FakeWacht.serverError(), times }),
  },
  {
    provider: 'AUTH0',
    other: 'WACHT',
    fake: (harness) => harness.auth0,
    route: AUTH0_LIST_ROUTE,
    headers: (callers) => ({ ...bearer(callers.auth0), ...session }),
    rateLimited: (seconds, times) => FakeAuth0.rateLimited({ retryAfterSeconds: seconds, times }),
    serverError: (times) => ({
      path: AUTH0_LIST_ROUTE,
      times,
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' },
    }),
  },
  {
    provider: 'CLOUD_FOUNDRY',
    other: 'WACHT',
    fake: (harness) => harness.cloudFoundry,
    route: CF_LIST_ROUTE,
    headers: (callers) => ({ ...bearer(callers.cloudFoundry), ...session }),
    // The later releases' Retry-After in seconds: the older ones' reset time has whole-second
    // resolution, so a wait of one second is read as one or two (that form: cloudfoundry.test.ts).
    rateLimited: (seconds, times) => ({ ...FakeCloudFoundry.rateLimited(seconds, { retryAfter: 'seconds' }), path: CF_LIST_ROUTE, times }),
    serverError: (times) => ({
      path: CF_LIST_ROUTE,
      times,
      status: 500,
      body: { code: 10001, description: 'An unknown error occurred.', error_code: 'UnknownError' },
    }),
  },
];

const attempts = (harness: Harness, target: Target) => target.fake(harness).requestsTo(target.route).length;

type Connection = { totalCount: number; unavailableProviders: string[]; edges: Array<{ node: { provider: string } }> };

async function memberships(harness: Harness, headers: Record<string, string>) {
  const body = await graphql(harness, MEMBERSHIPS, { variables: { first: 20 }, headers });
  return { body, connection: body.data?.myOrganizationMemberships as Connection | null | undefined };
}

/** Both providers answered in full, without an error. */
function expectComplete(body: GraphQLResponse['body'], providers: ProviderName[]): void {
  expect(body.errors).toBeUndefined();
  const connection = body.data!.myOrganizationMemberships as Connection;
  expect(connection.unavailableProviders).toEqual([]);
  expect(connection.totalCount).toBe(providers.reduce((sum, provider) => sum + COUNTS[provider], 0));
  expect(new Set(connection.edges.map((edge) => edge.node.provider))).toEqual(new Set(providers));
}

/** `failed` is missing, listed as unavailable, with one error saying why; `other`'s items are all there. */
function expectOnlyOther(body: GraphQLResponse['body'], failed: ProviderName, other: ProviderName) {
  const connection = body.data!.myOrganizationMemberships as Connection;
  expect(connection.unavailableProviders).toEqual([failed]);
  expect(connection.totalCount).toBe(COUNTS[other]);
  expect(connection.edges).toHaveLength(Math.min(20, COUNTS[other]));
  expect(connection.edges.every((edge) => edge.node.provider === other)).toBe(true);
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error!.path).toEqual(['myOrganizationMemberships']);
  return error!;
}

/** Faults lifted: ready, and a normal query answers with every provider. */
async function expectHealthy(harness: Harness, callers: Callers): Promise<void> {
  resetFakes(harness);
  const ready = await fetch(`${harness.url}/health/ready`);
  expect(ready.status).toBe(200);
  expectComplete((await memberships(harness, { ...bearer(callers.auth0), ...session })).body, ['AUTH0', 'WACHT']);
  expectComplete((await memberships(harness, { ...bearer(callers.cloudFoundry), ...session })).body, [
    'CLOUD_FOUNDRY',
    'WACHT',
  ]);
}

// ---- The cases ----

/**
 * A harness whose tokens are fetched and whose keys and UAA are discovered, so that the
 * attempts a test counts are list calls only.
 */
async function startWarm(configure: Parameters<typeof start>[0]): Promise<{ harness: Harness; callers: Callers }> {
  const harness = await start(configure);
  const callers = await mintCallers(harness);
  expectComplete((await memberships(harness, TARGETS[0]!.headers(callers))).body, ['AUTH0', 'WACHT']);
  expectComplete((await memberships(harness, TARGETS[2]!.headers(callers))).body, ['CLOUD_FOUNDRY', 'WACHT']);
  return { harness, callers };
}

describe('retries, rate limits, server errors, resets and malformed answers', () => {
  let harness: Harness;
  let callers: Callers;

  beforeAll(async () => {
    // A budget that fits two waits of Retry-After: 1; a breaker that never opens here.
    ({ harness, callers } = await startWarm((config) => ({ ...config, resilience: { ...config.resilience, budgetMs: 5000 } })));
  });
  afterAll(() => stop(harness));
  beforeEach(() => resetFakes(harness));

  describe.each(TARGETS)('$provider', (target) => {
    const both: ProviderName[] = [target.provider, target.other];
    const retries = () => metric(harness, 'upstream_retries_total', { provider: target.provider });

    it('429 once, then success: complete data, no error, two attempts, one retry counted', async () => {
      const retriesBefore = await retries();
      const rateLimitedBefore = await metric(harness, 'upstream_requests_total', { provider: target.provider, status: '429' });
      target.fake(harness).fail(target.rateLimited(1, 1));
      const { body } = await memberships(harness, target.headers(callers));
      expectComplete(body, both);
      expect(attempts(harness, target)).toBe(2);
      expect((await retries()) - retriesBefore).toBe(1);
      expect(
        (await metric(harness, 'upstream_requests_total', { provider: target.provider, status: '429' })) - rateLimitedBefore,
      ).toBe(1);
      await expectHealthy(harness, callers);
    });

    it.each([
      // Waits of 1 to 2 s (the second asked, spread over the next) in a 5 s budget: 3 to 5 attempts.
      ['fits the budget: retried while the budget allows (the five-retry cap is unit-tested)', 1, [3, 5]],
      ['is longer than the budget: after a single attempt', 60, [1, 1]],
    ] as const)('429 always, asking a wait that %s, is RATE_LIMITED with retryAfter', async (_label, wait, [fewest, most]) => {
      const retriesBefore = await retries();
      target.fake(harness).fail(target.rateLimited(wait, Infinity));
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'RATE_LIMITED', provider: target.provider, retryAfter: wait });
      const made = attempts(harness, target);
      expect(made).toBeGreaterThanOrEqual(fewest);
      expect(made).toBeLessThanOrEqual(most);
      expect((await retries()) - retriesBefore).toBe(made - 1);
      await expectHealthy(harness, callers);
    });

    it('500 once, then success: complete data after two attempts', async () => {
      target.fake(harness).fail(target.serverError(1));
      const { body } = await memberships(harness, target.headers(callers));
      expectComplete(body, both);
      expect(attempts(harness, target)).toBe(2);
      await expectHealthy(harness, callers);
    });

    it('500 always: UPSTREAM_UNAVAILABLE after exactly three attempts', async () => {
      target.fake(harness).fail(target.serverError(Infinity));
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: target.provider });
      expect(attempts(harness, target)).toBe(3);
      await expectHealthy(harness, callers);
    });

    it('connection reset once, then success', async () => {
      target.fake(harness).fail({ path: target.route, reset: true });
      const { body } = await memberships(harness, target.headers(callers));
      expectComplete(body, both);
      expect(attempts(harness, target)).toBe(2);
      await expectHealthy(harness, callers);
    });

    it('connection reset always: UPSTREAM_UNAVAILABLE after three attempts', async () => {
      target.fake(harness).fail({ path: target.route, reset: true, times: Infinity });
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: target.provider });
      expect(error.message).toMatch(/could not be reached/);
      expect(attempts(harness, target)).toBe(3);
      await expectHealthy(harness, callers);
    });

    it('a 200 whose body is not JSON: UPSTREAM_ERROR, not retried', async () => {
      const retriesBefore = await retries();
      target.fake(harness).fail({ path: target.route, status: 200, rawBody: '{"resources": [{"broken"', times: Infinity });
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', provider: target.provider });
      expect(attempts(harness, target)).toBe(1);
      expect((await retries()) - retriesBefore).toBe(0);
      await expectHealthy(harness, callers);
    });

    it('a client that hangs up while a 429 is waited out: no further attempt', async () => {
      target.fake(harness).fail(target.rateLimited(1, Infinity));
      await hangUp(harness, target.headers(callers), () => attempts(harness, target) === 1);
      // Retries would come 1 to 2 s apart (three to five of them in the budget, as above).
      await sleep(2_500);
      expect(attempts(harness, target)).toBe(1);
      await expectHealthy(harness, callers);
    });

    it('an answer over 16 MiB: UPSTREAM_ERROR saying so, not retried', async () => {
      const retriesBefore = await retries();
      // Well-formed JSON, so that only its size is wrong.
      const huge = JSON.stringify({ padding: 'x'.repeat(MAX_ANSWER_BYTES) });
      target.fake(harness).fail({ path: target.route, status: 200, rawBody: huge, times: Infinity });
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', provider: target.provider });
      expect(error.message).toMatch(new RegExp(`^${target.provider} answered more than 16 MiB \\(GET /\\S+\\)$`));
      expect(attempts(harness, target)).toBe(1);
      expect((await retries()) - retriesBefore).toBe(0);
      await expectHealthy(harness, callers);
    });
  });

  describe('a bearer token that does not verify is UNAUTHENTICATED, with no upstream call', () => {
    const tokens: Array<[string, (callers: Callers) => Promise<string>]> = [
      ['garbage', async () => 'abc.def.ghi'],
      ['not a JWT at all', async () => 'not-a-jwt'],
      ['expired', () => harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, expiresInSeconds: -300 })],
      ['for another audience', () => harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: 'https://elsewhere.example.com/api' })],
      ['from an unconfigured issuer', () =>
        harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, issuer: 'https://evil.example.com/' })],
      ['signed HS256', () => harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, algorithm: 'HS256' })],
    ];
    it.each(tokens)('%s', async (_label, mint) => {
      const token = await mint(callers);
      rememberSecret('a bad caller token', token);
      const { body, connection } = await memberships(harness, { ...bearer(token), ...session });
      expect(connection).toBeNull();
      expect(body.errors!.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(body.errors![0]!.extensions!.provider).toBeUndefined();
      expect(harness.auth0.requestsTo(/^\/api\/v2\//)).toHaveLength(0);
      expect(harness.wacht.requests).toHaveLength(0);
      expect(harness.cloudFoundry.requests).toHaveLength(0);
      await expectHealthy(harness, callers);
    });
  });
});

describe('provider failures in the log', () => {
  let harness: Harness;
  let callers: Callers;
  beforeAll(async () => {
    ({ harness, callers } = await startWarm((config) => config));
  });
  afterAll(() => stop(harness));

  /** The 'provider failed' warnings logged since `from` for the request `requestId`. */
  const warnings = (from: number, requestId: string) =>
    logLines
      .slice(from)
      .map((line) => JSON.parse(line) as { msg?: string; reqId?: string; level: number; failures?: unknown })
      .filter((line) => line.msg === 'provider failed' && line.reqId === requestId)
      .map(({ level, failures }) => ({ level, failures }));

  it('are one warning per request with its id, each kind once with how often it was answered; a request all providers answered logs none', async () => {
    const from = logLines.length;
    const complete = await graphql(harness, MEMBERSHIPS, {
      variables: { first: 20 },
      headers: { ...bearer(callers.auth0), ...session, 'x-request-id': 'log-complete' },
    });
    expectComplete(complete, ['AUTH0', 'WACHT']);

    // The subgraph's Management API grant lacks the scope: not retried, the same error for both users.
    harness.auth0.fail({
      path: AUTH0_LIST_ROUTE,
      times: Infinity,
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope; expected any of: read:organizations.', errorCode: 'insufficient_scope' },
    });
    const admin = await harness.auth0.mintCallerToken(DEMO_AUTH0_ADMIN_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, permissions: ['read:organizations'] });
    rememberSecret('a minted Auth0 admin token', admin);
    const failed = await graphql(harness, USER_ORGANIZATIONS, {
      variables: { representations: [DEMO_AUTH0_USER_ID, DEMO_AUTH0_GOOGLE_USER_ID].map((id) => ({ __typename: 'User', id })) },
      headers: { ...bearer(admin), 'x-request-id': 'log-failed' },
    });
    const messages = failed.errors!.map((error) => [error.message, error.extensions]);
    expect(messages).toEqual([
      [expect.stringMatching(/grant lacks a scope/), { code: 'UPSTREAM_ERROR', provider: 'AUTH0' }],
      [failed.errors![0]!.message, { code: 'UPSTREAM_ERROR', provider: 'AUTH0' }],
    ]);

    expect(warnings(from, 'log-failed')).toEqual([
      { level: 40, failures: [{ provider: 'AUTH0', code: 'UPSTREAM_ERROR', message: failed.errors![0]!.message, count: 2 }] },
    ]);
    expect(warnings(from, 'log-complete')).toEqual([]);

    // A page with Auth0 missing beside Wacht's items (an operation run often enough to be compiled).
    const partial = await graphql(harness, MEMBERSHIPS, {
      variables: { first: 20 },
      headers: { ...bearer(callers.auth0), ...session, 'x-request-id': 'log-partial' },
    });
    expect(partial.data!.myOrganizationMemberships).toMatchObject({ totalCount: COUNTS.WACHT, unavailableProviders: ['AUTH0'] });
    expect(warnings(from, 'log-partial')).toEqual([
      { level: 40, failures: [{ provider: 'AUTH0', code: 'UPSTREAM_ERROR', message: failed.errors![0]!.message, count: 1 }] },
    ]);
  });
});

describe('a client that hangs up while the Management API token is fetched', () => {
  let harness: Harness | undefined;
  afterAll(() => stop(harness));

  it('stops no fetch that another request shares: the token is fetched again after a 503, and that request answers', async () => {
    harness = await start();
    const callers = await mintCallers(harness);
    const TOKEN_ROUTE = /^\/oauth\/token$/;
    // The first token request answers 503 after 300 ms; its retry comes after the first client has gone.
    harness.auth0.fail({ path: TOKEN_ROUTE, delayMs: 300, status: 503, body: { error: 'temporarily_unavailable' } });
    const headers = { ...bearer(callers.auth0), ...session };
    const [, second] = await Promise.all([
      hangUp(harness, headers, () => harness!.auth0.requestsTo(TOKEN_ROUTE).length === 1),
      // Sent while the first waits for the token, so it waits on the same fetch.
      waitFor(() => harness!.auth0.requestsTo(TOKEN_ROUTE).length === 1, 'the token request').then(() => memberships(harness!, headers)),
    ]);
    expectComplete(second.body, ['AUTH0', 'WACHT']);
    expect(harness.auth0.requestsTo(TOKEN_ROUTE)).toHaveLength(2);
  });
});

describe('timeouts', () => {
  let harness: Harness;
  let callers: Callers;

  beforeAll(async () => {
    ({ harness, callers } = await startWarm((config) => ({
      ...config,
      // Long enough that a fast answer always makes it on a loaded test machine (jest runs suites side by side).
      upstreamTimeoutMs: 1_000,
      resilience: { ...config.resilience, budgetMs: 8_000 },
    })));
  });
  afterAll(() => stop(harness));
  beforeEach(() => resetFakes(harness));

  describe.each(TARGETS)('$provider', (target) => {
    it('slower than upstreamTimeoutMs every time: UPSTREAM_UNAVAILABLE "did not answer in time", others present', async () => {
      target.fake(harness).fail({ path: target.route, delayMs: 3_000, times: Infinity });
      const { body } = await memberships(harness, target.headers(callers));
      const error = expectOnlyOther(body, target.provider, target.other);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: target.provider });
      expect(error.message).toMatch(/did not answer in time/);
      expect(attempts(harness, target)).toBe(3);
      await expectHealthy(harness, callers);
    });

    it('slow once, then fast: complete data after two attempts', async () => {
      target.fake(harness).fail({ path: target.route, delayMs: 3_000 });
      const { body } = await memberships(harness, target.headers(callers));
      expectComplete(body, [target.provider, target.other]);
      expect(attempts(harness, target)).toBe(2);
      await expectHealthy(harness, callers);
    });
  });
});

describe('Auth0 signing keys unreachable on a server that never fetched them', () => {
  const faults: Array<[string, Fault]> = [
    ['answering 500', { path: AUTH0_JWKS, times: Infinity, status: 500, body: { error: 'Internal Server Error' } }],
    ['resetting the connection', { path: AUTH0_JWKS, times: Infinity, reset: true }],
  ];

  describe.each(faults)('%s', (_label, fault) => {
    let harness: Harness | undefined;
    afterAll(() => stop(harness));

    it('a bearer caller gets UPSTREAM_UNAVAILABLE from AUTH0 (not UNAUTHENTICATED), their own User.organizations empty beside it; a Wacht-only caller, or Auth0 left out, is unaffected', async () => {
      harness = await start();
      const callers = await mintCallers(harness);
      harness.auth0.fail(fault);

      const { body } = await memberships(harness, bearer(callers.auth0));
      expect(harness.auth0.requestsTo(AUTH0_JWKS).length).toBeGreaterThan(0);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' });
      expect(harness.auth0.requestsTo(/^\/api\/v2\//)).toHaveLength(0);

      const wachtOnly = await memberships(harness, session);
      expectComplete(wachtOnly.body, ['WACHT']);

      // With a Wacht session too, Wacht's items still come back beside Auth0's error.
      const both = await memberships(harness, { ...bearer(callers.auth0), ...session });
      expect(both.body.data!.myOrganizationMemberships).toMatchObject({ totalCount: 8, unavailableProviders: ['AUTH0'] });
      expect(both.body.errors!.map((error) => error.extensions)).toEqual([
        expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' }),
      ]);

      // Left out by `providers:`, Auth0 is not missing from the page: no error, nothing unavailable.
      const wachtAsked = await graphql(harness, MEMBERSHIPS, {
        variables: { first: 20, providers: ['WACHT'] },
        headers: { ...bearer(callers.auth0), ...session },
      });
      expectComplete(wachtAsked, ['WACHT']);

      // The user's own connection, Auth0 the only provider asked: it comes back empty, with the error.
      const own = await graphql(harness, USER_ORGANIZATIONS, {
        variables: { representations: [{ __typename: 'User', id: DEMO_AUTH0_USER_ID }] },
        headers: bearer(callers.auth0),
      });
      expect(own.data!._entities).toEqual([{ organizations: { totalCount: 0, unavailableProviders: ['AUTH0'], edges: [] } }]);
      expect(own.errors!.map((error) => [error.path, error.extensions])).toEqual([
        [['_entities', 0, 'organizations'], expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' })],
      ]);
      expect(harness.auth0.requestsTo(/^\/api\/v2\//)).toHaveLength(0);

      // A Cloud Foundry user's connection: Auth0's token could not read it anyway, so Cloud
      // Foundry is not said to be missing; the field fails with the token's own error.
      const other = await graphql(harness, USER_ORGANIZATIONS, {
        variables: { representations: [{ __typename: 'User', id: DEMO_CF_USER_GUID }] },
        headers: bearer(callers.auth0),
      });
      expect(other.data!._entities).toEqual([{ organizations: null }]);
      expect(other.errors!.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', provider: 'AUTH0' })]);
      expect(harness.cloudFoundry.requestsTo(/^\/v2\/users\//)).toHaveLength(0);

      // The keys come back: the same token verifies, and everything answers.
      await expectHealthy(harness, callers);
    });
  });
});

/** The two issuers whose signing keys the subgraph fetches, and where. */
const KEY_ISSUERS = [
  {
      provider: 'AUTH0' as const,
      fake: (harness: Harness) => harness.auth0,
      keys: AUTH0_JWKS,
      route: 'GET /.well-known/jwks.json',
      token: (callers: Callers) => callers.auth0,
    },
    {
      provider: 'CLOUD_FOUNDRY' as const,
      fake: (harness: Harness) => harness.cloudFoundry,
      keys: /^\/uaa\/token_keys$/,
      route: 'GET {uaa}/token_keys',
      token: (callers: Callers) => callers.cloudFoundry,
  },
];

describe('signing keys slower than UPSTREAM_TIMEOUT_MS, on a server that never fetched them', () => {
  // The key fetch is an upstream call like any other: bounded per attempt by the client's
  // timeout (not jose's own 5 s), retried, counted under its route template, tagged with the
  // request id.
  describe.each(KEY_ISSUERS)('$provider', (issuer) => {
    let harness: Harness | undefined;
    afterAll(() => stop(harness));

    it('the bearer caller gets UPSTREAM_UNAVAILABLE "did not answer in time" after the retries, each attempt in upstream_requests_total; Wacht answers', async () => {
      // A budget with room for the three attempts and the backoffs between them (≤ 0.4 s, then
      // ≤ 0.8 s) however slow the machine: the harness's 3 s left only 0.7 s to spare.
      harness = await start((config) => ({ ...config, upstreamTimeoutMs: 500, resilience: { ...config.resilience, budgetMs: 10_000 } }));
      const callers = await mintCallers(harness);
      issuer.fake(harness).fail({ path: issuer.keys, delayMs: 3_000, times: Infinity });

      const requestId = `slow-keys-${issuer.provider}`;
      const { body } = await memberships(harness, { ...bearer(issuer.token(callers)), ...session, 'x-request-id': requestId });
      const error = expectOnlyOther(body, issuer.provider, 'WACHT');
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: issuer.provider });
      expect(error.message).toMatch(/did not answer in time/);

      const fetches = issuer.fake(harness).requestsTo(issuer.keys);
      expect(fetches).toHaveLength(3);
      expect(fetches.map((request) => request.headers['x-request-id'])).toEqual([requestId, requestId, requestId]);
      const labels = { provider: issuer.provider, route: issuer.route };
      expect(await metric(harness, 'upstream_requests_total', { ...labels, status: 'error' })).toBe(3);
      expect(await metric(harness, 'upstream_request_duration_seconds_count', { ...labels, status: 'error' })).toBe(3);
      expect(await metric(harness, 'upstream_retries_total', { provider: issuer.provider })).toBe(2);

      // The keys come back: the same token verifies, and its fetch is counted as a 200.
      await expectHealthy(harness, callers);
      expect(await metric(harness, 'upstream_requests_total', { ...labels, status: '200' })).toBe(1);
    });
  });
});

describe('signing keys rate limited (429), on a server that never fetched them', () => {
  describe.each(KEY_ISSUERS)('$provider', (issuer) => {
    let harness: Harness | undefined;
    afterAll(() => stop(harness));

    it("the bearer caller gets RATE_LIMITED with the issuer's retryAfter, not missing keys; Wacht answers", async () => {
      harness = await start();
      const callers = await mintCallers(harness);
      // 30 s is past the retry budget: the 429 is answered, not waited out.
      issuer.fake(harness).fail({ path: issuer.keys, status: 429, headers: { 'retry-after': '30' }, body: {}, times: Infinity });

      const { body } = await memberships(harness, { ...bearer(issuer.token(callers)), ...session });
      const error = expectOnlyOther(body, issuer.provider, 'WACHT');
      expect(error.extensions).toEqual({ code: 'RATE_LIMITED', provider: issuer.provider, retryAfter: 30 });
      expect(issuer.fake(harness).requestsTo(issuer.keys)).toHaveLength(1);

      // The keys come back: the same token verifies.
      await expectHealthy(harness, callers);
    });
  });
});

describe("a burst over a small Auth0 plan's rate limit (2 requests a second)", () => {
  let harness: Harness | undefined;
  afterAll(() => stop(harness));

  it('a page with the roles of six organizations waits its turns within the budget and answers in full', async () => {
    // A budget with room: the turns take 4 to 8 s on an idle machine (each reset a whole second, rounded up).
    harness = await start((config) => ({ ...config, resilience: { ...config.resilience, budgetMs: 20_000 } }));
    const fake = harness.auth0;
    const userId = 'auth0|small-plan-member';
    fake.addUser(userId);
    const role = fake.addRole({ id: 'rol_SmallPlanEditor01', name: 'editor', description: 'Edits' });
    for (let index = 1; index <= 6; index += 1) {
      const organization = fake.addOrganization({ id: `org_smallplan0000000${index}`, name: `small-plan-${index}` });
      fake.addMember(organization.id, userId, [role.id]);
    }
    const token = await fake.mintCallerToken(userId, { audience: DEMO_AUTH0_AUDIENCE });
    rememberSecret('the small-plan caller token', token);
    const query = '{ myOrganizationMemberships(first: 10) { totalCount unavailableProviders nodes { organization { name } roles { name } } } }';
    // Warm (keys, Management API token), then a full bucket at the plan's size.
    await graphql(harness, '{ myOrganizationMemberships(first: 1) { totalCount } }', { headers: bearer(token) });
    fake.rateLimit = { limit: 2, refillPerSecond: 2 };
    await sleep(1_100);
    fake.reset();
    const retriedBefore = await metric(harness, 'upstream_retries_total', { provider: 'AUTH0' });

    const body = await graphql(harness, query, { headers: bearer(token) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.myOrganizationMemberships).toEqual({
      totalCount: 6,
      unavailableProviders: [],
      nodes: Array.from({ length: 6 }, (_, index) => ({ organization: { name: `small-plan-${index + 1}` }, roles: [{ name: 'editor' }] })),
    });
    // Every organization's roles were asked for until answered: more calls than organizations, the rest refused.
    const roleCalls = fake.requestsTo(/^\/api\/v2\/organizations\/[^/]+\/members\/[^/]+\/roles$/);
    expect(new Set(roleCalls.map((request) => request.rawPath)).size).toBe(6);
    expect(roleCalls.length).toBeGreaterThan(6);
    // Each call beyond the list's and the six answered ones is a retry.
    const managementCalls = fake.requestsTo(/^\/api\/v2\//).length;
    expect((await metric(harness, 'upstream_retries_total', { provider: 'AUTH0' })) - retriedBefore).toBe(managementCalls - 7);
  });
});

describe("one request's burst, queued past its budget", () => {
  // Five connections to Cloud Foundry, 200 ms an answer, a 2 s budget: ~50 of the burst's 200
  // calls fit; the rest wait for a connection until their budget is (nearly) spent.
  let harness: Harness;
  let admin: string;
  let user: string;
  beforeAll(async () => {
    harness = await start((config) => ({ ...config, resilience: { ...config.resilience, budgetMs: 2_000, concurrency: 5 } }));
    admin = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { scopes: ['cloud_controller.admin_read_only', 'openid'] });
    user = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    rememberSecret('a minted UAA admin token', admin);
    rememberSecret('a minted UAA caller token', user);
  });
  afterEach(() => resetFakes(harness));
  afterAll(() => stop(harness));

  /** An admin's `_entities` of 20 Cloud Foundry users with 10 aliases each: 200 calls, none for DEMO_CF_USER_GUID. */
  function burst(): Promise<GraphQLResponse['body']> {
    harness.cloudFoundry.latencyMs = 200;
    const users = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: organizations(first: 1, filter: { name: { gte: "a${i}" } }) { totalCount }`);
    return graphql(harness, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${aliases.join(' ')} } } }`, {
      variables: { r: users.map((id) => ({ __typename: 'User', id })) },
      headers: bearer(admin),
    });
  }

  it("is UPSTREAM_UNAVAILABLE for the calls that did not fit, and opens no circuit: the next caller is answered in full", async () => {
    const answer = await burst();
    const messages = new Set(answer.errors!.map((error) => error.message));
    expect(answer.errors!.length).toBeGreaterThan(50);
    expect([...messages].every((message) => /ran out while it waited its turn|little time left in the call's budget/.test(message))).toBe(true);
    expect(await metric(harness, 'upstream_circuit_open', { provider: 'CLOUD_FOUNDRY' })).toBe(0);

    harness.cloudFoundry.latencyMs = 0;
    expectComplete((await memberships(harness, { ...bearer(user), ...session })).body, ['CLOUD_FOUNDRY', 'WACHT']);
  });

  it('does not hold back a caller who comes while it waits: the connections go to the requests in turn', async () => {
    const lists = () => harness.cloudFoundry.requestsTo(CF_LIST_ROUTE);
    const answer = burst();
    try {
      // The burst holds every connection, and ~190 of its calls wait for one.
      await waitFor(() => lists().length >= 10, "the burst's first calls");
      expect(await metric(harness, 'upstream_calls_in_flight', { provider: 'CLOUD_FOUNDRY' })).toBe(5);
      expect(await metric(harness, 'upstream_calls_waiting', { provider: 'CLOUD_FOUNDRY' })).toBeGreaterThan(100);
      const sentAfter = lists().length;
      const caller = await graphql(harness, MEMBERSHIPS, { variables: { first: 20, providers: ['CLOUD_FOUNDRY'] }, headers: bearer(user) });
      expectComplete(caller, ['CLOUD_FOUNDRY']);
      // Its one call went at the second connection freed after it queued (the burst's turn, then
      // its own): a few of the burst's calls reach Cloud Foundry before it, those of the wave
      // (five calls every 200 ms) under way while its request was read and its token checked,
      // and of one more wave on a stalled machine; not the ~190 ahead of it (first come, first
      // served, it waited for the whole burst and ran out of its budget unsent).
      const received = lists().map((request) => request.rawPath);
      const own = received.indexOf(`/v2/users/${DEMO_CF_USER_GUID}/organizations`);
      expect(own).toBeGreaterThanOrEqual(sentAfter);
      expect(own - sentAfter).toBeLessThanOrEqual(15);
    } finally {
      // Over before the fakes are reset for the next test, whatever failed.
      await answer;
    }
    expect((await answer).errors!.length).toBeGreaterThan(50);
    const after = await metricsText(harness);
    expect(after).toMatch(/^upstream_calls_in_flight\{provider="CLOUD_FOUNDRY"\} 0$/m);
    expect(after).toMatch(/^upstream_calls_waiting\{provider="CLOUD_FOUNDRY"\} 0$/m);
  });
});

describe('UPSTREAM_MAX_RETRIES=0', () => {
  let harness: Harness | undefined;
  afterAll(() => stop(harness));

  it.each(TARGETS)('turns every retry off, a rate limit’s too: $provider answers RATE_LIMITED after one attempt', async (target) => {
    harness ??= await start((config) => ({ ...config, resilience: { ...config.resilience, maxRetries: 0 } }));
    const callers = await mintCallers(harness);
    await memberships(harness, target.headers(callers));
    resetFakes(harness);
    target.fake(harness).fail(target.rateLimited(1, 1));
    const { body } = await memberships(harness, target.headers(callers));
    expect(expectOnlyOther(body, target.provider, target.other).extensions).toMatchObject({ code: 'RATE_LIMITED', provider: target.provider });
    expect(attempts(harness, target)).toBe(1);
  });
});

describe('a provider down for the whole run, behind a circuit breaker', () => {
  let harness: Harness;
  let callers: Callers;
  const circuitOpen = () => metric(harness, 'upstream_circuit_open', { provider: 'CLOUD_FOUNDRY' });
  const cfAndWacht = () => memberships(harness, { ...bearer(callers.cloudFoundry), ...session });

  beforeAll(async () => {
    harness = await start((config) => ({
      ...config,
      // Long enough that the open rounds below finish inside it on a loaded machine.
      resilience: { ...config.resilience, breakerThreshold: 3, halfOpenAfterMs: 3_000 },
    }));
    callers = await mintCallers(harness);
  });
  afterAll(() => stop(harness));

  it('opens after the threshold, fails fast without reaching the provider, keeps the others, and closes after a probe, saying so in the log', async () => {
    const logged = logLines.length;
    // Warm: the UAA discovered, its keys and the client token fetched.
    expectComplete((await cfAndWacht()).body, ['CLOUD_FOUNDRY', 'WACHT']);
    expect(await circuitOpen()).toBe(0);
    resetFakes(harness);

    // Down: every request to Cloud Foundry has its connection reset.
    harness.cloudFoundry.fail({ reset: true, times: Infinity });
    const first = await cfAndWacht();
    expect(expectOnlyOther(first.body, 'CLOUD_FOUNDRY', 'WACHT').extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      provider: 'CLOUD_FOUNDRY',
    });
    // Three attempts, three consecutive failures: the threshold.
    expect(harness.cloudFoundry.requests).toHaveLength(3);
    expect(await circuitOpen()).toBe(1);

    // Open: fails fast, the fake is not asked, Wacht and Auth0 keep answering.
    for (let round = 0; round < 3; round += 1) {
      const fast = await cfAndWacht();
      const error = expectOnlyOther(fast.body, 'CLOUD_FOUNDRY', 'WACHT');
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', provider: 'CLOUD_FOUNDRY' });
      expect(error.message).toMatch(/circuit/i);
      expectComplete((await memberships(harness, { ...bearer(callers.auth0), ...session })).body, ['AUTH0', 'WACHT']);
    }
    expect(harness.cloudFoundry.requests).toHaveLength(3);
    expect(await circuitOpen()).toBe(1);

    // Lifted: once the half-open delay passes, a probe goes through and the circuit closes.
    harvest(harness);
    harness.cloudFoundry.reset();
    let body: GraphQLResponse['body'] | undefined;
    for (let poll = 0; poll < 100; poll += 1) {
      body = (await cfAndWacht()).body;
      if (!body.errors) break;
      expect(body.errors[0]!.message).toMatch(/circuit/i);
      await sleep(100);
    }
    expectComplete(body!, ['CLOUD_FOUNDRY', 'WACHT']);
    expect(harness.cloudFoundry.requestsTo(CF_LIST_ROUTE).length).toBeGreaterThan(0);
    expect(await circuitOpen()).toBe(0);
    await expectHealthy(harness, callers);
    // Each change of the circuit is a log line; its opening a warning.
    const changes = logLines
      .slice(logged)
      .map((line) => JSON.parse(line) as { level: number; provider?: string; circuit?: string })
      .filter((line) => line.circuit)
      .map(({ level, provider, circuit }) => ({ level, provider, circuit }));
    expect(changes).toEqual([
      { level: 40, provider: 'CLOUD_FOUNDRY', circuit: 'open' },
      { level: 30, provider: 'CLOUD_FOUNDRY', circuit: 'half-open' },
      { level: 30, provider: 'CLOUD_FOUNDRY', circuit: 'closed' },
    ]);
  });
});

describe('secrets', () => {
  it('no log line, answer or metric holds a secret, a caller token, an upstream token or a session', () => {
    // Not vacuous: the servers logged requests, and every kind of credential was seen upstream.
    // Request lines, whichever shape they take (Fastify's `req.url` or a one-line `url`).
    const parsed = logLines.map((line) => JSON.parse(line) as { level?: number; url?: string; req?: { url?: string } });
    const requestLines = parsed.filter((line) => (line.req?.url ?? line.url) === '/graphql');
    expect(requestLines.length).toBeGreaterThan(50);
    expect(parsed.some((line) => line.level === 20 || line.level === 30)).toBe(true);
    expect(answers.length).toBeGreaterThan(50);
    expect(harvested.auth0Management).toBeGreaterThan(0);
    expect(harvested.cfClient).toBeGreaterThan(0);
    expect(harvested.cfBasic).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(10);

    const leaks: string[] = [];
    const texts: Array<[string, string[]]> = [
      ['logs', logLines],
      ['answers and metrics', answers],
    ];
    for (const [name, value] of secrets) {
      // A JWT's signature alone is as good as a leak of the whole token.
      const needles = [value, ...(/^[\w-]+\.[\w-]+\.[\w-]{20,}$/.test(value) ? [value.split('.')[2]!] : [])];
      for (const [where, lines] of texts) {
        if (lines.some((line) => needles.some((needle) => line.includes(needle)))) leaks.push(`${name} in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
