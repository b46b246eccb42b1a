/**
 * The contract's paging promise on merged provider lists, as a property over the real server
 * and the seeded fakes: "walking a connection page by page, forward or backward, yields every
 * item exactly once, in order", `totalCount` is the number of matching items, `pageInfo`
 * agrees with where the page is, and (for Cloud Foundry) a page reads at most two upstream
 * pages. Both merges one request can make are walked through `myOrganizationMemberships`: an
 * Auth0 caller token with a Wacht session, and a UAA token with a Wacht session.
 *
 * The expected list is not asked of the subgraph: each provider's items are read straight from
 * its fake (what it lists for that user or session), then filtered and ordered here by the
 * contract's rules (names by their lowercase form in code units; ties AUTH0, CLOUD_FOUNDRY,
 * WACHT, then provider id; DESC reverses the whole list).
 */
import fc from 'fast-check';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID, demoManagementToken } from '../../src/fakes/auth0/seed';
import { DEMO_CF_USER_GUID } from '../../src/fakes/cloudfoundry/seed';
import type { WachtFakeUser } from '../../src/fakes/wacht/fake-wacht';
import { DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT } from '../../src/fakes/wacht/seed';
import { startHarness, type Harness } from '../support/harness';

type Provider = 'AUTH0' | 'CLOUD_FOUNDRY' | 'WACHT';
type Status = 'ACTIVE' | 'SUSPENDED' | 'DELETING';
type Direction = 'ASC' | 'DESC';

/** One organization as the walk sees it; `key` is its global id. */
interface Item {
  key: string;
  provider: Provider;
  providerId: string;
  name: string;
  status: Status;
}

interface StringFilter {
  eq?: string;
  in?: string[];
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
}

interface Filter {
  name?: StringFilter;
  status?: { eq?: Status; in?: Status[] };
}

interface Connection {
  totalCount: number;
  unavailableProviders: string[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: { organization: Omit<Item, 'key'> & { id: string } } }>;
}

const MEMBERSHIPS = /* GraphQL */ `
  query Walk($first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter,
             $orderDirection: OrderDirection) {
    myOrganizationMemberships(first: $first, after: $after, last: $last, before: $before, filter: $filter,
                              orderDirection: $orderDirection) {
      totalCount
      unavailableProviders
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { organization { id provider providerId name status } } }
    }
  }
`;

const PROVIDER_ORDER: readonly Provider[] = ['AUTH0', 'CLOUD_FOUNDRY', 'WACHT'];
const STATUSES: readonly Status[] = ['ACTIVE', 'SUSPENDED', 'DELETING'];
const CF_LIST_ROUTE = /^\/v2\/users\/[^/]+\/organizations$/;
/**
 * A Wacht user added here, as the seeds have no ties: organizations named as Auth0's and Cloud
 * Foundry's are (up to case), and two of its own named alike, so the walks meet the tie-breaks
 * (provider, then provider id). Wacht answers newest first, which here is neither name nor id
 * order ('GLOBEX' before 'globex', whose id is smaller).
 */
const TIES_SESSION = 'sess_walks_ties_4Hn8Qe2Lr6Tz0Wc5Xv9Ba3Kd';
const TIE_ORGANIZATIONS: ReadonlyArray<readonly [id: string, name: string]> = [
  ['1837469004', 'globex'],
  ['1837469001', 'ACME'],
  ['1837469003', 'r&d'],
  ['1837469005', 'GLOBEX'],
  ['1837469002', 'Zenith'],
  ['1837469006', 'billing eu'],
];
const TIES_USER: WachtFakeUser = {
  id: '1837469900',
  memberships: TIE_ORGANIZATIONS.map(([id, name], index) => ({
    id: `18374695${index}`,
    organization: { id, name, image_url: `https://cdn.example.com/orgs/${id}.png` },
    roles: [{ id: '1837462003', name: 'organization:member', permissions: ['organization:read'] }],
    created_at: `2025-0${index + 1}-01T00:00:00Z`,
    updated_at: `2025-0${index + 1}-01T00:00:00Z`,
  })),
};
const SESSIONS = [DEMO_WACHT_SESSION, DEMO_WACHT_SESSION_CURRENT, TIES_SESSION];
/** Letters and bounds beside the seeded names: before, between and after them in code units. */
const LETTERS = ['', 'a', 'M', 'n', 'z', '~', 'é', 'Å', '1', '#'];

const codeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The contract's order, ascending. */
const ascending = (a: Item, b: Item): number =>
  codeUnits(a.name.toLowerCase(), b.name.toLowerCase()) ||
  PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider) ||
  codeUnits(a.providerId, b.providerId);

// ---- What each fake lists, read from the fake itself ----

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The demo Auth0 user's organizations, through the fake's Management API (Auth0 has no status: ACTIVE). */
async function auth0Items(harness: Harness, userId: string): Promise<Item[]> {
  const token = await demoManagementToken(harness.auth0);
  const items: Item[] = [];
  for (let page = 0; ; page++) {
    const organizations = await getJson<Array<{ id: string; name: string }>>(
      `${harness.auth0.url}/api/v2/users/${encodeURIComponent(userId)}/organizations?page=${page}&per_page=50`,
      { authorization: `Bearer ${token}` },
    );
    items.push(...organizations.map(({ id, name }) => item('AUTH0', id, name, 'ACTIVE')));
    if (organizations.length < 50) return items;
  }
}

/** The session's Wacht memberships, as the fake answers them (Wacht has no status: ACTIVE). */
async function wachtItems(harness: Harness, session: string): Promise<Item[]> {
  const { data } = await getJson<{ data: Array<{ organization: { id: string; name: string } }> }>(
    `${harness.wacht.url}/me/organization-memberships`,
    { cookie: `__session=${session}` },
  );
  return data.map(({ organization }) => item('WACHT', organization.id, organization.name, 'ACTIVE'));
}

/** The user's Cloud Foundry organizations in Cloud Controller's own name order (`order-by=name`, ascending). */
async function cloudFoundryItems(harness: Harness, token: string): Promise<Item[]> {
  const items: Item[] = [];
  for (let page = 1, pages = 1; page <= pages; page++) {
    const answer = await getJson<{
      total_pages: number;
      resources: Array<{ metadata: { guid: string }; entity: { name: string; status: string } }>;
    }>(
      `${harness.cloudFoundry.url}/v2/users/${DEMO_CF_USER_GUID}/organizations?order-by=name&results-per-page=100&page=${page}`,
      { authorization: `bearer ${token}` },
    );
    items.push(
      ...answer.resources.map(({ metadata, entity }) =>
        item('CLOUD_FOUNDRY', metadata.guid, entity.name, entity.status.toUpperCase() as Status),
      ),
    );
    pages = answer.total_pages;
  }
  return items;
}

function item(provider: Provider, providerId: string, name: string, status: Status): Item {
  const prefix = { AUTH0: 'auth0', CLOUD_FOUNDRY: 'cloudfoundry', WACHT: 'wacht' }[provider];
  return { key: `${prefix}:${providerId}`, provider, providerId, name, status };
}

// ---- The contract's filter, written out here ----

/**
 * Whether `item` matches `filter`. Names compare case-insensitively: equality on the lowercase
 * forms, ranges in `collation` on them (code units, except for Cloud Foundry's items when its
 * database has a locale collation: its range filters run there).
 */
function matches(item: Item, filter: Filter | undefined, collation: (a: string, b: string) => number): boolean {
  const name = item.name.toLowerCase();
  const order = (value: string) => collation(name, value.toLowerCase());
  const byName = filter?.name;
  const byStatus = filter?.status;
  return (
    (byName?.eq === undefined || name === byName.eq.toLowerCase()) &&
    (byName?.in === undefined || byName.in.some((value) => name === value.toLowerCase())) &&
    (byName?.gt === undefined || order(byName.gt) > 0) &&
    (byName?.gte === undefined || order(byName.gte) >= 0) &&
    (byName?.lt === undefined || order(byName.lt) < 0) &&
    (byName?.lte === undefined || order(byName.lte) <= 0) &&
    (byStatus?.eq === undefined || item.status === byStatus.eq) &&
    (byStatus?.in === undefined || byStatus.in.includes(item.status))
  );
}

// ---- Arbitraries ----

function swapCase(value: string): string {
  return [...value].map((char) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase())).join('');
}

/** A name to compare with: a seeded one, a case variant of one, or a letter. */
function valueArbitrary(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...names),
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom('upper', 'lower', 'swap'))
      .map(([name, variant]) =>
        variant === 'upper' ? name.toUpperCase() : variant === 'lower' ? name.toLowerCase() : swapCase(name),
      ),
    fc.constantFrom(...LETTERS),
  );
}

/**
 * No filter, a name filter (one operator, or a range of two), a status filter, or both; weighted
 * so that most cases still match something.
 */
function filterArbitrary(names: readonly string[]): fc.Arbitrary<Filter | undefined> {
  const value = valueArbitrary(names);
  // A ',' inside an `in` value is BAD_USER_INPUT (Cloud Controller's ` IN ` cannot express it).
  const inValue = value.filter((candidate) => !candidate.includes(','));
  // Mostly some values; now and then `in: []`, which matches nothing without asking anyone.
  const inList = fc.oneof(
    { arbitrary: fc.array(inValue, { minLength: 1, maxLength: 4 }), weight: 5 },
    { arbitrary: fc.constant<string[]>([]), weight: 1 },
  );
  const nameFilter: fc.Arbitrary<StringFilter> = fc.oneof(
    fc.record({ eq: value }),
    fc.record({ in: inList }),
    fc
      .tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), value)
      .map(([operator, bound]): StringFilter => ({ [operator]: bound })),
    fc
      .tuple(fc.constantFrom('gt', 'gte'), value, fc.constantFrom('lt', 'lte'), value)
      .map(([lower, from, upper, to]): StringFilter => ({ [lower]: from, [upper]: to })),
    // Two kinds of condition at once: every one applies.
    fc.record({ in: inList, gte: value }),
  );
  // No seeded organization is DELETING, and only Cloud Foundry's can be SUSPENDED: ask for them less.
  const status = fc.oneof(
    { arbitrary: fc.constant<Status>('ACTIVE'), weight: 3 },
    { arbitrary: fc.constant<Status>('SUSPENDED'), weight: 2 },
    { arbitrary: fc.constant<Status>('DELETING'), weight: 1 },
  );
  const statusFilter = fc.oneof(
    fc.record({ eq: status }),
    fc.record({
      in: fc.oneof(
        { arbitrary: fc.subarray([...STATUSES], { minLength: 1 }), weight: 5 },
        { arbitrary: fc.constant<Status[]>([]), weight: 1 },
      ),
    }),
  );
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.record({ name: nameFilter }), weight: 4 },
    { arbitrary: fc.record({ status: statusFilter }), weight: 2 },
    { arbitrary: fc.record({ name: nameFilter, status: statusFilter }), weight: 1 },
  );
}

interface Case {
  session: string;
  filter: Filter | undefined;
  orderDirection: Direction;
  forwardSize: number;
  backwardSize: number;
}

/** 1..100, with small pages (the boundaries: one item, a page per provider) drawn as often as large. */
const pageSize = fc.oneof(
  fc.integer({ min: 1, max: 3 }),
  fc.integer({ min: 4, max: 20 }),
  { arbitrary: fc.integer({ min: 1, max: 100 }), weight: 2 },
);

function caseArbitrary(names: readonly string[]): fc.Arbitrary<Case> {
  return fc.record({
    session: fc.constantFrom(...SESSIONS),
    filter: filterArbitrary(names),
    orderDirection: fc.constantFrom<Direction>('ASC', 'DESC'),
    forwardSize: pageSize,
    backwardSize: pageSize,
  });
}

/** Every name the walks can meet: the provider's and every session's, to draw filter values from. */
function namesOf(providerItems: Item[], wacht: Map<string, Item[]>): string[] {
  return [...new Set([...providerItems, ...SESSIONS.flatMap((session) => wacht.get(session)!)].map((one) => one.name))];
}

// ---- Walking ----

type Mode =
  /** Every page exactly the slice of the expected list where it stands. */
  | 'exact'
  /** The walk is some merge of the providers' lists: each provider's items in its own order, each once. */
  | 'merge';

const toItem = ({ organization }: Connection['edges'][number]['node']): Item => ({
  key: organization.id,
  provider: organization.provider,
  providerId: organization.providerId,
  name: organization.name,
  status: organization.status,
});

/**
 * Walks the whole list, `first: size` then `after: endCursor` (forward), or `last: size` then
 * `before: startCursor` (backward), checking each page as it comes; the items in list order.
 */
async function walk(
  harness: Harness,
  headers: Record<string, string>,
  { filter, orderDirection }: Case,
  way: 'forward' | 'backward',
  size: number,
  expected: Item[],
  mode: Mode,
): Promise<Item[]> {
  const total = expected.length;
  const pages: Item[][] = [];
  let seen = 0;
  let cursor: string | null = null;
  for (;;) {
    const listRequestsBefore = harness.cloudFoundry.requestsTo(CF_LIST_ROUTE).length;
    const paging = way === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor };
    const { body } = await harness.graphql(MEMBERSHIPS, { variables: { ...paging, filter, orderDirection }, headers });
    const context = { way, size, page: pages.length, cursor };
    expect({ ...context, errors: body.errors }).toEqual({ ...context, errors: undefined });
    const connection = body.data!.myOrganizationMemberships as Connection;
    const items = connection.edges.map((edge) => toItem(edge.node));
    const cloudFoundryReads = harness.cloudFoundry.requestsTo(CF_LIST_ROUTE).length - listRequestsBefore;

    // Where the page should stand: forward from the start, backward from the end.
    const remaining = total - seen;
    const count = Math.min(size, remaining);
    const slice = way === 'forward' ? expected.slice(seen, seen + count) : expected.slice(remaining - count, remaining);
    expect({
      ...context,
      totalCount: connection.totalCount,
      unavailableProviders: connection.unavailableProviders,
      cloudFoundryReadsAtMostTwo: cloudFoundryReads <= 2,
      size: items.length,
      keys: mode === 'exact' ? items.map((one) => one.key) : 'not compared',
      pageInfo: connection.pageInfo,
    }).toEqual({
      ...context,
      totalCount: total,
      unavailableProviders: [],
      cloudFoundryReadsAtMostTwo: true,
      size: count,
      keys: mode === 'exact' ? slice.map((one) => one.key) : 'not compared',
      pageInfo: {
        // After `first`, hasNextPage says whether more follow; with `after`, hasPreviousPage
        // whether the list holds items up to the cursor (and the other way round backward).
        hasNextPage: way === 'forward' ? seen + count < total : seen > 0,
        hasPreviousPage: way === 'forward' ? seen > 0 : seen + count < total,
        startCursor: connection.edges[0]?.cursor ?? null,
        endCursor: connection.edges.at(-1)?.cursor ?? null,
      },
    });
    if (mode === 'exact') expect(items).toEqual(slice);

    seen += items.length;
    if (way === 'forward') pages.push(items);
    else pages.unshift(items);
    const more = way === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
    if (!more) break;
    cursor = way === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
  }
  return pages.flat();
}

/** Every expected item exactly once, and each provider's items in the order that provider gives them. */
function expectValidMerge(walked: Item[], expected: Item[]): void {
  expect(walked.map((one) => one.key).toSorted()).toEqual(expected.map((one) => one.key).toSorted());
  for (const provider of PROVIDER_ORDER) {
    const own = (list: Item[]) => list.filter((one) => one.provider === provider);
    expect(own(walked)).toEqual(own(expected));
  }
}

/** Both walks of one case, against what the fakes list. */
async function checkCase(
  harness: Harness,
  headers: Record<string, string>,
  testCase: Case,
  expectedAscending: Item[],
  mode: Mode,
): Promise<void> {
  const expected = testCase.orderDirection === 'DESC' ? expectedAscending.toReversed() : expectedAscending;
  for (const [way, size] of [['forward', testCase.forwardSize], ['backward', testCase.backwardSize]] as const) {
    const walked = await walk(harness, headers, testCase, way, size, expected, mode);
    if (mode === 'exact') expect(walked).toEqual(expected);
    else expectValidMerge(walked, expected);
  }
}

// Modest run counts with real variety: the whole file takes well under 30 s; the timeout
// leaves room for a loaded machine (a case of one-item pages walks ~290 pages).
const RUNS = 25;
const TIMEOUT_MS = 120_000;

describe('walking merged memberships page by page (property)', () => {
  let harness: Harness;
  /** Each provider's items for each credential, in that provider's own order. */
  let auth0: Item[];
  let cloudFoundry: Item[];
  const wacht = new Map<string, Item[]>();
  let auth0Token: string;
  let cloudFoundryToken: string;

  beforeAll(async () => {
    harness = await startHarness();
    harness.wacht.addSession(TIES_SESSION, TIES_USER, 'current');
    auth0Token = await harness.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    cloudFoundryToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    auth0 = await auth0Items(harness, DEMO_AUTH0_USER_ID);
    cloudFoundry = await cloudFoundryItems(harness, cloudFoundryToken);
    for (const session of SESSIONS) wacht.set(session, await wachtItems(harness, session));
    expect(auth0).toHaveLength(12);
    expect(cloudFoundry).toHaveLength(130);
    expect(new Set(cloudFoundry.map((one) => one.status))).toEqual(new Set(['ACTIVE', 'SUSPENDED']));
  });
  afterAll(() => harness.close());

  /** The case's expected list, ascending: the fakes' items that match, in the contract's order. */
  const expectedFor = (providerItems: Item[], testCase: Case) =>
    [...providerItems, ...wacht.get(testCase.session)!]
      .filter((one) => matches(one, testCase.filter, codeUnits))
      .toSorted(ascending);

  /** Cases walked both ways with `token` and the case's session, every page exactly as expected. */
  const walkExactly = (token: string, providerItems: Item[]) =>
    fc.assert(
      fc.asyncProperty(caseArbitrary(namesOf(providerItems, wacht)), async (testCase) => {
        const headers = { authorization: `Bearer ${token}`, 'x-wacht-session': testCase.session };
        await checkCase(harness, headers, testCase, expectedFor(providerItems, testCase), 'exact');
      }),
      { numRuns: RUNS },
    );

  it('Auth0 token + Wacht session: every item once, in order, forward and backward', () => walkExactly(auth0Token, auth0), TIMEOUT_MS);

  it('UAA token + Wacht session: every item once, in order, at most two Cloud Controller reads a page', async () => {
    // Cloud Foundry's items keep Cloud Controller's order; with the fake's default (C) collation
    // that is the contract's order, so the whole merged walk is predictable item by item.
    expect(harness.cloudFoundry.nameCollation).toBeNull();
    expect(cloudFoundry).toEqual(cloudFoundry.toSorted(ascending));
    await walkExactly(cloudFoundryToken, cloudFoundry);
  }, TIMEOUT_MS);
});

describe('walking merged memberships with Cloud Controller on an en_US.UTF-8 database (property)', () => {
  // Cloud Controller orders (and compares `gt`/`lt`) by its database's collation. The fake's
  // default is the C collation, which for the seeded names is the contract's order; with a
  // locale it still agrees on them (their punctuation sorts before letters either way), so a
  // few accented and punctuated names are added that a locale places elsewhere than code units
  // do ('école' among the e's, not after 'z'; '_' before digits, not after 'Z').
  const LOCALE_NAMES = ['école', 'Ångström Labs', 'Ölwerk', '_sandbox ops', 'Data-Lake', 'Zoë', 'über team'];
  const collation = new Intl.Collator('en-US').compare;
  let harness: Harness;
  let cloudFoundry: Item[];
  const wacht = new Map<string, Item[]>();
  let cloudFoundryToken: string;

  beforeAll(async () => {
    harness = await startHarness();
    harness.wacht.addSession(TIES_SESSION, TIES_USER, 'current');
    harness.cloudFoundry.nameCollation = 'en-US';
    LOCALE_NAMES.forEach((name, index) => {
      const { guid } = harness.cloudFoundry.addOrganization({ name, status: index % 3 === 1 ? 'suspended' : 'active' });
      harness.cloudFoundry.grant(DEMO_CF_USER_GUID, guid, 'user');
    });
    cloudFoundryToken = await harness.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
    cloudFoundry = await cloudFoundryItems(harness, cloudFoundryToken);
    for (const session of SESSIONS) wacht.set(session, await wachtItems(harness, session));
  });
  afterAll(() => harness.close());

  it('UAA token + Wacht session: still every item once, each provider in its own order', async () => {
    // The contract keeps Cloud Foundry's items in Cloud Controller's order, so the merged order
    // is no longer one total order and may interleave differently forward and backward: what
    // is promised, and checked, is a valid merge (each item once, Cloud Foundry's items in
    // Cloud Controller's order, Wacht's in the contract's), with exact counts and pageInfo.
    expect(cloudFoundry).toHaveLength(130 + LOCALE_NAMES.length);
    expect(cloudFoundry.map((one) => one.key)).not.toEqual(cloudFoundry.toSorted(ascending).map((one) => one.key));
    const headers = { authorization: `Bearer ${cloudFoundryToken}` };
    await fc.assert(
      fc.asyncProperty(caseArbitrary(namesOf(cloudFoundry, wacht)), async (testCase) => {
        const matching = (list: Item[], compare: typeof codeUnits) =>
          list.filter((one) => matches(one, testCase.filter, compare));
        // Cloud Foundry's matching items in Cloud Controller's order (and with its range
        // comparisons), then Wacht's in the contract's: only each provider's own order counts.
        const expected = [
          ...matching(cloudFoundry, collation),
          ...matching(wacht.get(testCase.session)!, codeUnits).toSorted(ascending),
        ];
        await checkCase(harness, { ...headers, 'x-wacht-session': testCase.session }, testCase, expected, 'merge');
      }),
      { numRuns: 15 },
    );
  }, TIMEOUT_MS);
});
