/**
 * The Relay arguments of both connections, validated as the contract says: `first`/`last`
 * 0..100 and not both, `first: 20` when neither, cursors of this very list only.
 */
import type { OrganizationFilter, OrderDirection, IdentityProvider } from '../graphql/generated';
import { badUserInput } from '../errors';
import { PROVIDER_ORDER } from '../providers/provider';
import { decodeCursor, type CursorPosition } from './cursor';
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

/** Where the page starts (forward) or ends (backward), as provider positions. */
export type PageRequest =
  | { paging: 'forward'; size: number; start: number[] }
  | { paging: 'backward'; size: number; end: number[] | null };

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
  if (after != null && before != null) throw badUserInput('Give `after` or `before`, not both');
  if (after != null && last != null) throw badUserInput('`after` goes with `first`, not `last`');
  if (before != null && first != null) throw badUserInput('`before` goes with `last`, not `first`');
  if (last != null || before != null) {
    const end = before == null ? null : decodeCursor(before, fingerprintOfList(), 'before').before;
    return { paging: 'backward', size: pageSize('last', last), end };
  }
  const start =
    after == null ? PROVIDER_ORDER.map(() => 0) : positionsAfter(decodeCursor(after, fingerprintOfList(), 'after'));
  return { paging: 'forward', size: pageSize('first', first), start };
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
  return cursor.before.map((position, provider) => (provider === index ? position + 1 : position));
}
