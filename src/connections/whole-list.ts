/**
 * A window of a list fetched whole (Auth0: at most 1000 records; Wacht: one call):
 * filtered and sorted here, with the same filter meaning and order as every provider.
 */
import type { ListQuery, MembershipRecord, WindowAnswer, WindowRequest } from '../providers/provider';
import { matchesFilter } from './filter';
import { comparatorFor } from './order';

export function windowOfList(all: readonly MembershipRecord[], query: ListQuery, request: WindowRequest): WindowAnswer {
  const list = all
    .filter((membership) => matchesFilter(membership.organization, query.filter))
    .sort(comparatorFor(query.direction));
  const offset = request.from === 'end' ? Math.max(0, list.length - request.limit) : request.offset;
  return { items: list.slice(offset, offset + request.limit), offset, total: list.length };
}
