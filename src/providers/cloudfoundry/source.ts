/**
 * The Cloud Foundry data source of one request: windows of the user's organization list read
 * through per-request DataLoaders (each distinct page at most once per request), the role lists
 * read once per user when roles are selected, and organizations once per guid.
 */
import { perKeyLoader } from '../loaders';
import type { TtlCache } from '../ttl-cache';
import type { Caller } from '../../auth/caller';
import type { OrderDirection } from '../../graphql/generated';
import { userSubject, type ListQuery, type ProviderSource, type RoleRecord, type WindowAnswer, type WindowRequest } from '../provider';
import type { CloudFoundryDataSource, PageQuery, UserOrganizationList } from './data-source';
import { canonicalGuid, isGuid } from './ids';
import { toMembership, toOrganization } from './mapping';
import { planWindow } from './paging';
import { toQueryFilters } from './q-filter';

/** Listing a user's organizations is the organization user role: every membership has it. */
const USER_ROLE = 'organization_user';

/** The other organization roles, each with the list of the organizations where the user holds it. */
const ROLE_LISTS = [
  ['managed_organizations', 'organization_manager'],
  ['billing_managed_organizations', 'organization_billing_manager'],
  ['audited_organizations', 'organization_auditor'],
] as const satisfies ReadonlyArray<readonly [UserOrganizationList, string]>;

type PageKey = PageQuery & { userGuid: string };

/** For each role, the guids of the organizations where the user holds it. */
type HeldRoles = Array<{ role: string; organizations: Set<string> }>;

/** Pages kept across requests (only when configured), per credential that read them. */
export interface PageCache {
  lists: TtlCache;
  cacheScope: () => Promise<string>;
}

export function cloudFoundrySource(caller: Caller, api: CloudFoundryDataSource, cache: PageCache): ProviderSource {
  const pageKey = ({ userGuid, q, page, resultsPerPage, orderByName }: PageKey) =>
    JSON.stringify([userGuid, q, page, resultsPerPage, orderByName]);
  const pages = perKeyLoader(
    async (key: PageKey) =>
      cache.lists.through(
        async () => `cloudfoundry:${await cache.cacheScope()}:${pageKey(key)}`,
        () => {
          const { userGuid, ...query } = key;
          return api.page(userGuid, 'organizations', query);
        },
        (page) => page.resources.length,
      ),
    pageKey,
  );
  const readHeldRoles = (userGuid: string): Promise<HeldRoles> =>
    Promise.all(
      ROLE_LISTS.map(async ([list, role]) => {
        const listed = await api.everyOrganization(userGuid, list);
        return { role, organizations: new Set(listed.map(({ metadata }) => metadata.guid)) };
      }),
    );
  // Kept with the pages (when configured), under the same credential scope.
  const heldRoles = perKeyLoader((userGuid: string) =>
    cache.lists.through(
      async () => `cloudfoundry:${await cache.cacheScope()}:roles:${userGuid}`,
      () => readHeldRoles(userGuid),
      (held) => held.reduce((count, { organizations }) => count + organizations.size, 0),
    ),
  );
  const organizations = perKeyLoader((guid: string) => api.organization(guid));

  return {
    self: async () => {
      const token = await caller.bearer();
      // A client token (no `user_id`) is no user: it has no memberships.
      return token?.provider === 'CLOUD_FOUNDRY' && token.userId !== null && isGuid(token.userId)
        ? userSubject(token.userId)
        : null;
    },
    window: async ({ subject, filter, direction }: ListQuery, request: WindowRequest): Promise<WindowAnswer> => {
      // Both the caller's subject and `User.organizations`' carry the user guid.
      const userGuid = canonicalGuid(subject.userId!);
      const q = toQueryFilters(filter);
      const plan = planWindow(request);
      const answers = await Promise.all(
        plan.reads.map((read) =>
          pages.load({
            userGuid,
            q,
            page: read.page,
            resultsPerPage: read.resultsPerPage,
            orderByName: upstreamDirection(direction, read.reversed),
          }),
        ),
      );
      const window = plan.assemble(answers.map((answer) => ({ items: answer.resources, total: answer.total_results })));
      return { ...window, items: window.items.map((resource) => toMembership(resource, userGuid)) };
    },
    // Cloud Foundry memberships always name their member (mapping.ts).
    roles: async (membership): Promise<RoleRecord[]> => {
      const held = await heldRoles.load(membership.userId!);
      const guid = membership.organization.providerId;
      return [USER_ROLE, ...held.filter(({ organizations }) => organizations.has(guid)).map(({ role }) => role)].map(
        (role) => ({ id: role, name: role, permissions: [] }),
      );
    },
    organization: async (providerId) => {
      if (!isGuid(providerId)) return null;
      const organization = await organizations.load(canonicalGuid(providerId));
      return organization && toOrganization(organization);
    },
  };
}


function upstreamDirection(direction: OrderDirection, reversed: boolean): 'asc' | 'desc' {
  return (direction === 'DESC') !== reversed ? 'desc' : 'asc';
}
