/**
 * Turns the GraphQL `OrganizationFilter` into Cloud Controller v2 `q` filters, and builds the
 * query string that carries them.
 *
 * Grammar (cloud_controller_ng `VCAP::RestAPI::Query`): one filter is `key<op>value`, split once
 * at the first operator among `:`, `>=`, `<=`, `<`, `>`, ` IN `; `IN` values are split on `,`
 * with no escaping; a `;` separates filters inside one `q`, so a literal `;` is written `;;`.
 * Repeated `q` parameters are ANDed, so each condition gets its own `q`.
 */
import type {
  GuidFilter,
  InputMaybe,
  OrganizationFilter,
  OrganizationStatusFilter,
  StringFilter,
} from '../../graphql/generated';

/** The filter asks for something `q` cannot express, or more than the contract allows. */
export class QueryFilterError extends Error {
  override readonly name = 'QueryFilterError';
}

/** The contract's cap on an `in` list (Cloud Controller itself has none). */
const MAX_IN_VALUES = 100;

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

type GuidField = 'spaceGuid' | 'userGuid' | 'managerGuid' | 'billingManagerGuid' | 'auditorGuid';

const GUID_KEYS = [
  ['spaceGuid', 'space_guid'],
  ['userGuid', 'user_guid'],
  ['managerGuid', 'manager_guid'],
  ['billingManagerGuid', 'billing_manager_guid'],
  ['auditorGuid', 'auditor_guid'],
] as const satisfies ReadonlyArray<readonly [GuidField, string]>;

/**
 * The `q` values (not yet percent-encoded) for `filter`, one per condition, or
 * `'matches-nothing'` when an `in: []` makes the whole filter empty.
 * @throws QueryFilterError when a value cannot be sent (see `validate`).
 */
export function toQueryFilters(filter: OrganizationFilter): string[] | 'matches-nothing' {
  const clauses = [
    ...nameClauses(filter.name),
    ...statusClauses(filter.status),
    ...GUID_KEYS.flatMap(([field, key]) => guidClauses(field, key, filter[field])),
  ];
  clauses.forEach(validate);
  // Only an `in` clause can have no values.
  if (clauses.some((clause) => clause.values.length === 0)) return 'matches-nothing';
  return clauses.map(render);
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

function guidClauses(
  field: GuidField,
  key: string,
  filter: InputMaybe<GuidFilter> | undefined,
): Clause[] {
  if (!filter) return [];
  return [
    ...single(`filter.${field}.eq`, key, ':', filter.eq),
    ...list(`filter.${field}.in`, key, filter.in),
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

function validate({ path, key, operator, values }: Clause): void {
  // encodeURIComponent throws on a lone surrogate, which a JSON variable can carry.
  if (values.some((value) => /\p{Cs}/u.test(value))) {
    throw new QueryFilterError(`${path}: a value must be well-formed Unicode`);
  }
  if (key.endsWith('_guid') && values.includes('')) {
    throw new QueryFilterError(`${path}: a guid may not be empty`);
  }
  if (operator === ' IN ' && values.length > MAX_IN_VALUES) {
    throw new QueryFilterError(
      `${path}: at most ${MAX_IN_VALUES} values are allowed, got ${values.length}`,
    );
  }
  if (operator === ' IN ' && values.some((value) => value.includes(','))) {
    throw new QueryFilterError(`${path}: a value may not contain ','`);
  }
  // `name>` + `=b` reads back as `name>=b`: Cloud Controller takes the first operator it finds.
  if ((operator === '>' || operator === '<') && values.some((value) => value.startsWith('='))) {
    throw new QueryFilterError(`${path}: a value may not start with '='`);
  }
}

function render({ key, operator, values }: Clause): string {
  return `${key}${operator}${values.map((value) => value.replaceAll(';', ';;')).join(',')}`;
}
