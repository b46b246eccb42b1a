/**
 * Cloud Controller v2's paging, for the fake Cloud Controller's lists: the `page`,
 * `results-per-page`, `order-by` and `order-direction` parameters, the rows' order, and the
 * list envelope with its `prev_url` and `next_url`.
 */
import { CloudControllerError, unknownError } from './errors';
import { codeUnitOrder } from './q-parser';

const DEFAULT_RESULTS_PER_PAGE = 50;
const MAX_RESULTS_PER_PAGE = 100;

export type OrderBy = 'id' | 'name';

export interface Paging {
  page: number;
  resultsPerPage: number;
  orderDirection: 'asc' | 'desc';
  /** As given: `next_url` repeats it only then. */
  orderBy: OrderBy | undefined;
  q: string[];
}

/** How two rows compare in one `order-by`: negative, zero or positive. */
export type RowOrder<T> = (a: T, b: T) => number;

/**
 * The paging parameters, checked in Cloud Controller's order. A non-integer, or a `page` or
 * `results-per-page` below 1, fails in its database layer: a 500, not a 400.
 */
export function readPaging(query: URLSearchParams): Paging {
  const page = integerParam(query, 'page', 1);
  const resultsPerPage = integerParam(query, 'results-per-page', DEFAULT_RESULTS_PER_PAGE);
  if (resultsPerPage > MAX_RESULTS_PER_PAGE) {
    throw CloudControllerError.badQueryParameter(
      `results_per_page must be <= ${MAX_RESULTS_PER_PAGE}`,
    );
  }
  const orderDirection = query.get('order-direction') ?? 'asc';
  if (orderDirection !== 'asc' && orderDirection !== 'desc') {
    throw CloudControllerError.badQueryParameter(
      `order_direction must be 'asc' or 'desc' but was '${orderDirection}'`,
    );
  }
  const orderBy = query.get('order-by') ?? undefined;
  if (orderBy !== undefined && orderBy !== 'id' && orderBy !== 'name') {
    throw CloudControllerError.badQueryParameter(orderBy);
  }
  if (page < 1 || resultsPerPage < 1) throw unknownError();
  return { page, resultsPerPage, orderDirection, orderBy, q: query.getAll('q') };
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^[+-]?\d+$/.test(value.trim())) throw unknownError();
  return Number(value);
}

/** The rows in the order asked for: `order-by` (`id` unless given), then `order-direction`. */
export function sortRows<T>(rows: T[], paging: Paging, orders: Record<OrderBy, RowOrder<T>>): T[] {
  const sorted = rows.toSorted(orders[paging.orderBy ?? 'id']);
  return paging.orderDirection === 'desc' ? sorted.reverse() : sorted;
}

/** The v2 list envelope (Sequel's pagination: at least one page, even when empty). */
export function pageOf<T, R>(rows: T[], paging: Paging, path: string, resource: (row: T) => R) {
  const { page, resultsPerPage } = paging;
  const totalPages = Math.max(1, Math.ceil(rows.length / resultsPerPage));
  const start = (page - 1) * resultsPerPage;
  return {
    total_results: rows.length,
    total_pages: totalPages,
    prev_url: page > 1 ? pageUrl(path, paging, page - 1) : null,
    next_url: page < totalPages ? pageUrl(path, paging, page + 1) : null,
    resources: rows.slice(start, start + resultsPerPage).map(resource),
  };
}

/**
 * As Cloud Controller builds it with Addressable: keys sorted, `q` repeated as given,
 * `order-direction` always, `order-by` only when it was asked for.
 */
function pageUrl(path: string, paging: Paging, page: number): string {
  const params: Array<[string, string]> = [
    ['page', String(page)],
    ['results-per-page', String(paging.resultsPerPage)],
    ['order-direction', paging.orderDirection],
    ...paging.q.map((value): [string, string] => ['q', value]),
    ...(paging.orderBy ? [['order-by', paging.orderBy] as [string, string]] : []),
  ];
  // Array sort is stable, so repeated `q` keep their order.
  params.sort(([a], [b]) => codeUnitOrder(a, b));
  return `${path}?${params.map(([key, value]) => `${key}=${encodeQueryValue(value)}`).join('&')}`;
}

/**
 * Addressable's normalized query: what RFC 3986 allows literally in a query stays literal
 * (`:`, `,`, `=`, `@`, `/`, `?`, `$`), `+` stays `%2B`, everything else is percent-encoded.
 */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%(24|2C|2F|3A|3D|3F|40)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}
