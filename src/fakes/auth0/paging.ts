/**
 * The Management API's offset paging and the strict validation of its query strings, as Auth0
 * answers them: which parameters a list accepts, their bounds, the 1000-record wall, and the
 * validator's messages.
 */
import { AUTH0_ERRORS, HttpAnswer } from './errors';

/** Offset paging cannot reach past this many records (Auth0 refuses the request). */
const MAX_REACHABLE_RECORDS = 1000;
const DEFAULT_PER_PAGE = 50;

export interface Paging {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

interface IntegerParam {
  name: string;
  minimum: number;
  maximum: number;
  description: string;
}

/** Auth0 names each property in its validation messages by its documented description. */
const PAGE: IntegerParam = {
  name: 'page',
  minimum: 0,
  maximum: 1000,
  description: 'Page index of the results to return. First page is 0.',
};
const PER_PAGE: IntegerParam = {
  name: 'per_page',
  minimum: 1,
  maximum: 100,
  description: 'Number of results per page. Defaults to 50.',
};
const INCLUDE_TOTALS = {
  name: 'include_totals',
  description:
    'Return results inside an object that contains the total result count (true) or as a direct array of results (false, default).',
};
const PAGING_PARAMS = [PAGE.name, PER_PAGE.name, INCLUDE_TOTALS.name];

export function parsePaging(query: URLSearchParams): Paging {
  rejectUnknownParams(query, PAGING_PARAMS);
  const paging = {
    page: integerParam(query, PAGE) ?? 0,
    perPage: integerParam(query, PER_PAGE) ?? DEFAULT_PER_PAGE,
    includeTotals: booleanParam(query, INCLUDE_TOTALS.name, INCLUDE_TOTALS.description) ?? false,
  };
  if ((paging.page + 1) * paging.perPage > MAX_REACHABLE_RECORDS) {
    throw new HttpAnswer(
      400,
      AUTH0_ERRORS.invalidQueryString(
        `You can only page through the first ${MAX_REACHABLE_RECORDS} records: (page + 1) * per_page must not exceed ${MAX_REACHABLE_RECORDS}.`,
      ),
    );
  }
  return paging;
}

/** `include_totals=false`: the bare array; `true`: `{start, limit, total, <totalsKey>}`. */
export function paginate(items: readonly unknown[], paging: Paging, totalsKey: string): unknown {
  const start = paging.page * paging.perPage;
  const slice = items.slice(start, start + paging.perPage);
  return paging.includeTotals ? { start, limit: paging.perPage, total: items.length, [totalsKey]: slice } : slice;
}

export function rejectUnknownParams(query: URLSearchParams, allowed: readonly string[]): void {
  const unknown = [...query.keys()].find((name) => !allowed.includes(name));
  if (unknown !== undefined) throw queryError(`Additional properties not allowed: ${unknown}`, 'query', 'Query parameters');
}

function integerParam(query: URLSearchParams, param: IntegerParam): number | undefined {
  const raw = singleValue(query, param.name, 'integer', param.description);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    throw queryError(`Expected type integer but found type ${jsonTypeOf(raw)}`, param.name, param.description);
  }
  const value = Number(raw);
  if (value < param.minimum) {
    throw queryError(`Value ${value} is less than minimum ${param.minimum}`, param.name, param.description);
  }
  if (value > param.maximum) {
    throw queryError(`Value ${value} is greater than maximum ${param.maximum}`, param.name, param.description);
  }
  return value;
}

function booleanParam(query: URLSearchParams, name: string, description: string): boolean | undefined {
  const raw = singleValue(query, name, 'boolean', description);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') {
    throw queryError(`Expected type boolean but found type ${jsonTypeOf(raw)}`, name, description);
  }
  return raw === 'true';
}

/** A repeated parameter arrives as an array, which no paging parameter accepts. */
function singleValue(query: URLSearchParams, name: string, type: string, description: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw queryError(`Expected type ${type} but found type array`, name, description);
  return values[0];
}

/** How Auth0's validator, after coercing the query string, names a value it cannot use. */
function jsonTypeOf(raw: string): string {
  return raw.trim() !== '' && Number.isFinite(Number(raw)) ? 'number' : 'string';
}

function queryError(problem: string, property: string, description: string): HttpAnswer {
  return new HttpAnswer(
    400,
    AUTH0_ERRORS.invalidQueryString(`Query validation error: '${problem}' on property ${property} (${description})`),
  );
}
