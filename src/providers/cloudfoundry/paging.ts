/**
 * The engine's windows in Cloud Controller v2 paging (`page`, 1-based, of `results-per-page`
 * ≤ 100), reading at most two upstream pages per window, and one whenever some page size can
 * hold the whole window in one page.
 *
 * Request counts per window:
 * - `{from: 'start', offset, limit}`: 1 when a page size P in [limit, 100] puts the window in
 *   one page (always when offset is a multiple of limit, as in a walk with a constant page
 *   size); else 2 (pages k and k+1 of P = limit). `limit` 0: 1 (results-per-page 1, for the
 *   total).
 * - `{from: 'end', limit}`: always 1. The last `limit` items in one order are the first
 *   `limit` items in the other, reversed, so page 1 is read in the opposite direction; its
 *   `total_results` places them. (Cloud Foundry's names are unique case-insensitively, so
 *   its `desc` order is exactly its `asc` order reversed.)
 */
import type { WindowRequest } from '../provider';

/** Cloud Controller's cap on `results-per-page`, and the engine's on a window. */
export const MAX_RESULTS_PER_PAGE = 100;

/** One upstream list request. */
export interface PageRead {
  /** 1-based. */
  page: number;
  resultsPerPage: number;
  /** Read in the opposite of the list's direction. */
  reversed: boolean;
}

/** What one page read gave: its items in the order read, and the list's length. */
export interface PageAnswer<T> {
  items: T[];
  total: number;
}

export interface Window<T> {
  items: T[];
  /** Index of `items[0]` in the list. */
  offset: number;
  total: number;
}

/** The page reads a window needs, and how their answers make the window. */
export interface WindowPlan {
  /** Consecutive pages of one size, in order. */
  reads: PageRead[];
  /** The window, in list order, from the answers to `reads` (in the same order). */
  assemble<T>(answers: PageAnswer<T>[]): Window<T>;
}

export function planWindow(request: WindowRequest): WindowPlan {
  if (request.limit > MAX_RESULTS_PER_PAGE || request.limit < 0) {
    throw new RangeError(`a window holds 0 to ${MAX_RESULTS_PER_PAGE} items, not ${request.limit}`);
  }
  if (request.from === 'end') {
    return {
      // Cloud Controller refuses results-per-page 0; a page of one still says the total.
      reads: [{ page: 1, resultsPerPage: Math.max(1, request.limit), reversed: true }],
      assemble: (answers) => {
        const total = totalOf(answers);
        const tail = answers.flatMap((answer) => answer.items).slice(0, request.limit).reverse();
        return { items: tail, offset: total - tail.length, total };
      },
    };
  }
  const reads = forwardReads(request.offset, request.limit);
  const skip = request.offset - (reads[0]!.page - 1) * reads[0]!.resultsPerPage;
  return {
    reads,
    assemble: (answers) => ({
      items: answers.flatMap((answer) => answer.items).slice(skip, skip + request.limit),
      offset: request.offset,
      total: totalOf(answers),
    }),
  };
}

function forwardReads(offset: number, limit: number): PageRead[] {
  if (limit === 0) return [{ page: 1, resultsPerPage: 1, reversed: false }];
  const last = offset + limit - 1;
  for (let size = limit; size <= MAX_RESULTS_PER_PAGE; size++) {
    const page = Math.floor(offset / size);
    if (page === Math.floor(last / size)) return [{ page: page + 1, resultsPerPage: size, reversed: false }];
  }
  // No size holds it in one page; with P = limit it spans exactly two, the fewest items read.
  const first = Math.floor(offset / limit) + 1;
  return [
    { page: first, resultsPerPage: limit, reversed: false },
    { page: first + 1, resultsPerPage: limit, reversed: false },
  ];
}

/** Every page says the list's length; the first one read is taken. */
function totalOf(answers: PageAnswer<unknown>[]): number {
  return answers[0]?.total ?? 0;
}
