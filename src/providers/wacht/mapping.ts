/** Wacht memberships → the contract's records. */
import { globalId, type MembershipRecord, type RoleRecord } from '../provider';
import type { WachtMembership, WachtRole } from './wire';

export function toMembership(wire: WachtMembership): MembershipRecord {
  const organization = wire.organization;
  const roles = wire.roles ?? (wire.role ? [wire.role] : []);
  return {
    id: globalId('WACHT', wire.id),
    provider: 'WACHT',
    userId: wire.user?.id || null,
    organization: {
      id: globalId('WACHT', organization.id),
      provider: 'WACHT',
      providerId: organization.id,
      name: organization.name,
      displayName: null,
      slug: organization.slug || null,
      imageUrl: organization.image_url || null,
      status: 'ACTIVE',
      createdAt: null,
      updatedAt: null,
    },
    roles: roles.map(toRole),
    createdAt: wire.created_at ?? null,
    updatedAt: wire.updated_at ?? null,
  };
}

function toRole(wire: WachtRole): RoleRecord {
  return { id: wire.id, name: wire.name, permissions: wire.permissions ?? [] };
}
