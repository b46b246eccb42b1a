/** Cloud Controller v2 organizations → the contract's records. */
import type { OrganizationStatus } from '../../graphql/generated';
import { globalId, type MembershipRecord, type OrganizationRecord } from '../provider';
import type { CfOrganizationResource, CfOrganizationStatus } from './wire';

const PROVIDER = 'CLOUD_FOUNDRY';

const STATUS: Record<CfOrganizationStatus, OrganizationStatus> = {
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  deleting: 'DELETING',
};

export function toOrganization({ metadata, entity }: CfOrganizationResource): OrganizationRecord {
  return {
    id: globalId(PROVIDER, metadata.guid),
    provider: PROVIDER,
    providerId: metadata.guid,
    name: entity.name,
    displayName: null,
    slug: null,
    imageUrl: null,
    status: STATUS[entity.status],
    createdAt: metadata.created_at ?? null,
    updatedAt: metadata.updated_at ?? null,
  };
}

/**
 * The user's membership of the organization. Cloud Controller keeps no record of it of its
 * own (no id, no timestamps): its id is the pair, unique per (organization, user). Roles are
 * loaded only when selected.
 */
export function toMembership(resource: CfOrganizationResource, userGuid: string): MembershipRecord {
  const organization = toOrganization(resource);
  return {
    id: globalId(PROVIDER, `${organization.providerId}:${userGuid}`),
    provider: PROVIDER,
    userId: userGuid,
    organization,
    createdAt: null,
    updatedAt: null,
  };
}
