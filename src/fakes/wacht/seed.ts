/**
 * Demo data for the Wacht fake: one user answered in the documented (legacy) shape and one in
 * the newer servers' shape. Names vary in case, punctuation and script, and memberships are
 * stored out of date order, so whatever reads them cannot lean on tidy input.
 */
import type { FakeWacht, WachtFakeMembership, WachtFakeRole, WachtFakeUser } from './fake-wacht';

export const DEMO_WACHT_SESSION = 'sess_demo_7Qk2vN9xLp4Rt8Wz3Yb6Hc1M';
export const DEMO_WACHT_SESSION_CURRENT = 'sess_demo_cur_Jd5fT0sGm8aEw2Kx9Pq4Uv7B';

const ADMIN: WachtFakeRole = { id: 'role_admin', name: 'Administrator', permissions: ['read', 'write', 'admin'] };
const MEMBER: WachtFakeRole = { id: 'role_member', name: 'Member', permissions: ['read', 'write'] };
const VIEWER: WachtFakeRole = { id: 'role_viewer', name: 'Viewer', permissions: ['read'] };

function legacyMembership(
  number: string,
  name: string,
  slug: string,
  role: WachtFakeRole,
  createdAt: string,
  updatedAt = createdAt,
): WachtFakeMembership {
  return {
    id: `membership_${number}`,
    organization: { id: `org_${number}`, name, slug, image_url: `https://cdn.example.com/orgs/${slug}.jpg` },
    roles: [role],
    created_at: createdAt,
    updated_at: updatedAt,
  };
}

export const DEMO_WACHT_USER: WachtFakeUser = {
  id: 'user_456789123',
  first_name: 'Dana',
  last_name: 'Okafor',
  primary_email_address: 'dana.okafor@example.com',
  memberships: [
    legacyMembership('123456789', 'acme corp', 'acme-corp', ADMIN, '2024-01-01T00:00:00Z', '2024-01-15T10:30:00Z'),
    legacyMembership('318204957', 'Globex', 'globex', MEMBER, '2024-03-12T08:45:10Z'),
    legacyMembership('402918377', 'Initech & Partners', 'initech-partners', VIEWER, '2023-11-20T16:05:00Z'),
    legacyMembership('559103842', 'umbrella-labs', 'umbrella-labs', MEMBER, '2024-06-02T21:17:33Z', '2024-07-01T09:00:00Z'),
    legacyMembership('607731290', 'Zeta Systems', 'zeta-systems', ADMIN, '2022-08-30T12:00:00Z', '2024-02-14T14:14:14Z'),
    legacyMembership('718264015', '42 Robotics', '42-robotics', VIEWER, '2024-05-19T07:30:00Z'),
    legacyMembership('829305716', 'Ångström Analytics', 'angstrom-analytics', MEMBER, '2023-04-04T04:04:04Z'),
    legacyMembership('930417628', "O'Reilly-Vance Holdings, Ltd.", 'oreilly-vance-holdings', ADMIN, '2024-09-27T18:22:51Z'),
  ],
};

const OWNER_CURRENT: WachtFakeRole = {
  id: '1837462001',
  name: 'organization:owner',
  permissions: ['organization:read', 'organization:write', 'organization:members:manage'],
};
const BILLING_CURRENT: WachtFakeRole = {
  id: '1837462002',
  name: 'organization:billing',
  permissions: ['organization:read', 'organization:billing:manage'],
};
const MEMBER_CURRENT: WachtFakeRole = { id: '1837462003', name: 'organization:member', permissions: ['organization:read'] };

export const DEMO_WACHT_USER_CURRENT: WachtFakeUser = {
  id: '1837462918',
  first_name: 'Mateus',
  last_name: 'Lindqvist',
  primary_email_address: 'mateus@northwind.example',
  memberships: [
    {
      id: '1837463540',
      organization: { id: '1837460127', name: 'Northwind Traders', image_url: 'https://cdn.example.com/orgs/northwind.png' },
      // Newer servers can grant several roles in one organization.
      roles: [OWNER_CURRENT, BILLING_CURRENT],
      public_metadata: { department: 'Operations' },
      created_at: '2025-02-03T09:15:00Z',
      updated_at: '2025-03-01T11:42:07Z',
    },
    {
      id: '1837463871',
      organization: { id: '1837460455', name: 'hooli xyz', image_url: 'https://cdn.example.com/orgs/hooli.png' },
      roles: [MEMBER_CURRENT],
      created_at: '2025-04-18T13:00:00Z',
      updated_at: '2025-04-18T13:00:00Z',
    },
    {
      id: '1837463102',
      organization: { id: '1837460009', name: 'Café Müller GmbH', image_url: 'https://cdn.example.com/orgs/cafe-muller.png' },
      roles: [MEMBER_CURRENT],
      public_metadata: { seat: 'contractor' },
      created_at: '2024-12-24T23:59:59Z',
      updated_at: '2025-01-02T08:00:00Z',
    },
  ],
};

export function seedWacht(fake: FakeWacht): void {
  fake.addSession(DEMO_WACHT_SESSION, DEMO_WACHT_USER, 'legacy');
  fake.addSession(DEMO_WACHT_SESSION_CURRENT, DEMO_WACHT_USER_CURRENT, 'current');
}
