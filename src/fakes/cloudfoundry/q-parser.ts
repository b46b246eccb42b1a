/**
 * Cloud Controller v2's `q` filters, read and evaluated as `VCAP::RestAPI::Query`
 * (cloud_controller_ng) does, for the fake Cloud Controller.
 */
import { CloudControllerError } from './errors';

/** `query_parameters` of the v2 OrganizationsController. */
const QUERYABLE_KEYS = [
  'name',
  'status',
  'space_guid',
  'user_guid',
  'manager_guid',
  'billing_manager_guid',
  'auditor_guid',
] as const;

export type QueryKey = (typeof QUERYABLE_KEYS)[number];
export type AssociationKey = Exclude<QueryKey, 'name' | 'status'>;
export type Operator = ':' | '>=' | '<=' | '<' | '>' | ' IN ';

/** One filter; `values` has one element except for ` IN `, whose value is split on `,`. */
export interface Condition {
  key: QueryKey;
  operator: Operator;
  values: string[];
}

/** The organization's own columns that `q` can compare. */
export interface OrganizationColumns {
  name: string;
  status: string;
}

/** For each association key, the guids the organization is related to. */
export type Associations = Record<AssociationKey, ReadonlySet<string>>;

/**
 * Alternatives in Cloud Controller's order: the leftmost match wins and, at one position,
 * the first alternative, so `>=` beats `>`.
 */
const OPERATOR = /:|>=|<=|<|>| IN /;

/** Every filter in the `q` values, in order. @throws CloudControllerError (400). */
export function parseQ(values: string[]): Condition[] {
  return values.flatMap(splitFilters).map(parseFilter);
}

/** A collation's order of two strings: negative, zero or positive. */
export type Collation = (a: string, b: string) => number;

/** The C collation: code units, as JavaScript's `<` on strings. */
export function codeUnitOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Whether `org` satisfies `condition`, with the meaning Cloud Controller's SQL gives it: `name`
 * compares in the database's collation (`nameCollation`), as its ORDER BY does; `status` is
 * a plain text column, in code units here (the database collation too, in truth; the same for
 * its lowercase ASCII values).
 */
export function matches(
  org: OrganizationColumns,
  condition: Condition,
  relations: Associations,
  nameCollation: Collation = codeUnitOrder,
): boolean {
  const { key, operator, values } = condition;
  switch (key) {
    case 'name': // a CITEXT column: both sides compared lowercased
      return compare(org.name.toLowerCase(), operator, values.map((value) => value.toLowerCase()), nameCollation);
    case 'status':
      return compare(org.status, operator, values, codeUnitOrder);
    default: // an association: "related to one of these", whatever the operator
      return values.some((guid) => relations[key].has(guid));
  }
}

/**
 * Splits one `q` value at each lone `;`, reading `;;` as a literal `;` from left to right
 * (as Cloud Controller's `gsub(';;')` then `split(';')`), and drops trailing empty
 * segments as Ruby's `split` does.
 */
function splitFilters(q: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < q.length; i++) {
    if (q[i] !== ';') current += q[i];
    else if (q[i + 1] === ';') current += q[i++];
    else {
      segments.push(current);
      current = '';
    }
  }
  return dropTrailingEmpty([...segments, current]);
}

function parseFilter(segment: string): Condition {
  const match = OPERATOR.exec(segment);
  if (!match) throw CloudControllerError.badQueryParameter(segment);
  const key = segment.slice(0, match.index);
  if (!isQueryable(key)) throw CloudControllerError.badQueryParameter(key);
  const operator = match[0] as Operator;
  const value = segment.slice(match.index + operator.length);
  const values = operator === ' IN ' ? dropTrailingEmpty(value.split(',')) : [value];
  return { key, operator, values };
}

function isQueryable(key: string): key is QueryKey {
  return (QUERYABLE_KEYS as readonly string[]).includes(key);
}

/** Each ordering operator, on the collation's answer. */
const ORDERINGS: Record<Exclude<Operator, ':' | ' IN '>, (order: number) => boolean> = {
  '>=': (order) => order >= 0,
  '<=': (order) => order <= 0,
  '<': (order) => order < 0,
  '>': (order) => order > 0,
};

/**
 * Equality is exact (PostgreSQL's collations are deterministic); an ordering follows the
 * collation. An `IN` with no values matches nothing (Cloud Controller turns it into `IS NULL`).
 */
function compare(actual: string, operator: Operator, values: string[], collation: Collation): boolean {
  if (operator === ' IN ') return values.includes(actual);
  if (operator === ':') return values.every((value) => actual === value);
  return values.every((value) => ORDERINGS[operator](collation(actual, value)));
}

function dropTrailingEmpty(parts: string[]): string[] {
  const end = parts.findLastIndex((part) => part !== '');
  return parts.slice(0, end + 1);
}
