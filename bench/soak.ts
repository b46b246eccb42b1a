/**
 * `npm run soak`: the built subgraph (production settings) as a child process, the provider
 * fakes in this process, and a steady, mixed load over loopback while the fakes misbehave at
 * random (429, 500, connection resets, delays, malformed JSON), chosen by a fixed-seed
 * generator so that a run can be repeated. It ends after SOAK_SECONDS (default 60) or
 * SOAK_MAX_REQUESTS requests, whichever comes first, prints a table and exits 1 when a
 * criterion fails:
 * - the subgraph never exits on its own (no crash), and exits 0 when told to stop;
 * - nothing it writes mentions an unhandled rejection or exception;
 * - its resident memory grows by at most 20% between the end of the warm-up and the end.
 *
 * Settings: SOAK_SECONDS, SOAK_MAX_REQUESTS, SOAK_CONCURRENCY (default 16), SOAK_SEED (42).
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { FakeAuth0 } from '../src/fakes/auth0/fake-auth0';
import {
  DEMO_AUTH0_ADMIN_USER_ID,
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_GOOGLE_USER_ID,
  DEMO_AUTH0_SIWE_USER_ID,
  DEMO_AUTH0_USER_ID,
} from '../src/fakes/auth0/seed';
import { FakeCloudFoundry } from '../src/fakes/cloudfoundry/fake-cloudfoundry';
import { DEMO_CF_COLLEAGUE_GUID, DEMO_CF_USER_GUID } from '../src/fakes/cloudfoundry/seed';
import type { Fault, FakeServer } from '../src/fakes/fake-server';
import { startFakes, type FakeFleet } from '../src/fakes/fleet';
import { FakeWacht } from '../src/fakes/wacht/fake-wacht';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT } from '../src/fakes/wacht/seed';
import { freePort, gauge, startNode, subgraphEnvironment } from './processes';

const SECONDS = positive('SOAK_SECONDS', 60);
const MAX_REQUESTS = positive('SOAK_MAX_REQUESTS', 2_000_000);
const CONCURRENCY = positive('SOAK_CONCURRENCY', 16);
const SEED = positive('SOAK_SEED', 42);
/** Memory is compared from the end of the warm-up on: start-up and first-use allocations are not growth. */
const WARM_UP_SECONDS = Math.min(10, Math.max(1, Math.floor(SECONDS / 2)));
const MAX_RSS_GROWTH = 0.2;
/** Short, so that injected delays beyond it turn into timeouts during the run. */
const UPSTREAM_TIMEOUT_MS = 1000;
/**
 * About one fault a second: often enough that every kind meets every route, rarely enough that
 * single faults exercise retries and partial results. A burst (5 consecutive failures) opens a
 * provider's circuit for 10 s, and the half-open probe may meet what is left of the burst: in a
 * run of 20–30 s, Cloud Foundry's circuit can be open for half of it (UPSTREAM_UNAVAILABLE,
 * "circuit open"), which is the breaker doing its job, not a failure of the soak.
 */
const FAULT_INTERVAL_MS = 500;
const FAULT_CHANCE = 0.5;
const BURST_CHANCE = 0.08;
const PROGRESS_INTERVAL_MS = 5000;
const CLIENT_TIMEOUT_MS = 15_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** What the subgraph would write if a promise rejection or an exception escaped it. */
const UNHANDLED = /Unhandled|unhandledRejection|uncaughtException/;

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// A fixed-seed generator: the same choices, in the same order, on every run
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, and good enough to pick load and faults. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = generator(seed);
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  /** An item chosen with probability proportional to its weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let roll = this.next() * items.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items.at(-1)![0];
  }
}

// ---------------------------------------------------------------------------------------------
// What the load sends
// ---------------------------------------------------------------------------------------------

const MEMBERSHIPS = (roles: boolean) => /* GraphQL */ `
  query Memberships($first: Int, $after: String, $last: Int, $filter: OrganizationFilter,
      $orderDirection: OrderDirection, $providers: [IdentityProvider!]) {
    myOrganizationMemberships(first: $first, after: $after, last: $last, filter: $filter,
        orderDirection: $orderDirection, providers: $providers) {
      totalCount unavailableProviders pageInfo { hasNextPage endCursor }
      nodes { id provider organization { id name status } ${roles ? 'roles { name permissions }' : ''} }
    }
  }`;
const USER_ORGANIZATIONS = /* GraphQL */ `
  query ($representations: [_Any!]!, $first: Int, $filter: OrganizationFilter) {
    _entities(representations: $representations) {
      ... on User { id organizations(first: $first, filter: $filter) { totalCount unavailableProviders nodes { id name } } }
    }
  }`;
const ORGANIZATIONS = /* GraphQL */ `
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organization { id name status } } }`;

interface Request {
  /** The body as sent (JSON, or something that is not, on purpose). */
  body: string;
  headers: Record<string, string>;
}

interface Credentials {
  auth0: string;
  auth0Admin: string;
  cloudFoundry: string;
  cloudFoundryAdmin: string;
  expired: string;
}

const json = { 'content-type': 'application/json' };
const gql = (query: string, variables: Record<string, unknown>, headers: Record<string, string>): Request => ({
  body: JSON.stringify({ query, variables }),
  headers: { ...json, ...headers },
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Organization ids seen in answers, for `_entities` of organizations (bounded: it must not be what grows). */
const organizationIds = new Set<string>(['wacht:org_123456789', 'auth0:org_unknown000000001', 'cloudfoundry:0badc0de-0000-4000-8000-000000000000']);
const MAX_KNOWN_IDS = 500;

function randomFilter(random: Random): Record<string, unknown> | undefined {
  return random.weighted<Record<string, unknown> | undefined>([
    [undefined, 4],
    [{ name: { gte: random.pick(['a', 'g', 'm', 'S']) } }, 2],
    [{ name: { lt: random.pick(['d', 'n', 'Z']) } }, 1],
    [{ status: { eq: random.pick(['ACTIVE', 'SUSPENDED']) } }, 1],
    [{ name: { in: ['acme', 'R&D', 'Globex', 'team;status:active'] } }, 1],
  ]);
}

function pageArguments(random: Random): Record<string, unknown> {
  return {
    ...(random.chance(0.15) ? { last: 1 + random.below(30) } : { first: 1 + random.below(50) }),
    orderDirection: random.pick(['ASC', 'DESC']),
    filter: randomFilter(random),
  };
}

type Scenario = 'auth0AndWacht' | 'cloudFoundry' | 'users' | 'organizations' | 'invalid';
const SCENARIOS: ReadonlyArray<readonly [Scenario, number]> = [
  ['auth0AndWacht', 25],
  ['cloudFoundry', 25],
  ['users', 15],
  ['organizations', 15],
  ['invalid', 20],
];

/** Requests the subgraph must refuse; they run under the same faults as everything else. */
function invalidRequest(random: Random, credentials: Credentials): Request {
  const token = bearer(credentials.auth0);
  return random.pick<() => Request>([
    () => gql(MEMBERSHIPS(false), { first: 101 }, token),
    () => gql(MEMBERSHIPS(false), { first: 5, after: 'bm90IGEgY3Vyc29y' }, token),
    () => gql(MEMBERSHIPS(false), { filter: { name: { in: ['a,b'] } } }, bearer(credentials.cloudFoundry)),
    () => gql(MEMBERSHIPS(false), {}, bearer('garbage.token.here')),
    () => gql(MEMBERSHIPS(false), {}, bearer(credentials.expired)),
    () => gql(MEMBERSHIPS(false), {}, { 'x-wacht-session': `${DEMO_WACHT_SESSION}; other=1` }),
    () => gql(MEMBERSHIPS(false), {}, {}),
    () => gql(ORGANIZATIONS, { representations: [{ __typename: 'Organization', id: 'nope:1' }] }, {}),
    () => gql(USER_ORGANIZATIONS, { representations: [{ __typename: 'User', id: DEMO_AUTH0_USER_ID }] }, bearer(credentials.cloudFoundry)),
    () => ({ body: '{"query": "{ myOrganizationMemberships { totalCount }', headers: { ...json, ...token } }),
    () => gql('{ myOrganizationMemberships(first: ) { totalCount } }', {}, token),
  ])();
}

/** One scenario: one request, or a short walk of pages (each page its own request). */
async function runScenario(random: Random, credentials: Credentials, send: (request: Request) => Promise<unknown>): Promise<void> {
  const scenario = random.weighted(SCENARIOS);
  switch (scenario) {
    case 'auth0AndWacht':
    case 'cloudFoundry': {
      const headers =
        scenario === 'auth0AndWacht'
          ? { ...bearer(credentials.auth0), 'x-wacht-session': random.pick([DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT]) }
          : bearer(credentials.cloudFoundry);
      const args = pageArguments(random);
      const roles = random.chance(0.3);
      // Walk forward up to three pages with the cursors the subgraph hands out.
      let after: string | undefined;
      for (let page = 0; page < 1 + random.below(3); page += 1) {
        const answer = (await send(gql(MEMBERSHIPS(roles), { ...args, ...(after ? { after } : {}) }, headers))) as any;
        const connection = answer?.data?.myOrganizationMemberships;
        for (const node of connection?.nodes ?? []) remember(node.organization?.id);
        if (!connection?.pageInfo?.hasNextPage || args['last'] !== undefined) break;
        after = connection.pageInfo.endCursor;
      }
      return;
    }
    case 'users': {
      const auth0 = random.chance(0.6);
      const ids = auth0
        ? [DEMO_AUTH0_USER_ID, DEMO_AUTH0_SIWE_USER_ID, DEMO_AUTH0_GOOGLE_USER_ID, DEMO_AUTH0_ADMIN_USER_ID, 'auth0|unknown-user']
        : [DEMO_CF_USER_GUID, DEMO_CF_COLLEAGUE_GUID];
      const representations = Array.from({ length: 1 + random.below(4) }, () => ({ __typename: 'User', id: random.pick(ids) }));
      const token = auth0 ? credentials.auth0Admin : credentials.cloudFoundryAdmin;
      await send(gql(USER_ORGANIZATIONS, { representations, first: 1 + random.below(20), filter: randomFilter(random) }, bearer(token)));
      return;
    }
    case 'organizations': {
      const known = [...organizationIds];
      const representations = Array.from({ length: 1 + random.below(5) }, () => ({ __typename: 'Organization', id: random.pick(known) }));
      await send(gql(ORGANIZATIONS, { representations }, {}));
      return;
    }
    case 'invalid':
      await send(invalidRequest(random, credentials));
      return;
  }
}

function remember(id: unknown): void {
  if (typeof id === 'string' && organizationIds.size < MAX_KNOWN_IDS) organizationIds.add(id);
}

// ---------------------------------------------------------------------------------------------
// Faults on the fakes
// ---------------------------------------------------------------------------------------------

type FaultKind = '429' | '500' | 'reset' | 'delay' | 'malformed JSON';
const FAULT_KINDS: readonly FaultKind[] = ['429', '500', 'reset', 'delay', 'malformed JSON'];
type FakeName = 'auth0' | 'cloudFoundry' | 'wacht';

/** Only the data routes: keys and machine tokens are cached, and their failures are other tests' concern. */
const DATA_ROUTES: Record<FakeName, RegExp> = {
  auth0: /^\/api\/v2\//,
  cloudFoundry: /^\/v2\/(?:users|organizations)\//,
  wacht: /^\/me\//,
};

function fault(random: Random, fake: FakeName, kind: FaultKind): Fault {
  const path = DATA_ROUTES[fake];
  // Mostly a blip that retries absorb; now and then a burst that outlasts them (and may open the circuit).
  const times = random.chance(BURST_CHANCE) ? 5 + random.below(16) : 1 + random.below(3);
  switch (kind) {
    case '429': {
      // Each provider's own 429 (body and headers), with a short Retry-After so retries can happen.
      const rateLimited =
        fake === 'auth0'
          ? FakeAuth0.rateLimited({ retryAfterSeconds: 1, resetInSeconds: 1, times })
          : fake === 'cloudFoundry'
            ? FakeCloudFoundry.rateLimited(1)
            : FakeWacht.rateLimited(1);
      return { ...rateLimited, path, times };
    }
    case '500':
      return { path, times, status: 500, body: { error: 'injected' } };
    case 'reset':
      return { path, times, reset: true };
    case 'delay':
      // Sometimes within the upstream timeout, sometimes beyond it.
      return { path, times, delayMs: 50 + random.below(UPSTREAM_TIMEOUT_MS + 500) };
    case 'malformed JSON':
      return { path, times, status: 200, rawBody: '{"organizations": [{"id": "org_' };
  }
}

// ---------------------------------------------------------------------------------------------
// The subgraph as a child process
// ---------------------------------------------------------------------------------------------

interface Child {
  process: ChildProcess;
  /** Exits before we asked it to stop. */
  crashes: number;
  /** Lines of its output that mention an unhandled rejection or exception. */
  unhandled: string[];
  stopping: boolean;
  exited: Promise<number | null>;
}

function startSubgraph(fakes: FakeFleet, port: number): Child {
  const process_ = startNode(
    'dist/src/main.js',
    { ...subgraphEnvironment(fakes, port), UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) },
    ['ignore', 'pipe', 'pipe'],
  );
  const child: Child = {
    process: process_,
    crashes: 0,
    unhandled: [],
    stopping: false,
    exited: new Promise((resolve) => process_.once('exit', (code: number | null) => resolve(code))),
  };
  // Both streams: Node reports unhandled rejections on stderr, pino logs on stdout.
  for (const stream of [process_.stdout, process_.stderr] as Readable[]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (UNHANDLED.test(line)) child.unhandled.push(line.slice(0, 300));
    });
  }
  process_.once('exit', (code, signal) => {
    if (!child.stopping) {
      child.crashes += 1;
      process.stderr.write(`soak: the subgraph exited on its own (code ${code}, signal ${signal})\n`);
    }
  });
  return child;
}

/** SIGTERM, then the exit code (null when it had to be killed). */
async function stopSubgraph(child: Child): Promise<number | null> {
  child.stopping = true;
  if (child.process.exitCode !== null) return child.process.exitCode;
  child.process.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS, 'timeout').unref());
  const outcome = await Promise.race([child.exited, timeout]);
  if (outcome === 'timeout') {
    child.process.kill('SIGKILL');
    return null;
  }
  return outcome;
}

async function waitUntilReady(url: string, child: Child): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.process.exitCode !== null) throw new Error('the subgraph exited during start-up');
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${url} did not become ready`);
}

/** The median of three samples of the resident set: one GC pause should not decide. */
async function residentBytes(metricsUrl: string): Promise<number> {
  const samples: number[] = [];
  for (let sample = 0; sample < 3; sample += 1) {
    samples.push(await gauge(metricsUrl, 'process_resident_memory_bytes'));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[1]!;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

interface Tally {
  sent: number;
  byStatus: Map<string, number>;
  byCode: Map<string, number>;
  transportErrors: number;
  faults: Map<string, number>;
  upstreamRequests: number;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

async function main(): Promise<void> {
  const fakes = await startFakes();
  // The fake meters a tenant's plan; here every 429 is one the soak injected on purpose.
  fakes.auth0.rateLimit = { limit: Number.MAX_SAFE_INTEGER, refillPerSecond: Number.MAX_SAFE_INTEGER };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startSubgraph(fakes, port);
  const tally: Tally = { sent: 0, byStatus: new Map(), byCode: new Map(), transportErrors: 0, faults: new Map(), upstreamRequests: 0 };
  let exitCode: number | null = null;
  const rss = { start: NaN, end: NaN };
  try {
    await waitUntilReady(`${base}/health/ready`, child);
    const lifetime = SECONDS + 600;
    const credentials: Credentials = {
      auth0: await fakes.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, expiresInSeconds: lifetime }),
      auth0Admin: await fakes.auth0.mintCallerToken(DEMO_AUTH0_ADMIN_USER_ID, {
        audience: DEMO_AUTH0_AUDIENCE,
        permissions: ['read:organizations'],
        expiresInSeconds: lifetime,
      }),
      cloudFoundry: await fakes.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { expiresInSeconds: lifetime }),
      cloudFoundryAdmin: await fakes.cloudFoundry.mintUserToken('5047a1d5-0000-4000-8000-00000000a0a0', {
        scopes: ['cloud_controller.admin'],
        expiresInSeconds: lifetime,
      }),
      expired: await fakes.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE, expiresInSeconds: -3600 }),
    };

    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    const send = async (request: Request): Promise<unknown> => {
      tally.sent += 1;
      try {
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
        });
        count(tally.byStatus, String(response.status));
        const text = await response.text();
        const answer = parseJson(text) as { errors?: Array<{ extensions?: { code?: unknown } }> } | undefined;
        for (const error of answer?.errors ?? []) count(tally.byCode, String(error.extensions?.code ?? '(none)'));
        return answer;
      } catch {
        tally.transportErrors += 1;
        return undefined;
      }
    };
    const running = () => performance.now() < deadline && tally.sent < MAX_REQUESTS && child.process.exitCode === null;

    const faults = injectFaults(new Random(SEED ^ 0x5eed), fakes, tally, running);
    const workers = Array.from({ length: CONCURRENCY }, async (_, index) => {
      // One generator per worker: the choices come from the seed (what they meet, answers and faults, from timing).
      const random = new Random(SEED + index + 1);
      while (running()) await runScenario(random, credentials, send);
    });
    const warmedUp = sleep(WARM_UP_SECONDS * 1000).then(async () => {
      if (running()) rss.start = await residentBytes(`${base}/metrics`);
    });
    const progress = reportProgress(`${base}/metrics`, tally, started, running);
    await Promise.all([...workers, faults, warmedUp, progress]);
    if (child.process.exitCode === null) rss.end = await residentBytes(`${base}/metrics`);
    tally.upstreamRequests += drainRecorded(fakes);
    const elapsed = (performance.now() - started) / 1000;
    exitCode = await stopSubgraph(child);
    const failed = report(tally, child, rss, exitCode, elapsed);
    process.exitCode = failed ? 1 : 0;
  } finally {
    if (child.process.exitCode === null) await stopSubgraph(child);
    await fakes.stop();
  }
}

/** Every FAULT_INTERVAL_MS, perhaps a fault on a fake, until the run ends. */
async function injectFaults(random: Random, fakes: FakeFleet, tally: Tally, running: () => boolean): Promise<void> {
  const names: readonly FakeName[] = ['auth0', 'cloudFoundry', 'wacht'];
  while (running()) {
    if (random.chance(FAULT_CHANCE)) {
      const fake = random.pick(names);
      const kind = random.pick(FAULT_KINDS);
      fakes[fake].fail(fault(random, fake, kind));
      count(tally.faults, kind);
    }
    tally.upstreamRequests += drainRecorded(fakes);
    await sleep(FAULT_INTERVAL_MS);
  }
}

/** A line every PROGRESS_INTERVAL_MS, so a long run shows where memory is heading (heap vs resident). */
async function reportProgress(metricsUrl: string, tally: Tally, started: number, running: () => boolean): Promise<void> {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  while (running()) {
    await sleep(PROGRESS_INTERVAL_MS);
    if (!running()) return;
    const [rss, heap] = await Promise.all([
      gauge(metricsUrl, 'process_resident_memory_bytes'),
      gauge(metricsUrl, 'nodejs_heap_size_used_bytes'),
    ]).catch(() => [NaN, NaN]);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stdout.write(`soak: ${seconds} s, ${tally.sent} requests, RSS ${mb(rss!)} MB, heap used ${mb(heap!)} MB\n`);
  }
}

/** The fakes record every request; counted and dropped here, so this process does not grow with the run. */
function drainRecorded(fakes: FakeFleet): number {
  const servers: FakeServer[] = [fakes.auth0, fakes.cloudFoundry, fakes.wacht];
  return servers.reduce((sum, server) => sum + server.requests.splice(0).length, 0);
}

function report(tally: Tally, child: Child, rss: { start: number; end: number }, exitCode: number | null, elapsed: number): boolean {
  const megabytes = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MB` : 'n/a');
  const growth = (rss.end - rss.start) / rss.start;
  const list = (map: Map<string, number>) =>
    [...map.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => `${key}: ${value}`)
      .join(', ') || 'none';
  const criteria: Array<[string, string, string, boolean]> = [
    ['subgraph crashes (exits on its own)', String(child.crashes), '= 0', child.crashes === 0],
    ['unhandled rejections / exceptions', String(child.unhandled.length), '= 0', child.unhandled.length === 0],
    [
      `RSS after ${WARM_UP_SECONDS} s warm-up → at end`,
      `${megabytes(rss.start)} → ${megabytes(rss.end)} (${Number.isFinite(growth) ? `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%` : 'n/a'})`,
      `≤ +${MAX_RSS_GROWTH * 100}%`,
      Number.isFinite(growth) && growth <= MAX_RSS_GROWTH,
    ],
    ['exit code on SIGTERM', String(exitCode), '= 0', exitCode === 0],
  ];
  const rows: Array<[string, string, string]> = [
    ['duration', `${elapsed.toFixed(1)} s (seed ${SEED}, ${CONCURRENCY} concurrent)`, ''],
    ['requests sent', `${tally.sent} (${(tally.sent / elapsed).toFixed(0)}/s)`, ''],
    ['answers by HTTP status', list(tally.byStatus), ''],
    ['GraphQL errors by extensions.code', list(tally.byCode), ''],
    ['no answer (transport errors)', String(tally.transportErrors), ''],
    ['faults injected', list(tally.faults), ''],
    ['upstream requests received by the fakes', String(tally.upstreamRequests), ''],
    ...criteria.map(([measure, value, target, met]): [string, string, string] => [measure, value, `${target} ${met ? '✅' : '❌'}`]),
  ];
  const lines = ['| measure | value | criterion |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  for (const line of child.unhandled.slice(0, 5)) process.stdout.write(`unhandled: ${line}\n`);
  return criteria.some(([, , , met]) => !met);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
