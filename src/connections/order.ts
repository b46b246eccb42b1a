/**
 * The one order of every connection: organization name compared by its lowercase form in
 * code-unit order (not locale collation, so that every replica and every provider's merge
 * agree), then provider (AUTH0, CLOUD_FOUNDRY, WACHT), then the provider's id.
 */
import type { OrderDirection } from '../graphql/generated';
import { PROVIDER_ORDER, type MembershipRecord } from '../providers/provider';

export type Comparator = (a: MembershipRecord, b: MembershipRecord) => number;

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const compareAscending: Comparator = (a, b) =>
  compareCodeUnits(a.organization.name.toLowerCase(), b.organization.name.toLowerCase()) ||
  PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider) ||
  compareCodeUnits(a.organization.providerId, b.organization.providerId);

const compareDescending: Comparator = (a, b) => compareAscending(b, a);

export function comparatorFor(direction: OrderDirection): Comparator {
  return direction === 'DESC' ? compareDescending : compareAscending;
}
