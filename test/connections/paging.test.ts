/**
 * The connection engine end to end: in-memory providers, pages built exactly as
 * memberships.ts builds them (validateArgs, fingerprint, readPageRequest, paginate).
 */
import fc from 'fast-check';
import type { IdentityProvider, OrderDirection } from '../../src/graphql/generated';
import { AppError } from '../../src/errors';
import { readPageRequest, validateArgs, type ConnectionArgs } from '../../src/connections/arguments';
import { lazyFingerprint } from '../../src/connections/cursor';
import { paginate, type PageResult, type ProviderStream } from '../../src/connections/connection';
import { comparatorFor } from '../../src/connections/order';
import { ID_PREFIX, PROVIDER_ORDER, type MembershipRecord } from '../../src/providers/provider';
import {
  caught,
  failingStream,
  fixedOrderStream,
  idsOf,
  listStream,
  membership,
  pageInfoOf,
  type RecordingStream,
} from './support';

/** One page, as production asks for it. */
function page(streams: ProviderStream[], args: ConnectionArgs): Promise<PageResult> {
  const validated = validateArgs(args);
  const listFingerprint = lazyFingerprint({ list: 'me', ...validated });
  const request = readPageRequest(args, listFingerprint);
  return paginate(streams, { request, direction: validated.direction, fingerprint: listFingerprint });
}

interface Walk {
  ids: string[];
  pages: PageResult[];
}

/** `first: size`, then `after: endCursor` until hasNextPage is false; checks each page against `expected`. */
async function walkForward(
  streams: ProviderStream[],
  direction: OrderDirection,
  size: number,
  expected?: string[],
): Promise<Walk> {
  const ids: string[] = [];
  const pages: PageResult[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await page(streams, { first: size, after, orderDirection: direction });
    pages.push(result);
    const { edges, pageInfo, totalCount } = result.page;
    if (expected) {
      expect(idsOf(edges.map((edge) => edge.node))).toEqual(expected.slice(ids.length, ids.length + size));
      expect(totalCount).toBe(expected.length);
      expect(pageInfo.hasPreviousPage).toBe(ids.length > 0);
      expect(pageInfo.hasNextPage).toBe(ids.length + edges.length < expected.length);
    }
    expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    ids.push(...idsOf(edges.map((edge) => edge.node)));
    if (!pageInfo.hasNextPage) return { ids, pages };
    expect(edges.length).toBeGreaterThan(0);
    if (pages.length > 500) throw new Error('the forward walk does not end');
    after = pageInfo.endCursor;
  }
}

/** `last: size`, then `before: startCursor` until hasPreviousPage is false; ids in list order. */
async function walkBackward(
  streams: ProviderStream[],
  direction: OrderDirection,
  size: number,
  expected?: string[],
): Promise<Walk> {
  const chunks: string[][] = [];
  const pages: PageResult[] = [];
  let seen = 0;
  let before: string | null = null;
  for (;;) {
    const result = await page(streams, { last: size, before, orderDirection: direction });
    pages.push(result);
    const { edges, pageInfo, totalCount } = result.page;
    const chunk = idsOf(edges.map((edge) => edge.node));
    if (expected) {
      const end = expected.length - seen;
      expect(chunk).toEqual(expected.slice(Math.max(0, end - size), end));
      expect(totalCount).toBe(expected.length);
      expect(pageInfo.hasNextPage).toBe(seen > 0);
      expect(pageInfo.hasPreviousPage).toBe(end - chunk.length > 0);
    }
    expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    chunks.unshift(chunk);
    seen += chunk.length;
    if (!pageInfo.hasPreviousPage) return { ids: chunks.flat(), pages };
    expect(edges.length).toBeGreaterThan(0);
    if (pages.length > 500) throw new Error('the backward walk does not end');
    before = pageInfo.startCursor;
  }
}

// ---- generators ------------------------------------------------------------------

const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Acme', 'acme', 'ACME', 'Zeta', 'ångström', 'Ångström', '_x', 'a', 'B', '10', '9', '', ' ', 'ß', 'İ', '\u{1F600}', '\uFF5E', 'a,b', 'a;b') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 5 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', '_', '.'), maxLength: 3 }) },
);

/** A provider's records: unique ids, arbitrary (often equal) names. */
function recordsArb(provider: IdentityProvider): fc.Arbitrary<MembershipRecord[]> {
  return fc
    .uniqueArray(fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 4 }), nameArb), {
      selector: ([id]) => id,
      maxLength: 40,
    })
    .map((pairs) => pairs.map(([id, name]) => membership(provider, id, name)));
}

/** 0..3 distinct providers, each with 0..40 records. */
const catalogArb: fc.Arbitrary<[IdentityProvider, MembershipRecord[]][]> = fc
  .subarray([...PROVIDER_ORDER])
  .chain((providers) => fc.tuple(...providers.map((provider) => recordsArb(provider).map((records) => [provider, records] as [IdentityProvider, MembershipRecord[]]))));

const directionArb = fc.constantFrom<OrderDirection>('ASC', 'DESC');
const sizeArb = fc.integer({ min: 1, max: 15 });

function streamsOf(catalog: [IdentityProvider, MembershipRecord[]][], direction: OrderDirection): RecordingStream[] {
  return catalog.map(([provider, records]) => listStream(provider, records, direction));
}

function expectedOrder(catalog: [IdentityProvider, MembershipRecord[]][], direction: OrderDirection): string[] {
  return idsOf(catalog.flatMap(([, records]) => records).sort(comparatorFor(direction)));
}

const RUNS = { numRuns: 150 };

// ---- properties ------------------------------------------------------------------

describe('paging through the merged list', () => {
  it('walking forward yields every item once, in order, with exact page info', async () => {
    await fc.assert(
      fc.asyncProperty(catalogArb, sizeArb, directionArb, async (catalog, size, direction) => {
        const streams = streamsOf(catalog, direction);
        const expected = expectedOrder(catalog, direction);
        const walk = await walkForward(streams, direction, size, expected);
        expect(walk.ids).toEqual(expected);
        // Every page asks each provider once, for a window no larger than the page.
        for (const stream of streams) {
          expect(stream.requests).toHaveLength(walk.pages.length);
          expect(stream.requests[0]).toEqual({ from: 'start', offset: 0, limit: size });
          for (const request of stream.requests) {
            expect(request.from).toBe('start');
            expect(request.limit).toBe(size);
          }
        }
      }),
      RUNS,
    );
  });

  it('walking backward yields the same list, every item once', async () => {
    await fc.assert(
      fc.asyncProperty(catalogArb, sizeArb, directionArb, async (catalog, size, direction) => {
        const streams = streamsOf(catalog, direction);
        const expected = expectedOrder(catalog, direction);
        const walk = await walkBackward(streams, direction, size, expected);
        expect(walk.ids).toEqual(expected);
        for (const stream of streams) {
          expect(stream.requests).toHaveLength(walk.pages.length);
          expect(stream.requests[0]).toEqual({ from: 'end', limit: size });
          for (const request of stream.requests) expect(request.limit).toBeLessThanOrEqual(size);
        }
      }),
      RUNS,
    );
  });

  it('turning back mid-walk (last/before with a page\'s startCursor) gives exactly the items before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        catalogArb,
        sizeArb,
        directionArb,
        fc.nat(),
        fc.integer({ min: 0, max: 15 }),
        async (catalog, size, direction, pick, back) => {
          const streams = streamsOf(catalog, direction);
          const expected = expectedOrder(catalog, direction);
          const walk = await walkForward(streams, direction, size);
          const pageIndex = pick % walk.pages.length;
          const turningPage = walk.pages[pageIndex]!.page;
          fc.pre(turningPage.edges.length > 0);
          const startIndex = pageIndex * size;
          const result = await page(streams, { last: back, before: turningPage.pageInfo.startCursor, orderDirection: direction });
          expect(idsOf(result.page.edges.map((edge) => edge.node))).toEqual(
            expected.slice(Math.max(0, startIndex - back), startIndex),
          );
          expect(result.page.totalCount).toBe(expected.length);
          expect(result.page.pageInfo.hasNextPage).toBe(true);
          expect(result.page.pageInfo.hasPreviousPage).toBe(startIndex - back > 0);
        },
      ),
      RUNS,
    );
  });

  it('every edge cursor resumes right after (first/after) and right before (last/before) its item', async () => {
    await fc.assert(
      fc.asyncProperty(catalogArb, sizeArb, directionArb, fc.nat(), async (catalog, size, direction, pick) => {
        const streams = streamsOf(catalog, direction);
        const expected = expectedOrder(catalog, direction);
        fc.pre(expected.length > 0);
        const edges = (await walkForward(streams, direction, 15)).pages.flatMap(({ page: result }) => result.edges);
        expect(idsOf(edges.map((edge) => edge.node))).toEqual(expected);
        const index = pick % expected.length;
        const cursor = edges[index]!.cursor;
        const after = await page(streams, { first: size, after: cursor, orderDirection: direction });
        expect(idsOf(after.page.edges.map((edge) => edge.node))).toEqual(expected.slice(index + 1, index + 1 + size));
        expect(after.page.pageInfo.hasPreviousPage).toBe(true);
        expect(after.page.pageInfo.hasNextPage).toBe(index + 1 + size < expected.length);
        const before = await page(streams, { last: size, before: cursor, orderDirection: direction });
        expect(idsOf(before.page.edges.map((edge) => edge.node))).toEqual(expected.slice(Math.max(0, index - size), index));
        expect(before.page.pageInfo.hasNextPage).toBe(true);
        expect(before.page.pageInfo.hasPreviousPage).toBe(index - size > 0);
      }),
      RUNS,
    );
  });

  it('any cursors with first, last or neither give the page of Relay\'s pagination algorithm', async () => {
    const cursorIndexArb = fc.option(fc.nat(), { nil: undefined });
    const sizeArgArb = fc.oneof(
      fc.record({ first: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ last: fc.integer({ min: 0, max: 15 }) }),
      fc.constant({}),
    );
    await fc.assert(
      fc.asyncProperty(
        catalogArb,
        directionArb,
        cursorIndexArb,
        cursorIndexArb,
        sizeArgArb,
        async (catalog, direction, afterPick, beforePick, sizeArgs: { first?: number; last?: number }) => {
          const streams = streamsOf(catalog, direction);
          const expected = expectedOrder(catalog, direction);
          fc.pre(expected.length > 0 || (afterPick === undefined && beforePick === undefined));
          const edges = (await walkForward(streams, direction, 15)).pages.flatMap(({ page: result }) => result.edges);
          const afterIndex = afterPick === undefined ? undefined : afterPick % expected.length;
          const beforeIndex = beforePick === undefined ? undefined : beforePick % expected.length;
          for (const stream of streams) stream.requests.length = 0;

          const result = await page(streams, {
            ...sizeArgs,
            after: afterIndex === undefined ? null : edges[afterIndex]!.cursor,
            before: beforeIndex === undefined ? null : edges[beforeIndex]!.cursor,
            orderDirection: direction,
          });

          // The algorithm on the whole list: the slice between the cursors, then first or last of it.
          const low = afterIndex === undefined ? 0 : afterIndex + 1;
          const high = Math.max(low, beforeIndex ?? expected.length);
          // Neither size is `first: 20` (the contract), whatever the cursors.
          const backward = sizeArgs.last !== undefined;
          const size = sizeArgs.first ?? sizeArgs.last ?? 20;
          const start = backward ? Math.max(low, high - size) : low;
          const shown = expected.slice(start, Math.min(high, start + size));
          expect(idsOf(result.page.edges.map((edge) => edge.node))).toEqual(shown);
          // The same cursors as the walk gave those items (providers sorted as the engine sorts): a page
          // resumes the same way whichever way it came.
          expect(result.page.edges.map((edge) => edge.cursor)).toEqual(edges.slice(start, start + shown.length).map((edge) => edge.cursor));
          expect(result.page.totalCount).toBe(expected.length);
          // Relay's page info: in the page's direction, whether the slice holds more; in the other,
          // whether the list does beyond the cursor (`before`'s own place, even with `after` beyond it).
          expect(pageInfoOf(result.page)).toMatchObject(
            backward
              ? { hasPreviousPage: start > low, hasNextPage: (beforeIndex ?? expected.length) < expected.length }
              : { hasNextPage: start + shown.length < high, hasPreviousPage: low > 0 },
          );
          // Each provider is asked once, for no more than the page, nor (with `before`) than its part of the slice.
          for (const stream of streams) {
            expect(stream.requests).toHaveLength(1);
            expect(stream.requests[0]!.limit).toBeLessThanOrEqual(size);
          }
          const asked = streams.reduce((sum, stream) => sum + stream.requests[0]!.limit, 0);
          if (beforeIndex !== undefined) expect(asked).toBeLessThanOrEqual(Math.max(0, beforeIndex - low));
        },
      ),
      RUNS,
    );
  });

  it('first: 0 returns no edges, with the total and whether anything follows', async () => {
    await fc.assert(
      fc.asyncProperty(catalogArb, directionArb, async (catalog, direction) => {
        const expected = expectedOrder(catalog, direction);
        const { page: result, failures } = await page(streamsOf(catalog, direction), { first: 0, orderDirection: direction });
        expect(failures).toEqual([]);
        expect(result.edges).toEqual([]);
        expect(result.totalCount).toBe(expected.length);
        expect(pageInfoOf(result)).toEqual({
          hasNextPage: expected.length > 0,
          hasPreviousPage: false,
          startCursor: null,
          endCursor: null,
        });
        expect(result.unavailableProviders).toEqual([]);
      }),
      RUNS,
    );
  });

  it('last: 0 returns no edges, with the total and whether anything precedes', async () => {
    const streams = [listStream('AUTH0', [membership('AUTH0', 'a', 'A')], 'ASC')];
    const { page: result } = await page(streams, { last: 0 });
    expect(result.edges).toEqual([]);
    expect(result.totalCount).toBe(1);
    expect(pageInfoOf(result)).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('computes the list fingerprint only when a cursor is read', async () => {
    const streams = [listStream('AUTH0', [membership('AUTH0', 'a', 'A'), membership('AUTH0', 'b', 'B')], 'ASC')];
    const validated = validateArgs({ first: 1 });
    const expensive = lazyFingerprint({ list: 'me', ...validated });
    const listFingerprint = jest.fn(expensive);
    const { page: result } = await paginate(streams, {
      request: readPageRequest({ first: 1 }, listFingerprint),
      direction: validated.direction,
      fingerprint: listFingerprint,
    });
    expect(idsOf(result.edges.map((edge) => edge.node))).toEqual(['auth0:a']);
    expect(listFingerprint).not.toHaveBeenCalled();
    const cursor = result.pageInfo.endCursor;
    expect(listFingerprint).toHaveBeenCalledTimes(1);
    expect(result.edges[0]!.cursor).toBe(cursor);
    expect(listFingerprint).toHaveBeenCalledTimes(1);
    // The cursor made lazily is the one the next page accepts.
    const next = await page(streams, { first: 1, after: cursor });
    expect(idsOf(next.page.edges.map((edge) => edge.node))).toEqual(['auth0:b']);
  });

  it('a cursor is refused by the same list in the other direction', async () => {
    const streams = [listStream('AUTH0', [membership('AUTH0', 'a', 'A'), membership('AUTH0', 'b', 'B')], 'ASC')];
    const first = await page(streams, { first: 1 });
    const error = await caught(() => page(streams, { first: 1, after: first.page.pageInfo.endCursor, orderDirection: 'DESC' }));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BAD_USER_INPUT');
  });

  it('merges a concrete example across providers', async () => {
    const streams = [
      listStream('AUTH0', [membership('AUTH0', 'o2', 'beta'), membership('AUTH0', 'o1', 'Alpha'), membership('AUTH0', 'o3', 'same')], 'ASC'),
      listStream('CLOUD_FOUNDRY', [membership('CLOUD_FOUNDRY', 'g1', 'SAME'), membership('CLOUD_FOUNDRY', 'g2', '_under')], 'ASC'),
      listStream('WACHT', [membership('WACHT', 'w1', 'Zeta'), membership('WACHT', 'w2', 'ångström')], 'ASC'),
    ];
    const first = await page(streams, { first: 3 });
    expect(idsOf(first.page.edges.map((edge) => edge.node))).toEqual(['cloudfoundry:g2', 'auth0:o1', 'auth0:o2']);
    expect(first.page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.page.totalCount).toBe(7);
    const second = await page(streams, { first: 3, after: first.page.pageInfo.endCursor });
    expect(idsOf(second.page.edges.map((edge) => edge.node))).toEqual(['auth0:o3', 'cloudfoundry:g1', 'wacht:w1']);
    expect(streams.map((stream) => stream.requests[1])).toEqual([
      { from: 'start', offset: 2, limit: 3 },
      { from: 'start', offset: 1, limit: 3 },
      { from: 'start', offset: 0, limit: 3 },
    ]);
    const third = await page(streams, { first: 3, after: second.page.pageInfo.endCursor });
    expect(idsOf(third.page.edges.map((edge) => edge.node))).toEqual(['wacht:w2']);
    expect(third.page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});

describe('a provider whose own order differs from ours (Cloud Foundry collation)', () => {
  /** CF's records in an arbitrary but fixed order; the other providers sorted as usual. */
  const setupArb = fc
    .tuple(
      catalogArb,
      recordsArb('CLOUD_FOUNDRY').chain((cf) => fc.shuffledSubarray(cf, { minLength: cf.length, maxLength: cf.length })),
      directionArb,
      sizeArb,
    )
    .map(([catalog, shuffled, direction, size]) => {
      const others = catalog.filter(([provider]) => provider !== 'CLOUD_FOUNDRY');
      return { others, shuffled, direction, size };
    });

  function streamsFor(setup: { others: [IdentityProvider, MembershipRecord[]][]; shuffled: MembershipRecord[]; direction: OrderDirection }) {
    return [
      ...setup.others.map(([provider, records]) => listStream(provider, records, setup.direction)),
      fixedOrderStream('CLOUD_FOUNDRY', setup.shuffled),
    ];
  }

  function checkWalk(ids: string[], setup: { others: [IdentityProvider, MembershipRecord[]][]; shuffled: MembershipRecord[]; direction: OrderDirection }) {
    const everything = [...setup.others.flatMap(([, records]) => records), ...setup.shuffled];
    // Every item exactly once.
    expect([...ids].sort()).toEqual(idsOf(everything).sort());
    expect(new Set(ids).size).toBe(ids.length);
    // Each provider's items keep that provider's own order.
    expect(ids.filter((id) => id.startsWith('cloudfoundry:'))).toEqual(idsOf(setup.shuffled));
    for (const [provider, records] of setup.others) {
      const prefix = provider === 'AUTH0' ? 'auth0:' : 'wacht:';
      expect(ids.filter((id) => id.startsWith(prefix))).toEqual(idsOf([...records].sort(comparatorFor(setup.direction))));
    }
  }

  it('the forward walk still yields every item exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, async (setup) => {
        const streams = streamsFor(setup);
        const total = setup.shuffled.length + setup.others.reduce((sum, [, records]) => sum + records.length, 0);
        const walk = await walkForward(streams, setup.direction, setup.size);
        checkWalk(walk.ids, setup);
        for (const { page: result } of walk.pages) expect(result.totalCount).toBe(total);
      }),
      RUNS,
    );
  });

  it('the backward walk still yields every item exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, async (setup) => {
        const streams = streamsFor(setup);
        const total = setup.shuffled.length + setup.others.reduce((sum, [, records]) => sum + records.length, 0);
        const walk = await walkBackward(streams, setup.direction, setup.size);
        checkWalk(walk.ids, setup);
        for (const { page: result } of walk.pages) expect(result.totalCount).toBe(total);
      }),
      RUNS,
    );
  });

  it('a concrete case: punctuation sorted differently upstream', async () => {
    // Suppose the database puts '_' after letters; we put it before.
    const cf = [membership('CLOUD_FOUNDRY', 'g1', 'alpha'), membership('CLOUD_FOUNDRY', 'g2', '_beta'), membership('CLOUD_FOUNDRY', 'g3', 'gamma')];
    const streams = [
      listStream('AUTH0', [membership('AUTH0', 'o1', 'Apple'), membership('AUTH0', 'o2', 'delta')], 'ASC'),
      fixedOrderStream('CLOUD_FOUNDRY', cf),
    ];
    const forward = await walkForward(streams, 'ASC', 2);
    expect(forward.ids).toEqual(['cloudfoundry:g1', 'cloudfoundry:g2', 'auth0:o1', 'auth0:o2', 'cloudfoundry:g3']);
    const backward = await walkBackward(streams, 'ASC', 2);
    expect([...backward.ids].sort()).toEqual([...forward.ids].sort());
  });
});

describe('a list that shrank since the cursors were made', () => {
  const records = Array.from({ length: 10 }, (_, index) => membership('AUTH0', `a${index + 1}`, `n${String(index + 1).padStart(2, '0')}`));

  it('`before` past its new end: the page is still its last items, the window asked for again once', async () => {
    const edges = (await page([listStream('AUTH0', records, 'ASC')], { first: 10 })).page.edges;
    const before = edges[9]!.cursor;
    const afterA1 = edges[0]!.cursor;
    const cases: Array<[ConnectionArgs, string[], boolean]> = [
      [{ before, last: 3 }, ['auth0:a3', 'auth0:a4', 'auth0:a5'], true],
      [{ after: afterA1, before, last: 3 }, ['auth0:a3', 'auth0:a4', 'auth0:a5'], true],
      [{ after: afterA1, before, last: 10 }, ['auth0:a2', 'auth0:a3', 'auth0:a4', 'auth0:a5'], false],
      [{ after: afterA1, before, first: 2 }, ['auth0:a2', 'auth0:a3'], true],
    ];
    for (const [args, shown, more] of cases) {
      const shrunk = listStream('AUTH0', records.slice(0, 5), 'ASC');
      const { page: result } = await page([shrunk], args);
      expect([args, idsOf(result.edges.map((edge) => edge.node))]).toEqual([args, shown]);
      const direction = args.last === undefined ? 'hasNextPage' : 'hasPreviousPage';
      expect([args, result.pageInfo[direction], result.pageInfo.startCursor === result.edges[0]?.cursor]).toEqual([args, more, true]);
      expect(result.totalCount).toBe(5);
      expect(shrunk.requests.length).toBeLessThanOrEqual(2);
    }
  });

  it('asks again only the provider that missed, and only for what the page may show', async () => {
    const others = [membership('WACHT', 'w1', 'zz')];
    const edges = (await page([listStream('AUTH0', records, 'ASC'), listStream('WACHT', others, 'ASC')], { first: 11 })).page.edges;
    const [afterA3, before] = [edges[2]!.cursor, edges[9]!.cursor];
    const shrunk = listStream('AUTH0', records.slice(0, 5), 'ASC');
    const wacht = listStream('WACHT', others, 'ASC');
    const { page: result } = await page([shrunk, wacht], { after: afterA3, before, last: 5 });
    expect(idsOf(result.edges.map((edge) => edge.node))).toEqual(['auth0:a4', 'auth0:a5']);
    expect(shrunk.requests).toEqual([
      { from: 'start', offset: 4, limit: 5 },
      { from: 'start', offset: 3, limit: 2 },
    ]);
    expect(wacht.requests).toEqual([{ from: 'start', offset: 0, limit: 0 }]);
  });
});

describe('provider failures', () => {
  const auth0 = [membership('AUTH0', 'o1', 'Beta'), membership('AUTH0', 'o2', 'delta')];
  const cf = [membership('CLOUD_FOUNDRY', 'g1', 'alpha'), membership('CLOUD_FOUNDRY', 'g2', 'Charlie')];
  const outage = () => new AppError('UPSTREAM_UNAVAILABLE', 'Wacht did not answer', { provider: 'WACHT' });

  it('leaves out a provider that is unavailable, lists it, and keeps the others', async () => {
    const error = outage();
    const wacht = failingStream('WACHT', error);
    const { page: result, failures } = await page(
      [listStream('AUTH0', auth0, 'ASC'), wacht, listStream('CLOUD_FOUNDRY', cf, 'ASC')],
      { first: 10 },
    );
    expect(idsOf(result.edges.map((edge) => edge.node))).toEqual(['cloudfoundry:g1', 'auth0:o1', 'cloudfoundry:g2', 'auth0:o2']);
    expect(result.totalCount).toBe(4);
    expect(result.unavailableProviders).toEqual(['WACHT']);
    expect(failures).toEqual([error]);
    expect(failures[0]).toBe(error);
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(wacht.requests).toEqual([{ from: 'start', offset: 0, limit: 10 }]);
  });

  it('lists every unavailable provider, in provider order', async () => {
    const { page: result, failures } = await page(
      [
        failingStream('WACHT', outage()),
        listStream('CLOUD_FOUNDRY', cf, 'ASC'),
        failingStream('AUTH0', new AppError('RATE_LIMITED', 'slow down', { provider: 'AUTH0', retryAfter: 3 })),
      ],
      { last: 10 },
    );
    expect(idsOf(result.edges.map((edge) => edge.node))).toEqual(['cloudfoundry:g1', 'cloudfoundry:g2']);
    expect(result.totalCount).toBe(2);
    expect(result.unavailableProviders).toEqual(['AUTH0', 'WACHT']);
    expect(failures.map((failure) => failure.details.provider).sort()).toEqual(['AUTH0', 'WACHT']);
  });

  it('comes back empty, with the failure, when the only provider fails', async () => {
    const error = outage();
    const { page: result, failures } = await page([failingStream('WACHT', error)], {});
    expect(result.edges).toEqual([]);
    expect(result.totalCount).toBe(0);
    expect(result.unavailableProviders).toEqual(['WACHT']);
    expect(pageInfoOf(result)).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(failures).toEqual([error]);
  });

  it('a provider failing mid-walk loses none of the others\' items and repeats none', async () => {
    const wachtRecords = [membership('WACHT', 'w1', 'bravo'), membership('WACHT', 'w2', 'echo')];
    let wachtDown = false;
    const wachtList = listStream('WACHT', wachtRecords, 'ASC');
    const wacht: ProviderStream = {
      provider: 'WACHT',
      fetch: (request) => (wachtDown ? Promise.reject(outage()) : wachtList.fetch(request)),
    };
    const streams = [listStream('AUTH0', auth0, 'ASC'), listStream('CLOUD_FOUNDRY', cf, 'ASC'), wacht];
    const first = await page(streams, { first: 2 });
    expect(idsOf(first.page.edges.map((edge) => edge.node))).toEqual(['cloudfoundry:g1', 'auth0:o1']);
    wachtDown = true;
    const second = await page(streams, { first: 2, after: first.page.pageInfo.endCursor });
    expect(idsOf(second.page.edges.map((edge) => edge.node))).toEqual(['cloudfoundry:g2', 'auth0:o2']);
    expect(second.page.unavailableProviders).toEqual(['WACHT']);
    wachtDown = false;
    const third = await page(streams, { first: 2, after: second.page.pageInfo.endCursor });
    // Wacht resumes where it stood: its items were neither skipped nor repeated.
    expect(idsOf(third.page.edges.map((edge) => edge.node))).toEqual(['wacht:w1', 'wacht:w2']);
    expect(third.page.pageInfo.hasNextPage).toBe(false);
  });

  it.each([
    ['`last`', () => ({ last: 1 }), ['auth0:a2']],
    ['`after` with `last`', (cursorOfA1: string) => ({ after: cursorOfA1, last: 1 }), ['auth0:a2']],
  ])('a provider failing on the page of %s (its end not known) shows all its items as the walk goes on, either way', async (_, args, shown) => {
    const auth0Records = [membership('AUTH0', 'a1', 'a'), membership('AUTH0', 'a2', 'c')];
    const wachtList = listStream('WACHT', [membership('WACHT', 'w1', 'b'), membership('WACHT', 'w2', 'd')], 'ASC');
    let wachtDown = false;
    const wacht: ProviderStream = {
      provider: 'WACHT',
      fetch: (request) => (wachtDown ? Promise.reject(outage()) : wachtList.fetch(request)),
    };
    const streams = [listStream('AUTH0', auth0Records, 'ASC'), wacht];
    const cursorOfA1 = (await page(streams, { first: 1 })).page.pageInfo.endCursor!;
    wachtDown = true;
    const during = await page(streams, args(cursorOfA1));
    expect(idsOf(during.page.edges.map((edge) => edge.node))).toEqual(shown);
    expect(during.page.unavailableProviders).toEqual(['WACHT']);
    wachtDown = false;
    wachtList.requests.length = 0;

    const backward = await page(streams, { last: 5, before: during.page.pageInfo.startCursor });
    expect(idsOf(backward.page.edges.map((edge) => edge.node))).toEqual(['auth0:a1', 'wacht:w1', 'wacht:w2']);
    expect(backward.page.pageInfo.hasPreviousPage).toBe(false);
    const forward = await page(streams, { first: 5, after: during.page.pageInfo.endCursor });
    expect(idsOf(forward.page.edges.map((edge) => edge.node))).toEqual(['wacht:w1', 'wacht:w2']);
    expect(forward.page.pageInfo.hasNextPage).toBe(false);
    // Where its list ends was not known: no window is asked for at a made-up position.
    expect(wachtList.requests).toEqual([
      { from: 'end', limit: 5 },
      { from: 'start', offset: 0, limit: 5 },
    ]);
  });

  it('a provider failing mid-way through a backward walk: every item still comes once', async () => {
    const auth0Records = ['a', 'c', 'e', 'g', 'i'].map((name) => membership('AUTH0', name, name));
    const wachtList = listStream('WACHT', ['b', 'd', 'f', 'h', 'j'].map((name) => membership('WACHT', name, name)), 'ASC');
    let wachtDown = false;
    const wacht: ProviderStream = {
      provider: 'WACHT',
      fetch: (request) => (wachtDown ? Promise.reject(outage()) : wachtList.fetch(request)),
    };
    const streams = [listStream('AUTH0', auth0Records, 'ASC'), wacht];
    const seen: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 20; pages += 1) {
      wachtDown = pages === 1 || pages === 2;
      const { page: result } = await page(streams, { last: 2, before });
      seen.push(...idsOf(result.edges.map((edge) => edge.node)));
      if (!result.pageInfo.hasPreviousPage && !wachtDown) break;
      before = result.pageInfo.startCursor;
    }
    expect(seen.sort()).toEqual([...idsOf(auth0Records), ...idsOf(['b', 'd', 'f', 'h', 'j'].map((name) => membership('WACHT', name, name)))].sort());
  });

  it('a plain Error is a bug, not a provider failure: paginate rejects', async () => {
    const bug = new Error('TypeError in a mapper');
    const error = await caught(() =>
      page([listStream('AUTH0', auth0, 'ASC'), failingStream('CLOUD_FOUNDRY', bug)], { first: 5 }),
    );
    expect(error).toBe(bug);
  });

  it('a plain Error wins even when another provider is merely unavailable', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const error = await caught(() =>
      page([failingStream('WACHT', outage()), failingStream('AUTH0', bug)], { first: 5 }),
    );
    expect(error).toBe(bug);
  });
});

describe('completing the items on the page (their roles, when selected)', () => {
  const auth0 = [membership('AUTH0', 'o1', 'Beta'), membership('AUTH0', 'o2', 'delta'), membership('AUTH0', 'o3', 'foxtrot')];
  const cf = [membership('CLOUD_FOUNDRY', 'g1', 'alpha'), membership('CLOUD_FOUNDRY', 'g2', 'Charlie')];
  const wacht = [membership('WACHT', 'w1', 'echo'), membership('WACHT', 'w2', 'golf')];
  const rolesDown = () => new AppError('UPSTREAM_UNAVAILABLE', 'roles did not answer', { provider: 'CLOUD_FOUNDRY' });
  const ids = (result: PageResult) => idsOf(result.page.edges.map((edge) => edge.node));
  /** A list that completes its items as `complete` says, recording what it was asked to complete. */
  const completing = (stream: ProviderStream, complete: () => Promise<void>) => {
    const asked: string[][] = [];
    const completed: ProviderStream = {
      ...stream,
      complete: (items) => {
        asked.push(idsOf(items));
        return complete();
      },
    };
    return { stream: completed, asked };
  };

  it('completes only the items the page shows, each provider its own, once', async () => {
    const a = completing(listStream('AUTH0', auth0, 'ASC'), async () => {});
    const c = completing(listStream('CLOUD_FOUNDRY', cf, 'ASC'), async () => {});
    const result = await page([a.stream, c.stream], { first: 3 });
    expect(ids(result)).toEqual(['cloudfoundry:g1', 'auth0:o1', 'cloudfoundry:g2']);
    expect(a.asked).toEqual([['auth0:o1']]);
    expect(c.asked).toEqual([['cloudfoundry:g1', 'cloudfoundry:g2']]);
    expect(result.failures).toEqual([]);
    expect(result.page.unavailableProviders).toEqual([]);
  });

  it('a provider that cannot complete is unavailable: the page is made again from the others, and what that brings on is completed', async () => {
    const error = rolesDown();
    let cfDown = true;
    const a = completing(listStream('AUTH0', auth0, 'ASC'), async () => {});
    const c = completing(listStream('CLOUD_FOUNDRY', cf, 'ASC'), () => (cfDown ? Promise.reject(error) : Promise.resolve()));
    // Wacht's items carry their roles: it has nothing to complete.
    const streams = [a.stream, c.stream, listStream('WACHT', wacht, 'ASC')];
    const first = await page(streams, { first: 3 });
    expect(ids(first)).toEqual(['auth0:o1', 'auth0:o2', 'wacht:w1']);
    expect(first.page.totalCount).toBe(5);
    expect(first.page.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
    expect(first.failures).toEqual([error]);
    expect(c.asked).toEqual([['cloudfoundry:g1', 'cloudfoundry:g2']]);
    expect(a.asked).toEqual([['auth0:o1'], ['auth0:o1', 'auth0:o2']]);

    // As for a provider whose list failed: its position rides along, so none of its items is lost.
    cfDown = false;
    const second = await page(streams, { first: 3, after: first.page.pageInfo.endCursor });
    expect(ids(second)).toEqual(['cloudfoundry:g1', 'cloudfoundry:g2', 'auth0:o3']);
    expect(second.page.unavailableProviders).toEqual([]);
  });

  it('every provider failing to complete leaves an empty page listing them all', async () => {
    const auth0Down = new AppError('RATE_LIMITED', 'slow down', { provider: 'AUTH0', retryAfter: 2 });
    const a = completing(listStream('AUTH0', auth0, 'ASC'), () => Promise.reject(auth0Down));
    const c = completing(listStream('CLOUD_FOUNDRY', cf, 'ASC'), () => Promise.reject(rolesDown()));
    const result = await page([a.stream, c.stream], { last: 2 });
    expect(ids(result)).toEqual([]);
    expect(result.page.totalCount).toBe(0);
    expect(result.page.unavailableProviders).toEqual(['AUTH0', 'CLOUD_FOUNDRY']);
    expect(result.failures.map((failure) => failure.details.provider).sort()).toEqual(['AUTH0', 'CLOUD_FOUNDRY']);
  });

  it('a plain Error while completing is a bug: paginate rejects', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const c = completing(listStream('CLOUD_FOUNDRY', cf, 'ASC'), () => Promise.reject(bug));
    expect(await caught(() => page([listStream('AUTH0', auth0, 'ASC'), c.stream], { first: 3 }))).toBe(bug);
  });

  it('completion failing on random pages: the others’ items come once each, in order; the failing provider’s once each, in its order, all of them unless the walk ends in its outage', async () => {
    await fc.assert(
      fc.asyncProperty(
        catalogArb.filter((catalog) => catalog.length > 0),
        sizeArb,
        directionArb,
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 30 }),
        async (catalog, size, direction, pick, failOn) => {
          const failing = catalog[pick % catalog.length]![0];
          const isFailing = (id: string) => id.startsWith(`${ID_PREFIX[failing]}:`);
          let pageIndex = 0;
          const streams = catalog.map(([provider, records]): ProviderStream => {
            const stream = listStream(provider, records, direction);
            if (provider !== failing) return stream;
            return {
              ...stream,
              complete: async (items) => {
                expect(items.length).toBeGreaterThan(0);
                if (failOn[pageIndex]) throw new AppError('UPSTREAM_UNAVAILABLE', 'roles down', { provider });
              },
            };
          });
          const seen: string[] = [];
          let after: string | null = null;
          let last: PageResult;
          do {
            last = await page(streams, { first: size, after, orderDirection: direction });
            const ids = idsOf(last.page.edges.map((edge) => edge.node));
            if (last.page.unavailableProviders.length > 0) {
              expect(last.page.unavailableProviders).toEqual([failing]);
              expect(ids.some(isFailing)).toBe(false);
            }
            seen.push(...ids);
            after = last.page.pageInfo.endCursor;
            pageIndex += 1;
          } while (last.page.pageInfo.hasNextPage);

          const expected = expectedOrder(catalog, direction);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.filter((id) => !isFailing(id))).toEqual(expected.filter((id) => !isFailing(id)));
          const own = expected.filter(isFailing);
          const ownSeen = seen.filter(isFailing);
          expect(ownSeen).toEqual(own.slice(0, ownSeen.length));
          if (last.page.unavailableProviders.length === 0) expect(ownSeen).toEqual(own);
        },
      ),
      RUNS,
    );
  });
});
