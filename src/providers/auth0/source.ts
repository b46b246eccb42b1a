/**
 * The Auth0 data source of one request: the subject's whole list (at most 1000 records) through
 * the whole-list shape, and per-request DataLoaders for roles, permissions and organizations,
 * so that each distinct key is asked for at most once per request however many memberships
 * share it. Auth0 has no batch routes: a batch is one call per key.
 */
import { userSubject, type OrganizationRecord, type ProviderSource, type RequestScope, type RoleRecord } from '../provider';
import { perKeyLoader } from '../loaders';
import type { TtlCache } from '../ttl-cache';
import { wholeListSource } from '../whole-list-source';
import { REACHABLE_RECORDS, type Auth0DataSource } from './data-source';
import { isAuth0OrganizationId, isAuth0UserId } from './ids';
import { toMembership, toOrganization, toRole } from './mapping';

interface MemberKey {
  organizationId: string;
  userId: string;
}

/** What is kept across requests: lists (only when configured) and role permissions. */
export interface Auth0Caches {
  lists: TtlCache;
  permissions: TtlCache;
}

export function auth0Source({ caller, logger }: RequestScope, api: Auth0DataSource, caches: Auth0Caches): ProviderSource {
  const memberKey = ({ organizationId, userId }: MemberKey) => JSON.stringify([organizationId, userId]);
  // Kept with the lists (when configured): a member's roles are part of the membership, and
  // reading them is a call per organization. Fetched with the subgraph's own token, after this
  // request's authorization: keyed by member.
  const memberRoles = perKeyLoader(
    (member: MemberKey) =>
      caches.lists.through(`auth0-roles:${memberKey(member)}`, () => api.memberRoles(member.organizationId, member.userId)),
    memberKey,
  );
  const permissions = perKeyLoader((roleId: string) =>
    caches.permissions.through(roleId, () => api.rolePermissions(roleId)),
  );
  const organizations = perKeyLoader((id: string) => api.organization(id));

  return wholeListSource({
    self: async () => {
      const token = await caller.bearer();
      // A client-credentials token (`sub` = `{client}@clients`) is no user: it has no memberships.
      return token?.provider === 'AUTH0' && token.userId !== null && isAuth0UserId(token.userId)
        ? userSubject(token.userId)
        : null;
    },
    // Both the caller's subject and `User.organizations`' carry the Auth0 user id.
    fetchAll: async (subject) => {
      const userId = subject.userId!;
      // Fetched with the subgraph's own token, after this request's authorization: keyed by user.
      const list = await caches.lists.through(`auth0:${userId}`, () => api.organizationsOf(userId), ({ items }) => items.length);
      // Auth0's offset paging stops at 1000: the list and its totalCount are the first 1000. Said
      // in the log (no id), since the answer cannot say it and the operator is asked why.
      if (list.total > list.items.length) {
        logger.warn({ provider: 'AUTH0', listed: list.items.length, total: list.total }, `AUTH0 lists only a user's first ${REACHABLE_RECORDS} organizations`);
      }
      return list.items.map((organization) => toMembership(organization, userId));
    },
    // Auth0 memberships always name their member (mapping.ts).
    roles: async (membership, needs): Promise<RoleRecord[]> => {
      const member = { organizationId: membership.organization.providerId, userId: membership.userId! };
      const roles = await memberRoles.load(member);
      return Promise.all(roles.map(async (role) => toRole(role, needs.permissions ? await permissions.load(role.id) : [])));
    },
    organization: async (providerId): Promise<OrganizationRecord | null> => {
      if (!isAuth0OrganizationId(providerId)) return null;
      const organization = await organizations.load(providerId);
      return organization && toOrganization(organization);
    },
  });
}

