/**
 * The connection engine: asks each provider for the window a page needs, merges the
 * windows by name, and builds the Relay page, with cursors that hold every provider's
 * position. A provider that fails leaves the others' items and is reported, not thrown;
 * its position rides along in the cursors, and `hasNextPage`/`hasPreviousPage` speak only
 * of the providers that answered (so a walk during an outage ends). A provider that cannot
 * complete the items the page shows (their roles, when selected) fails the same way.
 */
import type { IdentityProvider, OrderDirection } from '../graphql/generated';
import { AppError } from '../errors';
import {
  PROVIDER_ORDER,
  type MembershipRecord,
  type WindowAnswer,
  type WindowRequest,
} from '../providers/provider';
import type { PageRequest } from './arguments';
import { UNKNOWN_POSITION, encodeCursor } from './cursor';
import { mergeHeads, mergeTails, type Pick } from './merge';
import { comparatorFor } from './order';

export interface ConnectionEdge {
  cursor: string;
  node: MembershipRecord;
}

/** Relay's page info, its cursors always given (null only for an empty page). */
export interface PageCursors {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface ConnectionPage {
  edges: ConnectionEdge[];
  pageInfo: PageCursors;
  totalCount: number;
  unavailableProviders: IdentityProvider[];
}

/** One provider's filtered, sorted list, as the engine reads it. */
export interface ProviderStream {
  provider: IdentityProvider;
  fetch(request: WindowRequest): Promise<WindowAnswer>;
  /**
   * Loads what the page needs of this provider's items beyond their window (roles, when the
   * query selects them), for its items on the page (called only when there are some);
   * rejects when it cannot.
   */
  complete?(items: MembershipRecord[]): Promise<void>;
}

export interface PageResult {
  page: ConnectionPage;
  /** Why each unavailable provider is missing. */
  failures: AppError[];
}

export interface PageQuery {
  request: PageRequest;
  direction: OrderDirection;
  /** The fingerprint of the list's arguments, bound into every cursor (computed when one is made). */
  fingerprint: () => string;
}

/** What one provider contributed: its items in list order and where they sit. */
interface Window {
  slot: number;
  items: MembershipRecord[];
  /** List index of items[0]. */
  offset: number;
  total: number;
}

export async function paginate(streams: ProviderStream[], query: PageQuery): Promise<PageResult> {
  const { request } = query;
  const failures: AppError[] = [];
  let windows = await fetchWindows(streams, request, failures);
  const pageOf = (answered: Window[]) => {
    const failed = streams.map((stream) => slotOf(stream.provider)).filter((slot) => !answered.some((window) => window.slot === slot));
    return pageFrom(answered, failed, request, query);
  };
  let page = pageOf(windows);
  // Completing can fail a provider; the page is then made again from the others' windows, as
  // full as they allow, and the items that brings onto it are completed in turn (loaders
  // answer the ones already completed without asking again). At most one round per provider.
  let failed = await completeItems(streams, page, failures);
  while (failed.size > 0) {
    windows = windows.filter((window) => !failed.has(window.slot));
    page = pageOf(windows);
    failed = await completeItems(streams, page, failures);
  }
  page.unavailableProviders = PROVIDER_ORDER.filter((name) =>
    failures.some((failure) => failure.details.provider === name),
  );
  return { page, failures };
}

/**
 * Each answering provider's window of the slice. A window is asked for again, once, where it
 * missed what the page may show: a list that shrank since `before`'s cursor was made (the
 * window was taken back from a position past its new end).
 */
async function fetchWindows(streams: ProviderStream[], request: PageRequest, failures: AppError[]): Promise<Window[]> {
  let answers = await providerOutcomes(
    streams.map((stream) => stream.fetch(windowRequest(request, slotOf(stream.provider)))),
    failures,
  );
  const missed = answers.map((answer, index) => answer && missedWindow(request, slotOf(streams[index]!.provider), answer));
  if (missed.some(Boolean)) {
    answers = await providerOutcomes(
      answers.map((answer, index) => (missed[index] ? streams[index]!.fetch(missed[index]) : Promise.resolve(answer))),
      failures,
    );
  }
  return answers.flatMap((answer, index) => (answer ? [{ slot: slotOf(streams[index]!.provider), ...answer }] : []));
}

function windowRequest(request: PageRequest, slot: number): WindowRequest {
  const { size, paging } = request;
  const from = request.from[slot]!;
  const to = request.to?.[slot];
  if (to === undefined || to === UNKNOWN_POSITION) {
    // Without `before` the end of the list is not known yet: items before `from` are dropped when the page is made.
    return paging === 'forward' ? { from: 'start', offset: from, limit: size } : { from: 'end', limit: size };
  }
  const limit = Math.min(size, Math.max(0, to - from));
  return { from: 'start', offset: paging === 'forward' ? from : to - limit, limit };
}

/** What the page may take of this provider's list, in positions of the list as it is now. */
function sliceOf(request: PageRequest, slot: number, total: number): { low: number; high: number } {
  // The list may have shrunk since the cursors were made: positions past its end mean its end.
  const low = Math.min(request.from[slot]!, total);
  const high = Math.max(low, Math.min(request.to?.[slot] ?? total, total));
  return { low, high };
}

/** The window to ask for instead when `answer` does not hold the part of the slice the page may show. */
function missedWindow(request: PageRequest, slot: number, answer: WindowAnswer): WindowRequest | undefined {
  const { low, high } = sliceOf(request, slot, answer.total);
  const start = request.paging === 'forward' ? low : Math.max(low, high - request.size);
  const end = Math.min(high, start + request.size);
  const holds = start >= end || (answer.offset <= start && answer.offset + answer.items.length >= end);
  return holds ? undefined : { from: 'start', offset: start, limit: end - start };
}

/** Completes each provider's items on the page; the slots of those that could not (their errors in `failures`). */
async function completeItems(streams: ProviderStream[], page: ConnectionPage, failures: AppError[]): Promise<ReadonlySet<number>> {
  const completing = streams.flatMap((stream) => {
    if (!stream.complete) return [];
    const items = page.edges.map((edge) => edge.node).filter((node) => node.provider === stream.provider);
    return items.length > 0 ? [{ stream, items }] : [];
  });
  if (completing.length === 0) return NONE_FAILED;
  const completed = await providerOutcomes(
    completing.map(async ({ stream, items }) => {
      await stream.complete!(items);
      return true;
    }),
    failures,
  );
  return new Set(completing.filter((_completing, index) => !completed[index]).map(({ stream }) => slotOf(stream.provider)));
}

const NONE_FAILED: ReadonlySet<number> = new Set();

/**
 * Each provider's answer, or undefined where it failed as a provider (its error added to
 * `failures`); anything else is a bug, and rejects.
 */
async function providerOutcomes<T>(work: Promise<T>[], failures: AppError[]): Promise<(T | undefined)[]> {
  const settled = await Promise.allSettled(work);
  return settled.map((outcome) => {
    if (outcome.status === 'fulfilled') return outcome.value;
    if (outcome.reason instanceof AppError && outcome.reason.details.provider) {
      failures.push(outcome.reason);
      return undefined;
    }
    throw outcome.reason;
  });
}

/**
 * The page from the providers' windows: each provider's part of the slice, merged, the first
 * `size` (forward) or the last (backward). A provider that `failed` keeps the slice's bound in
 * the cursors, or UNKNOWN_POSITION when that bound is not known (`last` without `before`), so
 * that walking on still shows all of its items.
 * Page info as in Relay: the page's own direction speaks of the slice, the other of the list.
 */
function pageFrom(windows: Window[], failed: number[], request: PageRequest, query: PageQuery): ConnectionPage {
  const forward = request.paging === 'forward';
  const start = [...(forward ? request.from : (request.to ?? request.from))];
  if (!forward && !request.to) for (const slot of failed) start[slot] = UNKNOWN_POSITION;
  const parts = windows.map((window) => {
    const { low, high } = sliceOf(request, window.slot, window.total);
    return { window, low, high, items: window.items.slice(Math.max(0, low - window.offset), Math.max(0, high - window.offset)) };
  });
  const merge = forward ? mergeHeads : mergeTails;
  const picks = merge(parts.map((part) => part.items), request.size, comparatorFor(query.direction));
  const taken = countBySlot(picks, windows);
  for (const { window, low, high } of parts) start[window.slot] = forward ? low : high - taken[window.slot]!;
  const past = (part: (typeof parts)[number]) => start[part.window.slot]! + taken[part.window.slot]!;
  // Backward, whether items follow `before`: its own place, even where `after` lies beyond it.
  const beforePlace = ({ window }: (typeof parts)[number]) => Math.min(request.to?.[window.slot] ?? window.total, window.total);
  return buildPage(picks, windows, start, query, {
    hasNextPage: parts.some((part) => (forward ? past(part) < part.high : beforePlace(part) < part.window.total)),
    hasPreviousPage: parts.some((part) => start[part.window.slot]! > (forward ? 0 : part.low)),
  });
}

/** Edges with cursors: walking the picks in list order from the page's start positions. */
function buildPage(
  picks: Pick[],
  windows: Window[],
  start: number[],
  query: PageQuery,
  more: { hasNextPage: boolean; hasPreviousPage: boolean },
): ConnectionPage {
  const position = [...start];
  const edges = picks.map(({ item, stream }): ConnectionEdge => {
    const before = [...position];
    position[windows[stream]!.slot]! += 1;
    return new LazyEdge(item, query.fingerprint, before);
  });
  return {
    edges,
    pageInfo: new LazyPageInfo(edges, more),
    totalCount: windows.reduce((sum, window) => sum + window.total, 0),
    unavailableProviders: [],
  };
}

/*
 * Cursors are encoded only when read: most queries select none. Classes with getters on the
 * prototype, not object literals with getters: each literal's getter is a new closure, and V8
 * keeps what such closures hold alive through every young-generation GC until a full one
 * (measured: it made most of a request's objects outlive it, see README, Performance).
 */
class LazyEdge implements ConnectionEdge {
  readonly node: MembershipRecord;
  readonly #fingerprint: () => string;
  readonly #before: number[];
  #cursor: string | undefined;

  constructor(node: MembershipRecord, fingerprint: () => string, before: number[]) {
    this.node = node;
    this.#fingerprint = fingerprint;
    this.#before = before;
  }

  get cursor(): string {
    return (this.#cursor ??= encodeCursor(this.#fingerprint(), { before: this.#before, provider: this.node.provider }));
  }
}

class LazyPageInfo implements PageCursors {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly #edges: ConnectionEdge[];

  constructor(edges: ConnectionEdge[], more: { hasNextPage: boolean; hasPreviousPage: boolean }) {
    this.hasNextPage = more.hasNextPage;
    this.hasPreviousPage = more.hasPreviousPage;
    this.#edges = edges;
  }

  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

function countBySlot(picks: Pick[], windows: Window[]): number[] {
  const counts = PROVIDER_ORDER.map(() => 0);
  for (const pick of picks) counts[windows[pick.stream]!.slot]! += 1;
  return counts;
}

function slotOf(provider: IdentityProvider): number {
  return PROVIDER_ORDER.indexOf(provider);
}

/** A page with nothing in it, for lists no provider needs to be asked about. */
export function emptyPage(): ConnectionPage {
  return {
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    totalCount: 0,
    unavailableProviders: [],
  };
}
