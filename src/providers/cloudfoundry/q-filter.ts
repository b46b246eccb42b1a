/**
 * Turns the GraphQL `OrganizationFilter` into Cloud Controller v2 `q` filters, and builds the
 * query string that carries them.
 *
 * Grammar (cloud_controller_ng `VCAP::RestAPI::Query`): one filter is `key<op>value`, split once
 * at the first operator among `:`, `>=`, `<=`, `<`, `>`, ` IN `; `IN` values are split on `,`
 * with no escaping; a `;` separates filters inside one `q`, so a literal `;` is written `;;`.
 * Repeated `q` parameters are ANDed, so each condition gets its own `q`.
 *
 * The engine already refuses what no provider can be asked (a `,` inside an `in` value, over
 * 100 values, an empty guid) and answers `in: []` itself; this module refuses only what `q`
 * in particular cannot carry.
 */
import type {
  GuidFilter,
  InputMaybe,
  OrganizationFilter,
  OrganizationStatusFilter,
  StringFilter,
} from '../../graphql/generated';
import { ASSOCIATION_FILTERS, type AssociationField } from '../../connections/filter';
import { badUserInput } from '../../errors';
import { canonicalGuid } from './ids';

type Operator = ':' | '>' | '>=' | '<' | '<=' | ' IN ';

/** One `q` value before it is written out; `path` names the GraphQL field, for errors. */
interface Clause {
  path: string;
  key: string;
  operator: Operator;
  values: string[];
}

const NAME_COMPARISONS = [
  ['eq', ':'],
  ['gt', '>'],
  ['gte', '>='],
  ['lt', '<'],
  ['lte', '<='],
] as const satisfies ReadonlyArray<readonly [keyof StringFilter, Operator]>;

/**
 * The most the encoded `q` parameters may take. Cloud Controller sits behind nginx, whose
 * request line must fit one header buffer, 8 KiB by default (`large_client_header_buffers 4
 * 8k`; longer is 414); the method, path and paging parameters take under 200 bytes of it.
 * Five association filters of 100 guids each would need ~19 KiB.
 */
export const MAX_Q_LENGTH = 7_680;

/**
 * Throws BAD_USER_INPUT for a filter that `q` cannot carry faithfully: a `gt`/`lt` value
 * starting with `=` (Cloud Controller would read `>=`/`<=`), a value that is not well-formed
 * Unicode (it cannot be percent-encoded), or more than a request line can hold. No upstream
 * call is made for it.
 */
export function assertExpressible(filter: OrganizationFilter): void {
  toQueryFilters(filter);
}

/**
 * The `q` values (not yet percent-encoded) for `filter`, one per condition. An `in: []` is
 * written as an ` IN ` with no values, which Cloud Controller matches against nothing (the
 * engine does not ask at all in that case).
 * @throws AppError BAD_USER_INPUT as `assertExpressible` does: nothing is ever sent with
 * another meaning than the one asked for.
 */
export function toQueryFilters(filter: OrganizationFilter): string[] {
  const q = clausesOf(filter).map((clause) => {
    assertSendable(clause);
    return render(clause);
  });
  const length = toQueryString(q, {}).length;
  if (length > MAX_Q_LENGTH) {
    throw badUserInput(`filter: too long for Cloud Foundry's query string (${length} characters encoded, at most ${MAX_Q_LENGTH})`);
  }
  return q;
}

/**
 * The query string (without the leading `?`): one `q=` per filter first, then `params` by key.
 * Everything is percent-encoded as `encodeURIComponent` does, so `+` (a space to Rack), `&`,
 * `#`, `%` and `;` reach Cloud Controller as they were.
 */
export function toQueryString(q: string[], params: Record<string, string | number>): string {
  const filters = q.map((value) => `q=${encodeURIComponent(value)}`);
  const others = Object.keys(params)
    .sort()
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(params[key]))}`);
  return [...filters, ...others].join('&');
}

/** Every condition of the filter, in a fixed order: name, status, then the association keys. */
function clausesOf(filter: OrganizationFilter): Clause[] {
  return [
    ...nameClauses(filter.name),
    ...statusClauses(filter.status),
    ...(Object.keys(ASSOCIATION_FILTERS) as AssociationField[]).flatMap((field) =>
      guidClauses(field, filter[field]),
    ),
  ];
}

function nameClauses(filter: InputMaybe<StringFilter> | undefined): Clause[] {
  if (!filter) return [];
  return [
    ...NAME_COMPARISONS.flatMap(([field, operator]) =>
      single(`filter.name.${field}`, 'name', operator, filter[field]),
    ),
    ...list('filter.name.in', 'name', filter.in),
  ];
}

/** Cloud Controller stores statuses in lowercase and compares them case-sensitively. */
function statusClauses(filter: InputMaybe<OrganizationStatusFilter> | undefined): Clause[] {
  if (!filter) return [];
  return [
    ...single('filter.status.eq', 'status', ':', filter.eq?.toLowerCase()),
    ...list('filter.status.in', 'status', filter.in?.map((status) => status.toLowerCase())),
  ];
}

function guidClauses(field: AssociationField, filter: InputMaybe<GuidFilter> | undefined): Clause[] {
  if (!filter) return [];
  const key = ASSOCIATION_FILTERS[field];
  // Cloud Controller's database compares guids case-sensitively; they are stored in lower case.
  return [
    ...single(`filter.${field}.eq`, key, ':', filter.eq && canonicalGuid(filter.eq)),
    ...list(`filter.${field}.in`, key, filter.in?.map(canonicalGuid)),
  ];
}

function single(
  path: string,
  key: string,
  operator: Operator,
  value: string | null | undefined,
): Clause[] {
  return value == null ? [] : [{ path, key, operator, values: [value] }];
}

function list(path: string, key: string, values: string[] | null | undefined): Clause[] {
  return values == null ? [] : [{ path, key, operator: ' IN ', values }];
}

function assertSendable({ path, operator, values }: Clause): void {
  // encodeURIComponent throws on a lone surrogate, which a JSON variable can carry.
  if (values.some((value) => /\p{Cs}/u.test(value))) {
    throw badUserInput(`${path}: a value must be well-formed Unicode`);
  }
  // `name>` + `=b` reads back as `name>=b`: Cloud Controller takes the first operator it finds.
  if ((operator === '>' || operator === '<') && values.some((value) => value.startsWith('='))) {
    throw badUserInput(`${path}: a value may not start with '='`);
  }
}

function render({ key, operator, values }: Clause): string {
  return `${key}${operator}${values.map((value) => value.replaceAll(';', ';;')).join(',')}`;
}
