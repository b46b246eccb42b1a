/** Auth0 organizations, memberships and roles → the contract's records. */
import { globalId, type MembershipRecord, type OrganizationRecord, type RoleRecord } from '../provider';
import type { Auth0Organization, Auth0Role } from './wire';

export function toOrganization(wire: Auth0Organization): OrganizationRecord {
  return {
    id: globalId('AUTH0', wire.id),
    provider: 'AUTH0',
    providerId: wire.id,
    name: wire.name,
    // Empty is absent, as for Wacht: a UI shows nothing either way.
    displayName: wire.display_name || null,
    slug: null,
    imageUrl: wire.branding?.logo_url || null,
    // Auth0 organizations have no status or timestamps.
    status: 'ACTIVE',
    createdAt: null,
    updatedAt: null,
  };
}

/**
 * The user's membership of the organization. Its id holds both ids: organization ids never
 * contain `:`, so it is unambiguous. Roles are left out: they cost two more calls, made only
 * when a query selects them.
 */
export function toMembership(wire: Auth0Organization, userId: string): MembershipRecord {
  return {
    id: globalId('AUTH0', `${wire.id}:${userId}`),
    provider: 'AUTH0',
    userId,
    organization: toOrganization(wire),
    createdAt: null,
    updatedAt: null,
  };
}

/** A role with its permissions' names, each once (a name may exist on several APIs). */
export function toRole(wire: Auth0Role, permissions: readonly string[]): RoleRecord {
  return { id: wire.id, name: wire.name, permissions: [...new Set(permissions)] };
}
