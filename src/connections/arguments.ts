/**
 * The Relay arguments of both connections, validated as the contract says: `first`/`last`
 * 0..100 and not both, `first: 20` when neither, cursors of this very list only. Any
 * cursors may combine, as in Relay's pagination algorithm: `after` and `before` bound the
 * slice, then `first` takes from its start and `last` from its end.
 */
import type { OrganizationFilter, OrderDirection, IdentityProvider } from '../graphql/generated';
import { badUserInput } from '../errors';
import { PROVIDER_ORDER } from '../providers/provider';
import { UNKNOWN_POSITION, decodeCursor, type CursorPosition } from './cursor';
import { validateFilter } from './filter';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The arguments both connection fields take (codegen's UserOrganizationsArgs and QueryMyOrganizationMembershipsArgs). */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  filter?: OrganizationFilter | null;
  orderDirection?: OrderDirection | null;
  providers?: IdentityProvider[] | null;
}

/** The slice the cursors bound, as provider positions, and which end of it the page is taken from. */
export interface PageRequest {
  /** forward: the first `size` items of the slice; backward: its last `size`. */
  paging: 'forward' | 'backward';
  size: number;
  /** Each provider's first position in the slice: just past `after`'s item, else 0. */
  from: number[];
  /** Each provider's position just past the slice (`before`'s item; UNKNOWN_POSITION: its list's end); null: the end of every list. */
  to: number[] | null;
}

export interface ValidatedArgs {
  filter: OrganizationFilter;
  direction: OrderDirection;
  /** The providers asked for; null when not narrowed. */
  providers: IdentityProvider[] | null;
}

/** Validates everything but the cursors, which need the list's fingerprint. */
export function validateArgs(args: ConnectionArgs): ValidatedArgs {
  const filter = args.filter ?? {};
  validateFilter(filter);
  return {
    filter,
    direction: args.orderDirection ?? 'ASC',
    providers: args.providers ? PROVIDER_ORDER.filter((name) => args.providers!.includes(name)) : null,
  };
}

export function readPageRequest(args: ConnectionArgs, fingerprintOfList: () => string): PageRequest {
  const { first, last, after, before } = args;
  if (first != null && last != null) throw badUserInput('Give `first` or `last`, not both');
  const from = after == null ? PROVIDER_ORDER.map(() => 0) : positionsAfter(decodeCursor(after, fingerprintOfList(), 'after'));
  const to = before == null ? null : decodeCursor(before, fingerprintOfList(), 'before').before;
  // Neither size means `first: 20` (the contract), `before` alone too: Relay's first 20 of the slice.
  return last != null
    ? { paging: 'backward', size: pageSize('last', last), from, to }
    : { paging: 'forward', size: pageSize('first', first), from, to };
}

function pageSize(argument: 'first' | 'last', value: number | null | undefined): number {
  if (value == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return value;
}

function positionsAfter(cursor: CursorPosition): number[] {
  const index = PROVIDER_ORDER.indexOf(cursor.provider);
  return cursor.before.map((position, provider) =>
    position === UNKNOWN_POSITION ? 0 : provider === index ? position + 1 : position,
  );
}
