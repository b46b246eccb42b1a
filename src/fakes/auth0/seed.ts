/**
 * Demo data for the Auth0 fake. The demo user belongs to twelve organizations (more than one
 * upstream page at a small `per_page`), whose names differ only in punctuation and digits in
 * places, and whose ids (Auth0's order) do not follow their names (the subgraph's order). One
 * user id holds `|`, `:` and `/`, to exercise path encoding. Everything is deterministic.
 */
import { createHash } from 'node:crypto';
import type { Auth0Organization, Auth0Permission, Auth0Role, FakeAuth0 } from './fake-auth0';

export const DEMO_AUTH0_USER_ID = 'auth0|64b1f0c2a9e5d3c1b2a4e6f8';
/** A Sign-In-With-Ethereum user: its id needs `encodeURIComponent` (`|`, `:` and `/`). */
export const DEMO_AUTH0_SIWE_USER_ID = 'oauth2|siwe|eip155:5:0xabc/def';
export const DEMO_AUTH0_GOOGLE_USER_ID = 'google-oauth2|109876543210987654321';
/** An operator: its caller tokens are the ones to grant `read:organizations` to look up others. */
export const DEMO_AUTH0_ADMIN_USER_ID = 'auth0|64b1f0c2a9e5d3c1b2a4e700';
export const DEMO_AUTH0_CLIENT_ID = 'Dm0OrgSubgraphM2mClient000000001';
export const DEMO_AUTH0_CLIENT_SECRET = 'demo-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
/** The identifier of the subgraph's own API in the tenant: the audience of caller tokens. */
export const DEMO_AUTH0_AUDIENCE = 'https://organizations.example.com/graphql';

const MANAGEMENT_SCOPES = ['read:organizations', 'read:organization_member_roles', 'read:roles'];

/**
 * A Management API token for the demo client, asked of the fake's token endpoint as the
 * subgraph asks it: for what reads the fake directly (the bench's bare processes, test oracles).
 */
export async function demoManagementToken(auth0: FakeAuth0): Promise<string> {
  const response = await fetch(`${auth0.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: DEMO_AUTH0_CLIENT_ID,
      client_secret: DEMO_AUTH0_CLIENT_SECRET,
      audience: auth0.managementAudience,
    }),
  });
  if (response.status !== 200) throw new Error(`the fake Auth0 refused a Management API token: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

type DemoRoleName = 'admin' | 'member' | 'billing';

const ROLE_PERMISSIONS: Record<DemoRoleName, { description: string; permissions: string[] }> = {
  admin: {
    description: 'Manages the organization, its members and its billing',
    permissions: ['update:organization', 'read:members', 'manage:members', 'read:billing'],
  },
  member: { description: 'Works in the organization', permissions: ['read:members'] },
  billing: { description: 'Pays for the organization', permissions: ['read:billing', 'manage:billing'] },
};

/** name, display name (absent for some, as Auth0 allows), brand colour (absent: no branding). */
const ORGANIZATIONS: readonly [string, string | undefined, string | undefined][] = [
  ['acme', 'Acme Corporation', '#d9480f'],
  ['acme-labs', 'Acme Labs', '#1c7ed6'],
  ['acme_research', 'Acme Research', undefined],
  ['blue-harbor', 'Blue Harbor', '#0b7285'],
  ['cedar2', 'Cedar 2', '#2b8a3e'],
  ['cedar10', 'Cedar 10', '#2b8a3e'],
  ['delta-dynamics', undefined, undefined],
  ['evergreen', 'Évergreen Coöperative', '#5c940d'],
  ['foxglove-studio', 'Foxglove Studio', '#ae3ec9'],
  ['granite', 'Granite Works', undefined],
  ['hollow-pine', 'Hollow Pine', '#495057'],
  ['zenith', 'Zenith', '#f08c00'],
  ['zk-collective', 'ZK Collective', '#7048e8'],
  ['platform-ops', 'Platform Operations', undefined],
];

/** user id → organization name → the user's roles there. */
const MEMBERSHIPS: Record<string, Record<string, DemoRoleName[]>> = {
  [DEMO_AUTH0_USER_ID]: {
    acme: ['admin'],
    'acme-labs': ['member'],
    acme_research: ['member', 'billing'],
    'blue-harbor': ['billing'],
    cedar2: ['member'],
    cedar10: [],
    'delta-dynamics': ['admin', 'billing'],
    evergreen: ['member'],
    'foxglove-studio': ['admin'],
    granite: ['member'],
    'hollow-pine': ['billing'],
    zenith: ['member'],
  },
  [DEMO_AUTH0_SIWE_USER_ID]: { acme: ['member'], 'zk-collective': ['admin'] },
  [DEMO_AUTH0_GOOGLE_USER_ID]: { 'blue-harbor': ['member'] },
  [DEMO_AUTH0_ADMIN_USER_ID]: { 'platform-ops': ['admin'] },
};

export interface SeededAuth0 {
  organizations: Auth0Organization[];
  roles: Auth0Role[];
}

export function seedAuth0(fake: FakeAuth0): SeededAuth0 {
  const roles = seedRoles(fake);
  const organizations = ORGANIZATIONS.map(([name, displayName, color]) =>
    fake.addOrganization(demoOrganization(name, displayName, color)),
  );
  for (const [userId, memberships] of Object.entries(MEMBERSHIPS)) {
    fake.addUser(userId);
    for (const [organizationName, roleNames] of Object.entries(memberships)) {
      const roleIds = roleNames.map((roleName) => roles[roleName].id);
      fake.addMember(demoId('org', organizationName), userId, roleIds);
    }
  }
  fake.addClient(DEMO_AUTH0_CLIENT_ID, DEMO_AUTH0_CLIENT_SECRET, MANAGEMENT_SCOPES);
  return { organizations, roles: Object.values(roles) };
}

function seedRoles(fake: FakeAuth0): Record<DemoRoleName, Auth0Role> {
  const entries = Object.entries(ROLE_PERMISSIONS).map(([name, { description, permissions }]) => {
    const role = fake.addRole({ id: demoId('rol', name), name, description }, permissions.map(permission));
    return [name, role] as const;
  });
  return Object.fromEntries(entries) as Record<DemoRoleName, Auth0Role>;
}

function demoOrganization(name: string, displayName?: string, color?: string): Auth0Organization {
  const organization: Auth0Organization = {
    id: demoId('org', name),
    name,
    metadata: { plan: name.length % 2 === 0 ? 'enterprise' : 'team', region: 'eu' },
  };
  if (displayName !== undefined) organization.display_name = displayName;
  if (color !== undefined) {
    organization.branding = {
      logo_url: `https://cdn.example.com/logos/${name}.png`,
      colors: { primary: color, page_background: '#ffffff' },
    };
  }
  return organization;
}

function permission(name: string): Auth0Permission {
  return {
    permission_name: name,
    description: `Can ${name.replace(':', ' ')}`,
    resource_server_name: 'Organizations API',
    resource_server_identifier: DEMO_AUTH0_AUDIENCE,
  };
}

/** An id shaped like Auth0's (`org_` + 16 letters and digits), the same on every run. */
function demoId(prefix: 'org' | 'rol', seed: string): string {
  const digest = createHash('sha256').update(seed).digest('hex');
  const alphanumeric = BigInt(`0x${digest}`).toString(36);
  return `${prefix}_${mixCase(alphanumeric.slice(0, 16))}`;
}

/** Auth0's ids mix upper and lower case; upper-casing every other character makes ours do too. */
function mixCase(id: string): string {
  return [...id].map((char, index) => (index % 2 === 0 ? char.toUpperCase() : char)).join('');
}
