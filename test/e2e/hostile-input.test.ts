/**
 * Hostile and malformed input, through the real HTTP server with every provider fake behind
 * it. The server runs with production settings (no stack traces, no field suggestions), as
 * it would face the internet. Each case is one row of a table, grouped by kind.
 *
 * A refused row must get a clear GraphQL error (the contract's `extensions.code` where it
 * defines one, never a masked INTERNAL_SERVER_ERROR), nothing internal in the body, and must
 * cause no upstream request at all. A row the contract answers (odd ids, filter values with
 * `q` syntax) must get the contract's data, and the upstream requests it causes are compared
 * with the exact raw path and the `q` values they must carry. After each group the server
 * must still be live; after the whole corpus, every request any fake received and every body
 * the subgraph answered are checked once more.
 */
import { resolve } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import {
  DEMO_AUTH0_ADMIN_USER_ID,
  DEMO_AUTH0_AUDIENCE,
  DEMO_AUTH0_CLIENT_SECRET,
  DEMO_AUTH0_GOOGLE_USER_ID,
  DEMO_AUTH0_USER_ID,
} from '../../src/fakes/auth0/seed';
import { DEMO_CF_CLIENT_SECRET, DEMO_CF_USER_GUID } from '../../src/fakes/cloudfoundry/seed';
import type { CallerTokenOptions } from '../../src/fakes/auth0/fake-auth0';
import type { RecordedRequest } from '../../src/fakes/fake-server';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT } from '../../src/fakes/wacht/seed';
import { startHarness, type Harness } from '../support/harness';

// ---------------------------------------------------------------------------------------------
// Sending requests and reading answers
// ---------------------------------------------------------------------------------------------

/** One HTTP request to the subgraph, exactly as a hostile client would send it. */
interface Probe {
  method?: 'GET' | 'POST';
  /** Path and query (default `/graphql`). */
  path?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface AnswerBody {
  data?: unknown;
  errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }>;
}

interface Answer {
  status: number;
  text: string;
  /** Undefined when the body is not JSON. */
  json: AnswerBody | undefined;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A GraphQL POST as a well-behaved client sends it; hostile parts go in the arguments. */
function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Probe {
  // JSON.stringify writes lone surrogates as `\ud800` escapes: they reach the server intact.
  return { headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ query, variables }) };
}

/** A body sent as is, with the content type given (JSON unless said otherwise). */
function raw(body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE): Probe {
  return { headers, body };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// ---------------------------------------------------------------------------------------------
// Operations the rows send
// ---------------------------------------------------------------------------------------------

const MEMBERSHIPS = /* GraphQL */ `
  query Memberships($first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter,
      $orderDirection: OrderDirection, $providers: [IdentityProvider!]) {
    myOrganizationMemberships(first: $first, after: $after, last: $last, before: $before, filter: $filter,
        orderDirection: $orderDirection, providers: $providers) {
      totalCount unavailableProviders nodes { organization { name } } pageInfo { endCursor }
    }
  }`;

const USER_ORGANIZATIONS = /* GraphQL */ `
  query UserOrganizations($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on User { organizations(first: $first, after: $after) { totalCount unavailableProviders nodes { id } pageInfo { endCursor } } }
    }
  }`;

const ORGANIZATIONS = /* GraphQL */ `
  query Organizations($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Organization { id name } }
  }`;

const TOTAL_ONLY = '{ myOrganizationMemberships { totalCount } }';

/** What a refused field leaves in `data`. */
const NO_MEMBERSHIPS = { myOrganizationMemberships: null };
const NO_USER_ORGANIZATIONS = { _entities: [{ organizations: null }] };
const NO_ORGANIZATION = { _entities: [null] };
/** A connection the contract answers empty (an id no provider owns, a user a provider does not know). */
const EMPTY_USER_ORGANIZATIONS = {
  _entities: [{ organizations: { totalCount: 0, unavailableProviders: [], nodes: [], pageInfo: { endCursor: null } } }],
};
/** Only Wacht was asked and its session was refused before any call. */
const WACHT_REFUSED = {
  myOrganizationMemberships: { totalCount: 0, unavailableProviders: ['WACHT'], nodes: [], pageInfo: { endCursor: null } },
};

const memberships = (variables: Record<string, unknown>, headers: Record<string, string>) =>
  gql(MEMBERSHIPS, variables, headers);
const userOrganizations = (representation: unknown, headers: Record<string, string>, variables: Record<string, unknown> = {}) =>
  gql(USER_ORGANIZATIONS, { representations: [representation], first: 2, ...variables }, headers);
const organization = (representation: unknown, headers: Record<string, string> = {}) =>
  gql(ORGANIZATIONS, { representations: [representation] }, headers);

// ---------------------------------------------------------------------------------------------
// The world the rows are built in: tokens and cursors minted once the fakes run
// ---------------------------------------------------------------------------------------------

/** The credentials the rows present: good ones, and each way a bearer token can be bad. */
type TokenName =
  | 'auth0'
  | 'admin'
  | 'otherAuth0User'
  | 'lookalikeScope'
  | 'upperCasePermission'
  | 'cloudFoundry'
  | 'expired'
  | 'wrongAudience'
  | 'unknownIssuer'
  | 'loopbackIssuer'
  | 'unknownKid'
  | 'hs256'
  | 'none'
  | 'foreignKey'
  | 'tamperedPayload'
  | 'tamperedSignature'
  | 'cloudFoundryExpired'
  | 'cloudFoundryForeignIssuer';

/** Genuine cursors: of the plain list, and of lists with other arguments. */
type CursorName = 'plain' | 'descending' | 'auth0Only' | 'filtered' | 'userList';

interface World {
  tokens: Record<TokenName, string>;
  cursors: Record<CursorName, string>;
  /** The plain cursor's fingerprint (the list's arguments), to forge cursors around it. */
  fingerprint: string;
}

let harness: Harness;
let world: World;
/** Every body the subgraph answered during the corpus, for the secrets scan. */
const answered: string[] = [];

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The JWT with its `part` (0 header, 1 payload, 2 signature) replaced. */
function flipInPart(token: string, part: number, replacement: (segment: string) => string): string {
  const parts = token.split('.');
  parts[part] = replacement(parts[part]!);
  return parts.join('.');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** `text` with the character at `index` replaced by the next one in the base64url alphabet. */
function flipAt(text: string, index: number): string {
  const next = BASE64URL[(BASE64URL.indexOf(text[index]!) + 1) % BASE64URL.length]!;
  return `${text.slice(0, index)}${next}${text.slice(index + 1)}`;
}

async function mintTokens(h: Harness): Promise<Record<TokenName, string>> {
  const auth0 = (sub: string, options: Partial<CallerTokenOptions> = {}) =>
    h.auth0.mintCallerToken(sub, { audience: DEMO_AUTH0_AUDIENCE, ...options });
  const demo = await auth0(DEMO_AUTH0_USER_ID);
  const tenantKid = h.auth0.jwks().keys.at(-1)!.kid!;
  // RS256 with the tenant's key id, signed by a key the tenant never published: a bad signature.
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const foreignKey = await new SignJWT({ sub: DEMO_AUTH0_USER_ID, aud: DEMO_AUTH0_AUDIENCE, iss: h.auth0.issuer })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: tenantKid })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    iss: h.auth0.issuer,
    sub: DEMO_AUTH0_USER_ID,
    aud: DEMO_AUTH0_AUDIENCE,
    exp: now + 3600,
  })}.`;
  const tokens: Record<TokenName, string> = {
    auth0: demo,
    admin: await auth0(DEMO_AUTH0_ADMIN_USER_ID, { permissions: ['read:organizations'] }),
    otherAuth0User: await auth0(DEMO_AUTH0_GOOGLE_USER_ID),
    lookalikeScope: await auth0(DEMO_AUTH0_GOOGLE_USER_ID, { scope: 'read:organizationsX read:organization' }),
    upperCasePermission: await auth0(DEMO_AUTH0_GOOGLE_USER_ID, { permissions: ['READ:ORGANIZATIONS'] }),
    cloudFoundry: await h.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID),
    // Beyond the verifier's 30 s clock tolerance.
    expired: await auth0(DEMO_AUTH0_USER_ID, { expiresInSeconds: -3600 }),
    wrongAudience: await auth0(DEMO_AUTH0_USER_ID, { audience: 'https://other-api.example.com/' }),
    unknownIssuer: await auth0(DEMO_AUTH0_USER_ID, { issuer: 'https://evil.example.com/' }),
    // An issuer on loopback that serves nothing: the subgraph must not go and fetch keys there.
    loopbackIssuer: await auth0(DEMO_AUTH0_USER_ID, { issuer: `${h.wacht.url}/` }),
    unknownKid: await auth0(DEMO_AUTH0_USER_ID, { kid: 'not-a-published-key' }),
    hs256: await auth0(DEMO_AUTH0_USER_ID, { algorithm: 'HS256' }),
    none,
    foreignKey,
    // Claims an administrator's identity and permission under the demo user's signature.
    tamperedPayload: flipInPart(demo, 1, (payload) =>
      b64url({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        sub: DEMO_AUTH0_ADMIN_USER_ID,
        permissions: ['read:organizations'],
      }),
    ),
    tamperedSignature: flipInPart(demo, 2, (signature) => flipAt(signature, Math.floor(signature.length / 2))),
    cloudFoundryExpired: await h.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { expiresInSeconds: -3600 }),
    cloudFoundryForeignIssuer: await h.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { issuer: 'https://uaa.evil.example.com/oauth/token' }),
  };
  return tokens;
}

/** Genuine cursors of lists with other arguments, from real answers. */
async function mintCursors(tokens: Record<TokenName, string>): Promise<Record<CursorName, string>> {
  const endCursor = async (probe: Probe, pick: (data: any) => any): Promise<string> => {
    const answer = await send(probe);
    const cursor = pick(answer.json?.data)?.pageInfo?.endCursor;
    if (typeof cursor !== 'string') throw new Error(`no cursor in ${answer.text}`);
    return cursor;
  };
  const mine = (variables: Record<string, unknown>) =>
    endCursor(memberships({ first: 2, ...variables }, bearer(tokens.auth0)), (data) => data.myOrganizationMemberships);
  return {
    plain: await mine({}),
    descending: await mine({ orderDirection: 'DESC' }),
    auth0Only: await mine({ providers: ['AUTH0'] }),
    filtered: await mine({ filter: { name: { gte: 'a' } } }),
    userList: await endCursor(
      userOrganizations({ __typename: 'User', id: DEMO_AUTH0_USER_ID }, bearer(tokens.auth0)),
      (data) => data._entities[0].organizations,
    ),
  };
}

async function send(probe: Probe): Promise<Answer> {
  const method = probe.method ?? 'POST';
  const response = await fetch(`${harness.url}${probe.path ?? '/graphql'}`, {
    method,
    headers: probe.headers,
    body: method === 'GET' ? undefined : probe.body,
  });
  const text = await response.text();
  answered.push(text);
  let json: AnswerBody | undefined;
  try {
    json = JSON.parse(text) as AnswerBody;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

beforeAll(async () => {
  harness = await startHarness({ production: true });
  const tokens = await mintTokens(harness);
  const cursors = await mintCursors(tokens);
  world = { tokens, cursors, fingerprint: Buffer.from(cursors.plain, 'base64url').toString('utf8').split(':')[1]! };
});
afterAll(() => harness?.close());

// ---------------------------------------------------------------------------------------------
// What reached the providers
// ---------------------------------------------------------------------------------------------

type FakeName = 'auth0' | 'cloudFoundry' | 'wacht';
const FAKE_NAMES: readonly FakeName[] = ['auth0', 'cloudFoundry', 'wacht'];

/**
 * Keys, discovery and machine tokens: what verifying a token or calling as the subgraph needs,
 * never built from a request's input. Everything else is a data request.
 */
const KEY_ROUTES = /^\/(?:\.well-known\/jwks\.json|oauth\/token|uaa\/token_keys|uaa\/oauth\/token|v2\/info)$/;

interface Upstream {
  fake: FakeName;
  request: RecordedRequest;
}

type Mark = Record<FakeName, number>;
const mark = (): Mark => Object.fromEntries(FAKE_NAMES.map((fake) => [fake, harness[fake].requests.length])) as Mark;
/** Data requests the fakes received since `from`. */
function dataRequestsSince(from: Mark): Upstream[] {
  return FAKE_NAMES.flatMap((fake) =>
    harness[fake].requests
      .slice(from[fake])
      .filter((request) => !KEY_ROUTES.test(request.rawPath))
      .map((request) => ({ fake, request })),
  );
}
const describeUpstream = (upstream: Upstream[]) => upstream.map(({ fake, request }) => `${fake} ${request.method} ${request.rawUrl}`);

// ---------------------------------------------------------------------------------------------
// Row kinds and their assertions
// ---------------------------------------------------------------------------------------------

/** The codes the contract defines for these inputs. */
/** The contract's codes, and Apollo's for an operation refused before it runs. */
type ContractCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'GRAPHQL_VALIDATION_FAILED';

interface Refusal {
  name: string;
  probe: (world: World) => Probe;
  /** HTTP status: 400 (or 413/415) for body, parse and validation problems, 200 for field errors. */
  status: number | readonly number[];
  /** `extensions.code` of the first error, where the contract defines it. */
  code?: ContractCode;
  /** `data` of a 200 answer (a 400 answer has none). */
  data?: unknown;
  /** The first error's message, where its wording matters. */
  message?: RegExp;
}

/** Stack frames, source paths or the checkout's location: none may reach a client. */
const INTERNALS = new RegExp(
  [
    String.raw`stacktrace`,
    String.raw`\bat \S+ \(`,
    String.raw`node_modules`,
    String.raw`\.[jt]s:\d+`,
    escapeRegExp(resolve(__dirname, '..', '..')),
  ].join('|'),
  'i',
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function expectRefused(row: Refusal): Promise<void> {
  const before = mark();
  const answer = await send(row.probe(world));
  const first = answer.json?.errors?.[0];
  const statuses = typeof row.status === 'number' ? [row.status] : row.status;
  // One object, so a failure prints everything about the answer at once (the body included).
  expect({
    status: answer.status,
    message: first?.message,
    code: first?.extensions?.['code'],
    body: answer.text.slice(0, 600),
  }).toEqual({
    // The status as received when it is one of those allowed, else the first allowed (to show the mismatch).
    status: statuses.includes(answer.status) ? answer.status : statuses[0],
    message: expect.stringMatching(row.message ?? /\S/),
    // A client's mistake is never the server's fault, and never a masked "Internal server error".
    code: row.code ?? expect.not.stringMatching(/^INTERNAL_SERVER_ERROR$/),
    body: expect.any(String),
  });
  if (answer.status === 200) {
    expect(answer.json?.data).toEqual(row.data);
  } else {
    expect(answer.json).not.toHaveProperty('data');
  }
  expect(answer.text).not.toMatch(INTERNALS);
  expect(describeUpstream(dataRequestsSince(before))).toEqual([]);
}

/** A data request the row must cause: the raw path as sent and, for Cloud Foundry, `q` parsed back. */
interface ExpectedUpstream {
  fake: FakeName;
  rawPath: string;
  q?: string[];
}

interface Escape {
  name: string;
  probe: (world: World) => Probe;
  data: unknown;
  /** Exactly these data requests, in any order, each at least once; none other. */
  upstream: ExpectedUpstream[];
}

async function expectEscaped(row: Escape): Promise<void> {
  const before = mark();
  const answer = await send(row.probe(world));
  expect({ status: answer.status, errors: answer.json?.errors }).toEqual({ status: 200, errors: undefined });
  expect(answer.json?.data).toEqual(row.data);
  expect(answer.text).not.toMatch(INTERNALS);
  const seen = dataRequestsSince(before).map(({ fake, request }) => ({
    fake,
    rawPath: request.rawPath,
    ...(fake === 'cloudFoundry' ? { q: request.query.getAll('q') } : {}),
  }));
  // A page may read the same upstream page twice at most; what matters is which requests, so distinct and sorted.
  const sorted = (requests: object[]) => [...new Set(requests.map((request) => JSON.stringify(request)))].sort();
  expect(sorted(seen)).toEqual(sorted(row.upstream));
}

async function expectLive(): Promise<void> {
  const response = await fetch(`${harness.url}/health/live`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
}

const corpus: { refused: number; escaped: number } = { refused: 0, escaped: 0 };

function refusals(group: string, rows: Refusal[]): void {
  corpus.refused += rows.length;
  describe(group, () => {
    it.each(rows)('$name', expectRefused);
    it('leaves the server live', expectLive);
  });
}

function escapes(group: string, rows: Escape[]): void {
  corpus.escaped += rows.length;
  describe(group, () => {
    it.each(rows)('$name', expectEscaped);
    it('leaves the server live', expectLive);
  });
}

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

const VALID = JSON.stringify({ query: TOTAL_ONLY });

refusals('invalid JSON bodies', [
  ...(
    [
      ['an unfinished object', '{'],
      ['an empty body', ''],
      ['a truncated document', VALID.slice(0, -2)],
      ['single quotes', "{'query': '{ __typename }'}"],
      ['a trailing comma', '{"query": "{ __typename }",}'],
      ['NaN as a value', '{"query": "{ __typename }", "variables": {"first": NaN}}'],
      ['a __proto__ key', '{"query": "{ __typename }", "__proto__": {"polluted": true}}'],
      ['a constructor.prototype key', '{"query": "{ __typename }", "constructor": {"prototype": {"polluted": true}}}'],
      ['JSON null', 'null'],
      ['a JSON string', '"{ __typename }"'],
      ['a JSON number', '42'],
      ['a numeric query', '{"query": 5}'],
      ['a null query', '{"query": null}'],
      ['a query in an array', '{"query": ["{ __typename }"]}'],
      ['variables as a JSON-encoded string', JSON.stringify({ query: TOTAL_ONLY, variables: '{"first": 1}' })],
      ['variables as an array', JSON.stringify({ query: TOTAL_ONLY, variables: [1] })],
    ] as const
  ).map(([name, body]): Refusal => ({ name, probe: () => raw(body), status: 400 })),
  { name: 'bytes that are not UTF-8', probe: () => raw(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), status: 400 },
  {
    name: 'GET with variables that are not JSON',
    probe: () => ({
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(TOTAL_ONLY)}&variables=%7Bfirst%3A`,
      headers: { 'apollo-require-preflight': 'true' },
    }),
    status: 400,
  },
]);

refusals('wrong content types', [
  ...(
    [
      ['text/plain (a CSRF simple request)', 'text/plain', 400],
      ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 415],
      ['multipart/form-data', 'multipart/form-data; boundary=x', 415],
      ['application/xml', 'application/xml', 415],
      ['text/html', 'text/html', 415],
      ['application/graphql', 'application/graphql', 415],
      ['two types in one header', 'application/json, text/plain', 415],
    ] as const
  ).map(([name, type, status]): Refusal => ({ name, probe: () => raw(VALID, { 'content-type': type }), status })),
  // Bytes, because fetch labels a string body text/plain on its own.
  { name: 'no content type at all', probe: () => raw(new TextEncoder().encode(VALID), {}), status: [400, 415] },
  {
    name: 'GET without a preflight header (a CSRF simple request)',
    probe: () => ({ method: 'GET', path: `/graphql?query=${encodeURIComponent(TOTAL_ONLY)}`, headers: {} }),
    status: 400,
  },
]);

/** Each a variable of the wrong type for its declaration: refused while coercing, before execution. */
refusals('wrong variable types', [
  ...(
    [
      ['a string for first: Int', { first: '5' }],
      ['a float for first: Int', { first: 1.5 }],
      ['a boolean for first: Int', { first: true }],
      ['an object for first: Int', { first: {} }],
      ['2^31 for first: Int (not 32-bit)', { first: 2 ** 31 }],
      ['an object for orderDirection: enum', { orderDirection: { ASC: true } }],
      ['a lowercase enum value', { orderDirection: 'asc' }],
      ['an unknown provider', { providers: ['OKTA'] }],
      ['null inside [IdentityProvider!]', { providers: [null] }],
      ['a nested list for providers', { providers: [['AUTH0']] }],
      ['an array for after: String', { after: ['x'] }],
      ['a number for after: String', { after: 7 }],
      ['a string for filter: input', { filter: 'name' }],
      ['a number for filter.name.eq', { filter: { name: { eq: 5 } } }],
      ['an object for filter.status.eq: enum', { filter: { status: { eq: { ACTIVE: true } } } }],
      ['a lowercase status', { filter: { status: { eq: 'active' } } }],
      ['an unknown filter field', { filter: { plan: { eq: 'gold' } } }],
      ['null inside in: [String!]', { filter: { name: { in: ['a', null] } } }],
    ] as const
  ).map(([name, variables]): Refusal => ({
    name,
    probe: (w) => memberships(variables, bearer(w.tokens.auth0)),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  {
    name: 'null for representations: [_Any!]!',
    probe: (w) => gql(USER_ORGANIZATIONS, { representations: null }, bearer(w.tokens.admin)),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'null inside representations: [_Any!]!',
    probe: (w) => gql(USER_ORGANIZATIONS, { representations: [null] }, bearer(w.tokens.admin)),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a non-null variable not given',
    probe: (w) => gql(USER_ORGANIZATIONS, {}, bearer(w.tokens.admin)),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a string literal for first (in the document)',
    probe: (w) => gql('{ myOrganizationMemberships(first: "5") { totalCount } }', undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
  {
    name: 'an enum literal in quotes (in the document)',
    probe: (w) => gql('{ myOrganizationMemberships(orderDirection: "ASC") { totalCount } }', undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
]);

const TEN_KB = 'n'.repeat(10 * 1024);
const ONE_MB = 'n'.repeat(1024 * 1024);
refusals('huge strings', [
  {
    name: 'a 1 MB name (over the 256 KiB body limit)',
    probe: (w) => memberships({ filter: { name: { eq: ONE_MB } } }, bearer(w.tokens.auth0)),
    status: 413,
  },
  {
    name: 'a 300 KB document',
    probe: (w) => gql(`{ __typename }${' '.repeat(300 * 1024)}`, undefined, bearer(w.tokens.auth0)),
    status: 413,
  },
  ...(
    [
      ['a 10 KB name.eq', { name: { eq: TEN_KB } }],
      ['a 10 KB name.gte', { name: { gte: TEN_KB } }],
      ['a 10 KB value in name.in', { name: { in: ['acme', TEN_KB] } }],
      ['a 10 KB userGuid.eq', { userGuid: { eq: TEN_KB } }],
      ['a 10 KB spaceGuid.in value', { spaceGuid: { in: [TEN_KB] } }],
    ] as const
  ).map(([name, filter]): Refusal => ({
    name,
    probe: (w) => memberships({ filter }, bearer(w.tokens.auth0)),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_MEMBERSHIPS,
  })),
  {
    name: 'a 10 KB cursor',
    probe: (w) => memberships({ first: 2, after: 'A'.repeat(10 * 1024) }, bearer(w.tokens.auth0)),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_MEMBERSHIPS,
  },
  {
    name: 'a 10 KB bearer token',
    probe: () => memberships({}, bearer(`${'a'.repeat(5 * 1024)}.${'b'.repeat(5 * 1024)}.c`)),
    status: 200,
    code: 'UNAUTHENTICATED',
    data: NO_MEMBERSHIPS,
  },
  {
    name: 'a 10 KB Wacht session',
    probe: () => memberships({}, { 'x-wacht-session': 's'.repeat(10 * 1024) }),
    status: 200,
    code: 'UNAUTHENTICATED',
    data: WACHT_REFUSED,
  },
]);

/** `depth` levels of `open`, then `leaf`, then `depth` levels of `close`. */
const nest = (depth: number, open: string, leaf: string, close: string) => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
const DEEP = '"<deep>"';
/**
 * The probe with the string "<deep>" in its JSON body replaced by an array nested `depth`
 * deep, written as text: JSON.stringify of such a value would overflow the test's own stack.
 */
function withDeepArray(probe: Probe, depth: number): Probe {
  return { ...probe, body: String(probe.body).replace(DEEP, nest(depth, '[', '', ']')) };
}
const deep = JSON.parse(DEEP) as string;

refusals('deep nesting', [
  {
    name: 'a selection set under a scalar',
    probe: (w) => gql('{ myOrganizationMemberships { totalCount { value } } }', undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
  {
    name: '3000 nested braces',
    probe: (w) => gql(`{ __typename ${nest(3000, '{ ', 'x', ' }')} }`, undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
  {
    name: 'introspection 12 levels of fields { type { … } }',
    probe: (w) => gql(`{ __schema { types { ${nest(12, 'fields { type { ', 'name', ' } }')} } } }`, undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
  {
    name: 'a filter value nested 100 000 arrays deep',
    probe: (w) => withDeepArray(memberships({ filter: { name: { eq: deep } } }, bearer(w.tokens.auth0)), 100_000),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an input object literal nested 200 levels',
    probe: (w) =>
      gql(`{ myOrganizationMemberships(filter: { name: ${nest(200, '{ eq: ', '"x"', ' }')} }) { totalCount } }`, undefined, bearer(w.tokens.auth0)),
    status: 400,
  },
  {
    name: 'a User representation whose id is nested 100 000 arrays deep',
    probe: (w) => withDeepArray(userOrganizations({ __typename: 'User', id: deep }, bearer(w.tokens.admin)), 100_000),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
]);

const aliases = (count: number, field: string, prefix = 'a') =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}: ${field}`).join(' ');
refusals('alias floods', [
  ...(
    [
      ['31 aliases of the connection', `{ ${aliases(31, 'myOrganizationMemberships { totalCount }')} }`],
      // graphql-armor lets aliases of __typename through (they cost nothing); _service's SDL is ~10 KB each.
      ['100 aliases of _service { sdl }', `{ ${aliases(100, '_service { sdl }')} }`],
      [
        '31 aliases spread over two fragments',
        `{ ...A ...B } fragment A on Query { ${aliases(16, 'myOrganizationMemberships { totalCount }')} }
         fragment B on Query { ${aliases(15, 'myOrganizationMemberships { totalCount }', 'b')} }`,
      ],
      ['31 aliases of _entities', `{ ${aliases(31, '_entities(representations: []) { __typename }')} }`],
    ] as const
  ).map(([name, query]): Refusal => ({ name, probe: (w) => gql(query, undefined, bearer(w.tokens.auth0)), status: 400 })),
  {
    name: '30 connections of 100 with roles (over the cost limit)',
    probe: (w) =>
      gql(`{ ${aliases(30, 'myOrganizationMemberships(first: 100) { edges { node { roles { permissions } organization { id } } } }')} }`, undefined, bearer(w.tokens.auth0)),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    // The query parsed: no "Syntax Error" (graphql-armor's wording) for a query refused for its cost.
    message: /^Query Cost limit of 20000 exceeded, found \d/,
  },
]);

refusals('directive floods', [
  ...(
    [
      ['51 @include on one field', `{ myOrganizationMemberships ${'@include(if: true) '.repeat(51)}{ totalCount } }`],
      ['51 fields with @skip(if: false)', `{ ${'__typename @skip(if: false) '.repeat(51)} }`],
      ['100 unknown directives', `{ __typename ${'@x '.repeat(100)}}`],
      ['51 @include on a fragment spread', `{ ...F ${'@include(if: true) '.repeat(51)}} fragment F on Query { __typename }`],
    ] as const
  ).map(([name, query]): Refusal => ({ name, probe: (w) => gql(query, undefined, bearer(w.tokens.auth0)), status: 400 })),
]);

refusals('token floods and syntax errors', [
  ...(
    [
      ['5001 tokens', `{ ${'__typename '.repeat(5001)}}`],
      ['an unclosed selection set', 'query {'],
      ['a missing argument value', '{ myOrganizationMemberships(first: ) { totalCount } }'],
      ['an unterminated string', '{ myOrganizationMemberships(after: "abc) { totalCount } }'],
      ['closing braces only', '}}}}'],
      ['a bare word', 'hello'],
    ] as const
  ).map(([name, query]): Refusal => ({ name, probe: (w) => gql(query, undefined, bearer(w.tokens.auth0)), status: 400 })),
]);

refusals('batched arrays', [
  ...(
    [
      ['an empty batch', '[]'],
      ['a batch of one', JSON.stringify([{ query: TOTAL_ONLY }])],
      ['a batch of 100', JSON.stringify(Array.from({ length: 100 }, () => ({ query: TOTAL_ONLY })))],
      ['a nested batch', JSON.stringify([[{ query: TOTAL_ONLY }]])],
      ['a batch of nulls', '[null, null]'],
    ] as const
  ).map(([name, body]): Refusal => ({ name, probe: (w) => raw(body, { ...JSON_TYPE, ...bearer(w.tokens.auth0) }), status: 400 })),
]);

refusals('introspection variants', [
  ...(
    [
      ['deep introspection through fragments', '{ __schema { types { ...A } } } fragment A on __Type { fields { type { ...B } } } fragment B on __Type { fields { type { ...C } } } fragment C on __Type { fields { type { fields { type { name } } } } }'],
      ['a cycle of introspection fragments', '{ __schema { types { ...A } } } fragment A on __Type { fields { type { ...A } } }'],
      ['__type without its name', '{ __type { name } }'],
      ['__type with a numeric name', '{ __type(name: 5) { name } }'],
      ['an unknown introspection field', '{ __schema { secrets } }'],
      ['31 aliases of __schema', `{ ${aliases(31, '__schema { queryType { name } }')} }`],
    ] as const
  ).map(([name, query]): Refusal => ({ name, probe: () => gql(query), status: 400 })),
]);

refusals('operation selection', [
  {
    name: 'two operations and no operationName',
    probe: () => ({ headers: JSON_TYPE, body: JSON.stringify({ query: 'query A { __typename } query B { __typename }' }) }),
    status: 400,
  },
  {
    name: 'an unknown operationName',
    probe: () => ({ headers: JSON_TYPE, body: JSON.stringify({ query: 'query A { __typename }', operationName: 'Z' }) }),
    status: 400,
  },
  { name: 'a mutation (the schema has none)', probe: () => gql('mutation { deleteEverything }'), status: [200, 400], data: null },
  { name: 'a subscription (the schema has none)', probe: () => gql('subscription { everything }'), status: [200, 400], data: null },
  {
    name: 'a persisted-query hash that does not match the query',
    probe: () => ({
      headers: JSON_TYPE,
      body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
    }),
    status: 400,
  },
]);

/** Forged cursors around the plain list's fingerprint: each must be refused as not this list's. */
const forged = (w: World, text: string) => b64url(text.replace('FP', w.fingerprint));
refusals('tampered, foreign and garbage cursors', [
  // The first 20 characters encode `c1:<fingerprint>:` (15 bytes, no padding): any flip there changes them.
  ...[0, 2, 5, 11, 19].map(
    (index): Refusal => ({
      name: `the plain cursor with character ${index} flipped`,
      probe: (w) => memberships({ first: 2, after: flipAt(w.cursors.plain, index) }, bearer(w.tokens.auth0)),
      status: 200,
      code: 'BAD_USER_INPUT',
      data: NO_MEMBERSHIPS,
    }),
  ),
  ...(
    [
      ['base64 of junk', () => b64url('junk')],
      ['base64 of JSON', () => b64url({ offset: 0 })],
      ['another version', (w: World) => forged(w, 'c2:FP:0:1.0.0')],
      ['a negative position', (w: World) => forged(w, 'c1:FP:0:-1.0.0')],
      ['a huge position', (w: World) => forged(w, 'c1:FP:0:99999999.0.0')],
      ['a position in exponent notation', (w: World) => forged(w, 'c1:FP:0:1e3.0.0')],
      ['a provider index out of range', (w: World) => forged(w, 'c1:FP:7:1.0.0')],
      ['two positions instead of three', (w: World) => forged(w, 'c1:FP:0:1.0')],
      ['no positions', (w: World) => forged(w, 'c1:FP:0:')],
      ['an extra part', (w: World) => forged(w, 'c1:FP:0:1.0.0:x')],
      ['a fingerprint of another length', () => b64url('c1:short:0:1.0.0')],
      ['an empty string', () => ''],
      ['characters outside base64url', () => '!!!$$$'],
      ['standard base64 with padding', (w: World) => Buffer.from(`c1:${w.fingerprint}:0:1.0.0`).toString('base64').replace(/=*$/, '==')],
      ['a cursor of another order', (w: World) => w.cursors.descending],
      ['a cursor of other providers', (w: World) => w.cursors.auth0Only],
      ['a cursor of another filter', (w: World) => w.cursors.filtered],
      ['a cursor of User.organizations', (w: World) => w.cursors.userList],
    ] as const
  ).map(([name, cursor]): Refusal => ({
    name,
    probe: (w) => memberships({ first: 2, after: cursor(w) }, bearer(w.tokens.auth0)),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_MEMBERSHIPS,
  })),
  {
    name: 'a cursor of myOrganizationMemberships used on User.organizations',
    probe: (w) =>
      userOrganizations({ __typename: 'User', id: DEMO_AUTH0_USER_ID }, bearer(w.tokens.auth0), { after: w.cursors.plain }),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_USER_ORGANIZATIONS,
  },
]);

refusals('first and last out of range', [
  ...(
    [
      ['first: -1', { first: -1 }],
      ['first: 101', { first: 101 }],
      ['first: 2^31 - 1', { first: 2 ** 31 - 1 }],
      ['last: -1', { last: -1 }],
      ['last: 101', { last: 101 }],
      ['first and last together', { first: 1, last: 1 }],
      ['first and last together, with both cursors', { first: 1, last: 1, after: 'CURSOR', before: 'CURSOR' }],
    ] as const
  ).map(([name, variables]): Refusal => ({
    name,
    // Genuine cursors, so that only the combination is wrong.
    probe: (w) =>
      memberships(
        Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, value === 'CURSOR' ? w.cursors.plain : value])),
        bearer(w.tokens.auth0),
      ),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_MEMBERSHIPS,
  })),
  // Written into the query, a size no page can have must be the argument's error, not a cost the page cannot reach.
  ...(
    [
      ['first: 500 written into a query selecting everything', 'first: 500'],
      ['last: 2^31 - 1 written into a query selecting everything', 'last: 2147483647'],
    ] as const
  ).map(([name, size]): Refusal => ({
    name,
    probe: (w) =>
      gql(
        `{ myOrganizationMemberships(${size}) { totalCount edges { cursor node { id roles { id name permissions }
           organization { id name displayName slug imageUrl status createdAt } } } } }`,
        undefined,
        bearer(w.tokens.auth0),
      ),
    status: 200,
    code: 'BAD_USER_INPUT',
    message: /^`(first|last)` must be between 0 and 100$/,
    data: NO_MEMBERSHIPS,
  })),
]);

/** Auth0-shaped ids (`connection|…`) that an administrator may look up: each goes to Auth0 as one segment. */
const AUTH0_ODD_IDS = [
  'auth0|../../api/v2/clients',
  'auth0|%2e%2e%2f',
  'auth0|..',
  '..|..',
  '.|.',
  'samlp|corp|../../users/auth0|victim/organizations',
  'auth0|a?include_totals=false&per_page=1',
  'auth0|a#fragment',
  'auth0|100%',
  'auth0|a\u0000b',
  'auth0|a\r\nX-Injected: 1',
  'auth0|a b;c,d',
  "auth0|it's(*)!",
  'auth0|ü-😀-Ω',
];
/** Ids no configured provider can own: an empty connection, and no call. */
const UNOWNED_IDS = [
  '',
  '|leading-bar',
  'trailing-bar|',
  `${'x'.repeat(600)}|y`,
  '../../v2/info',
  `${DEMO_CF_USER_GUID}/../../v2/info`,
  `${DEMO_CF_USER_GUID}\n`,
  '%2e%2e',
  'auth0|\ud800',
];

escapes('ids with path traversal and odd characters (User.organizations)', [
  ...AUTH0_ODD_IDS.map(
    (id): Escape => ({
      name: `Auth0 id ${JSON.stringify(id)}`,
      probe: (w) => userOrganizations({ __typename: 'User', id }, bearer(w.tokens.admin)),
      data: EMPTY_USER_ORGANIZATIONS,
      upstream: [{ fake: 'auth0', rawPath: `/api/v2/users/${encodeURIComponent(id)}/organizations` }],
    }),
  ),
  ...UNOWNED_IDS.map(
    (id): Escape => ({
      name: `unowned id ${JSON.stringify(id.length > 60 ? `${id.slice(0, 20)}…` : id)}`,
      probe: (w) => userOrganizations({ __typename: 'User', id }, bearer(w.tokens.admin)),
      data: EMPTY_USER_ORGANIZATIONS,
      upstream: [],
    }),
  ),
]);

const UNKNOWN_GUID = '0badc0de-0000-4000-8000-000000000000';
escapes('Organization representations that name nothing', [
  ...[
    'auth0:../../api/v2/clients',
    'auth0:org_x/../../clients',
    'auth0:org_a?fields=secret',
    `auth0:org_${'x'.repeat(10 * 1024)}`,
    'auth0:org_\ud800',
    'cloudfoundry:../../v2/info',
    `cloudfoundry:${UNKNOWN_GUID}/../../../v2/info`,
    'cloudfoundry:%2e%2e',
    'wacht:../../me/organization-memberships',
    // A known prefix with an empty id names no organization (contract: unknown ids give null).
    'auth0:',
    'cloudfoundry:',
    'wacht:',
  ].map((id): Escape => ({ name: `${JSON.stringify(id.slice(0, 60))}`, probe: () => organization({ __typename: 'Organization', id }), data: NO_ORGANIZATION, upstream: [] })),
  {
    name: 'an unknown Auth0 organization',
    probe: () => organization({ __typename: 'Organization', id: 'auth0:org_unknown0000000001' }),
    data: NO_ORGANIZATION,
    upstream: [{ fake: 'auth0', rawPath: '/api/v2/organizations/org_unknown0000000001' }],
  },
  {
    name: 'an unknown Cloud Foundry organization',
    probe: () => organization({ __typename: 'Organization', id: `cloudfoundry:${UNKNOWN_GUID}` }),
    data: NO_ORGANIZATION,
    upstream: [{ fake: 'cloudFoundry', rawPath: `/v2/organizations/${UNKNOWN_GUID}`, q: [] }],
  },
]);

refusals('Organization representations with bad prefixes or ids', [
  ...['nope:x', 'auth0', ':org_1', 'AUTH0:org_1', ' auth0:org_1', 'auth0 :org_1', 'auth0\u0000:org_1', 'org_1'].map(
    (id): Refusal => ({
      name: `id ${JSON.stringify(id)}`,
      probe: () => organization({ __typename: 'Organization', id }),
      status: 200,
      code: 'BAD_USER_INPUT',
      data: NO_ORGANIZATION,
    }),
  ),
  ...(
    [
      ['a numeric id', { __typename: 'Organization', id: 5 }],
      ['a null id', { __typename: 'Organization', id: null }],
      ['no id', { __typename: 'Organization' }],
      ['an object id', { __typename: 'Organization', id: { toString: 'auth0:org_1' } }],
      ['an array id', { __typename: 'Organization', id: ['auth0:org_1'] }],
    ] as const
  // Representations are checked before execution (src/graphql/representations.ts): the request is refused whole.
  ).map(([name, representation]): Refusal => ({
    name,
    probe: () => organization(representation),
    status: 400,
    code: 'BAD_USER_INPUT',
  })),
  {
    name: 'a User representation without an id',
    probe: (w) => userOrganizations({ __typename: 'User' }, bearer(w.tokens.admin)),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  // The contract names no code for these; they are the client's mistake all the same.
  ...(
    [
      ['an unknown __typename', { __typename: 'Secret', id: 'auth0:org_1' }],
      ['no __typename', { id: 'auth0:org_1' }],
      ['a string for a representation', 'auth0:org_1'],
    ] as const
  ).map(([name, representation]): Refusal => ({ name, probe: () => organization(representation), status: [200, 400], data: null })),
]);

/** A first page of memberships: the total and the names on it. */
const connection = (totalCount: number, names: string[]) => ({
  myOrganizationMemberships: {
    totalCount,
    unavailableProviders: [],
    nodes: names.map((name) => ({ organization: { name } })),
    pageInfo: { endCursor: expect.any(String) },
  },
});
const CF_NOTHING = {
  myOrganizationMemberships: { totalCount: 0, unavailableProviders: [], nodes: [], pageInfo: { endCursor: null } },
};
const CF_ORGANIZATIONS_PATH = `/v2/users/${DEMO_CF_USER_GUID}/organizations`;

escapes('filter values with q syntax (Cloud Foundry caller)', [
  ...(
    [
      ['a `;` and a second filter in eq', { name: { eq: 'a;status:active' } }, ['name:a;;status:active'], CF_NOTHING],
      ['a seeded name holding `;status:active`', { name: { eq: 'team;status:active' } }, ['name:team;;status:active'], connection(1, ['team;status:active'])],
      ['a seeded name holding `;;`', { name: { eq: 'ops;;nightly' } }, ['name:ops;;;;nightly'], connection(1, ['ops;;nightly'])],
      ['` IN ` inside eq', { name: { eq: 'x IN y' } }, ['name:x IN y'], CF_NOTHING],
      ['a seeded name starting with `IN `', { name: { eq: 'IN Transit' } }, ['name:IN Transit'], connection(1, ['IN Transit'])],
      ['a seeded name holding `>=`', { name: { eq: 'name>=b' } }, ['name:name>=b'], connection(1, ['name>=b'])],
      // Only "100% Uptime" sorts below ">=" (digits come before `>`; letters after).
      ['`>=` as an lt value', { name: { lt: '>=' } }, ['name<>='], connection(1, ['100% Uptime'])],
      ['`+&#%` in eq', { name: { eq: '+&#%' } }, ['name:+&#%'], CF_NOTHING],
      ['a seeded name holding `&`', { name: { eq: 'r&d' } }, ['name:r&d'], connection(1, ['R&D'])],
      ['a seeded name holding ` + `', { name: { eq: 'Sales + Marketing' } }, ['name:Sales + Marketing'], connection(1, ['Sales + Marketing'])],
      ['a seeded name holding `#`', { name: { eq: 'Growth #1' } }, ['name:Growth #1'], connection(1, ['Growth #1'])],
      ['a seeded name holding `%`', { name: { eq: '100% Uptime' } }, ['name:100% Uptime'], connection(1, ['100% Uptime'])],
      ['a seeded name holding `++`', { name: { eq: 'C++ GUILD' } }, ['name:C++ GUILD'], connection(1, ['c++ guild'])],
      ['`;` inside in values', { name: { in: ['a;b', 'ops;;nightly'] } }, ['name IN a;;b,ops;;;;nightly'], connection(1, ['ops;;nightly'])],
      ['two bounds in one StringFilter', { name: { gte: 'Z', lte: 'zeta group' } }, ['name>=Z', 'name<=zeta group'], connection(1, ['Zeta Group'])],
      ['`;` in a guid', { userGuid: { eq: 'a;b' } }, ['user_guid:a;;b'], CF_NOTHING],
      ['`&` and `#` in guids of an in', { spaceGuid: { in: ['x&y', 'z#w'] } }, ['space_guid IN x&y,z#w'], CF_NOTHING],
    ] as const
  ).map(
    ([name, filter, q, data]): Escape => ({
      name,
      probe: (w) => memberships({ first: 5, filter }, bearer(w.tokens.cloudFoundry)),
      data,
      upstream: [{ fake: 'cloudFoundry', rawPath: CF_ORGANIZATIONS_PATH, q: [...q] }],
    }),
  ),
  {
    name: 'an empty in: [] (matches nothing, without a call)',
    probe: (w) => memberships({ first: 5, filter: { name: { in: [] } } }, bearer(w.tokens.cloudFoundry)),
    data: CF_NOTHING,
    upstream: [],
  },
]);

/** The legacy demo user's Wacht organizations, first five by name. */
const WACHT_FIRST_FIVE = connection(8, ['42 Robotics', 'acme corp', 'Globex', 'Initech & Partners', "O'Reilly-Vance Holdings, Ltd."]);
escapes('Wacht sessions beside other cookies and whitespace', [
  ...(
    [
      ['other cookies around the session', { cookie: `theme=dark; __session=${DEMO_WACHT_SESSION}; tracking=abc%3B%20x` }],
      ['the session header padded with spaces', { 'x-wacht-session': `  ${DEMO_WACHT_SESSION}  ` }],
    ] as const
  ).map(
    ([name, headers]): Escape => ({
      name,
      probe: () => memberships({ first: 5 }, headers),
      data: WACHT_FIRST_FIVE,
      // Only the session itself, as `__session=<token>` (checked over the whole corpus below).
      upstream: [{ fake: 'wacht', rawPath: '/me/organization-memberships' }],
    }),
  ),
]);

const HUNDRED_AND_ONE = Array.from({ length: 101 }, (_, index) => `name-${index}`);
refusals('filter values q cannot carry', [
  ...(
    [
      ['`,` inside a name.in value', { name: { in: ['a,b'] } }],
      ['`,` inside a spaceGuid.in value', { spaceGuid: { in: [`${UNKNOWN_GUID},${DEMO_CF_USER_GUID}`] } }],
      ['101 values in name.in', { name: { in: HUNDRED_AND_ONE } }],
      ['101 values in status.in', { status: { in: Array.from({ length: 101 }, () => 'ACTIVE') } }],
      ['101 values in userGuid.in', { userGuid: { in: HUNDRED_AND_ONE } }],
      ['an empty userGuid.eq', { userGuid: { eq: '' } }],
      ['a blank managerGuid.eq', { managerGuid: { eq: '   ' } }],
      ['an empty value in auditorGuid.in', { auditorGuid: { in: [''] } }],
      ['an empty billingManagerGuid.eq', { billingManagerGuid: { eq: '' } }],
      ['a gt value starting with `=`', { name: { gt: '=b' } }],
      ['an lt value starting with `=`', { name: { lt: '=b' } }],
      ['a lone surrogate in name.eq', { name: { eq: 'a\ud800' } }],
    ] as const
  ).map(([name, filter]): Refusal => ({
    name,
    probe: (w) => memberships({ first: 5, filter }, bearer(w.tokens.cloudFoundry)),
    status: 200,
    code: 'BAD_USER_INPUT',
    data: NO_MEMBERSHIPS,
  })),
]);

refusals('bad bearer tokens', [
  ...(
    [
      ['garbage', () => 'Bearer garbage'],
      ['Bearer and nothing', () => 'Bearer'],
      ['Basic credentials', () => 'Basic ZGVtbzpkZW1v'],
      ['a token without the Bearer scheme', (w: World) => w.tokens.auth0],
      ['two tokens', (w: World) => `Bearer ${w.tokens.auth0}, Bearer ${w.tokens.cloudFoundry}`],
      ['three dots of nothing', () => 'Bearer a.b.c'],
      ['alg: none', (w: World) => `Bearer ${w.tokens.none}`],
      ['HS256', (w: World) => `Bearer ${w.tokens.hs256}`],
      ['expired (Auth0)', (w: World) => `Bearer ${w.tokens.expired}`],
      ['expired (UAA)', (w: World) => `Bearer ${w.tokens.cloudFoundryExpired}`],
      ['a wrong audience', (w: World) => `Bearer ${w.tokens.wrongAudience}`],
      ['an unknown issuer', (w: World) => `Bearer ${w.tokens.unknownIssuer}`],
      ['an unconfigured issuer on loopback', (w: World) => `Bearer ${w.tokens.loopbackIssuer}`],
      ['a UAA token from another UAA', (w: World) => `Bearer ${w.tokens.cloudFoundryForeignIssuer}`],
      ['an unpublished key id', (w: World) => `Bearer ${w.tokens.unknownKid}`],
      ['a signature by a foreign key', (w: World) => `Bearer ${w.tokens.foreignKey}`],
      ['a payload changed after signing', (w: World) => `Bearer ${w.tokens.tamperedPayload}`],
      ['a signature with one character changed', (w: World) => `Bearer ${w.tokens.tamperedSignature}`],
    ] as const
  ).map(([name, authorization]): Refusal => ({
    name,
    probe: (w) => memberships({}, { authorization: authorization(w) }),
    status: 200,
    code: 'UNAUTHENTICATED',
    data: NO_MEMBERSHIPS,
  })),
  ...(
    [
      ['the token in an access_token cookie', (w: World) => `access_token=${w.tokens.auth0}`],
      ['the Authorization header in a cookie', (w: World) => `Authorization=Bearer%20${w.tokens.auth0}`],
    ] as const
  ).map(([name, cookie]): Refusal => ({
    name,
    probe: (w) => memberships({}, { cookie: cookie(w) }),
    status: 200,
    code: 'UNAUTHENTICATED',
    data: NO_MEMBERSHIPS,
  })),
  // References need no caller, but a bearer token presented must verify (ids that would be fetched otherwise).
  ...(
    [
      ['garbage', () => 'Bearer garbage'],
      ['an expired token', (w: World) => `Bearer ${w.tokens.expired}`],
      ['an unknown issuer', (w: World) => `Bearer ${w.tokens.unknownIssuer}`],
    ] as const
  ).flatMap(([name, authorization]) =>
    ['auth0:org_unknown0000000001', `cloudfoundry:${UNKNOWN_GUID}`].map((id): Refusal => ({
      name: `an Organization reference (${id.slice(0, id.indexOf(':'))}) with ${name}`,
      probe: (w) => organization({ __typename: 'Organization', id }, { authorization: authorization(w) }),
      status: 200,
      code: 'UNAUTHENTICATED',
      data: NO_ORGANIZATION,
    })),
  ),
  ...(
    [
      ['User.organizations without a credential', DEMO_AUTH0_USER_ID, () => ({}), 'UNAUTHENTICATED'],
      ['User.organizations with only a Wacht session', DEMO_AUTH0_USER_ID, () => ({ 'x-wacht-session': DEMO_WACHT_SESSION }), 'UNAUTHENTICATED'],
      ['User.organizations with an expired token', DEMO_AUTH0_USER_ID, (w: World) => bearer(w.tokens.expired), 'UNAUTHENTICATED'],
      ['User.organizations of another Auth0 user', DEMO_AUTH0_USER_ID, (w: World) => bearer(w.tokens.otherAuth0User), 'FORBIDDEN'],
      ['User.organizations with a lookalike scope', DEMO_AUTH0_USER_ID, (w: World) => bearer(w.tokens.lookalikeScope), 'FORBIDDEN'],
      ['User.organizations with an upper-case permission', DEMO_AUTH0_USER_ID, (w: World) => bearer(w.tokens.upperCasePermission), 'FORBIDDEN'],
      ['User.organizations of an Auth0 user with a UAA token', DEMO_AUTH0_USER_ID, (w: World) => bearer(w.tokens.cloudFoundry), 'FORBIDDEN'],
      ['User.organizations of a Cloud Foundry user with an Auth0 token', DEMO_CF_USER_GUID, (w: World) => bearer(w.tokens.admin), 'FORBIDDEN'],
    ] as const
  ).map(([name, id, headers, code]): Refusal => ({
    name,
    probe: (w) => userOrganizations({ __typename: 'User', id }, headers(w)),
    status: 200,
    code,
    data: NO_USER_ORGANIZATIONS,
  })),
]);

refusals('malformed Wacht sessions', [
  ...(
    [
      ['another cookie after `;` (header)', { 'x-wacht-session': `${DEMO_WACHT_SESSION}; other=1` }],
      ['another cookie after `;` (percent-encoded in the cookie)', { cookie: `__session=${DEMO_WACHT_SESSION}%3B%20other%3D1` }],
      ['CRLF and a header (percent-encoded in the cookie)', { cookie: `__session=${DEMO_WACHT_SESSION}%0D%0AX-Injected%3A%201` }],
      ['a NUL (percent-encoded in the cookie)', { cookie: `__session=${DEMO_WACHT_SESSION}%00` }],
      ['percent-encoded CRLF (header)', { 'x-wacht-session': `${DEMO_WACHT_SESSION}%0D%0A` }],
      ['two sessions joined by a comma', { 'x-wacht-session': `${DEMO_WACHT_SESSION},${DEMO_WACHT_SESSION_CURRENT}` }],
      ['a space inside', { 'x-wacht-session': 'sess demo' }],
    ] as const
  ).map(([name, headers]): Refusal => ({
    name,
    probe: () => memberships({}, headers),
    status: 200,
    code: 'UNAUTHENTICATED',
    data: WACHT_REFUSED,
  })),
]);

// ---------------------------------------------------------------------------------------------
// The whole corpus, once more
// ---------------------------------------------------------------------------------------------

/** Route templates per fake: a request anywhere else was steered there by input. */
const ROUTES: Record<FakeName, RegExp[]> = {
  auth0: [
    /^\/\.well-known\/jwks\.json$/,
    /^\/oauth\/token$/,
    /^\/api\/v2\/users\/[^/]+\/organizations$/,
    /^\/api\/v2\/organizations\/[^/]+$/,
    /^\/api\/v2\/organizations\/[^/]+\/members\/[^/]+\/roles$/,
    /^\/api\/v2\/roles\/[^/]+\/permissions$/,
  ],
  cloudFoundry: [
    /^\/v2\/info$/,
    /^\/uaa\/oauth\/token$/,
    /^\/uaa\/token_keys$/,
    /^\/v2\/users\/[^/]+\/(?:organizations|managed_organizations|billing_managed_organizations|audited_organizations)$/,
    /^\/v2\/organizations\/[^/]+$/,
  ],
  wacht: [/^\/me\/organization-memberships$/],
};
/** What encodeURIComponent leaves (and the separators of a path and query); `%` only before two hex digits. */
const ENCODED_URL = /^(?:[A-Za-z0-9\-._~!*'()/?&=]|%[0-9A-F]{2})+$/;
/** The one shape a Wacht session may reach Wacht in. */
const SESSION_COOKIE = /^__session=[A-Za-z0-9._~+/=-]+$/;

describe('the whole corpus', () => {
  it('holds at least 100 hostile requests', () => {
    expect(corpus.refused + corpus.escaped).toBeGreaterThanOrEqual(100);
  });

  it('built every upstream path from known routes, each id one percent-encoded segment', () => {
    const requests = FAKE_NAMES.flatMap((fake) => harness[fake].requests.map((request) => ({ fake, request })));
    expect(requests.length).toBeGreaterThan(0);
    const offending = requests.filter(({ fake, request }) => {
      const segments = request.rawPath.split('/').map((segment) => decodeURIComponent(segment));
      return (
        !ENCODED_URL.test(request.rawUrl) ||
        !ROUTES[fake].some((route) => route.test(request.rawPath)) ||
        segments.some((segment) => segment === '.' || segment === '..')
      );
    });
    expect(describeUpstream(offending)).toEqual([]);
  });

  it('sent Wacht nothing but a well-formed session cookie', () => {
    const cookies = harness.wacht.requests.map((request) => request.headers.cookie);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(SESSION_COOKIE);
  });

  it('answered no secret: client secrets, machine tokens, caller tokens or Wacht sessions', () => {
    const machineTokens = [
      ...harness.auth0.requestsTo(/^\/api\/v2\//),
      ...harness.cloudFoundry.requestsTo(/^\/v2\/(?:users|organizations)\//),
    ]
      .map((request) => request.headers.authorization?.replace(/^bearer /i, ''))
      .filter((token): token is string => Boolean(token));
    expect(machineTokens.length).toBeGreaterThan(0);
    const secrets = [
      DEMO_AUTH0_CLIENT_SECRET,
      DEMO_CF_CLIENT_SECRET,
      DEMO_WACHT_SESSION,
      DEMO_WACHT_SESSION_CURRENT,
      ...new Set(machineTokens),
      ...Object.values(world.tokens),
    ];
    // Each secret checked on its own, so a failure names the secret's kind, not a whole body.
    const leaks = secrets.flatMap((secret, index) =>
      answered.some((body) => body.includes(secret)) ? [`secret #${index} (${secret.slice(0, 8)}…)`] : [],
    );
    expect(answered.length).toBeGreaterThanOrEqual(corpus.refused + corpus.escaped);
    expect(leaks).toEqual([]);
  });
});
