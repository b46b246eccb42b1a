/**
 * Sample data for the demo and for tests that want a realistic foundation: one user in 130
 * organizations (several pages of 25, more than one page of 100), with names that exercise
 * `q` escaping and case-insensitive order, and an admin client for the client-credentials
 * grant. Everything, guids included, is the same on every run.
 */
import { createHash } from 'node:crypto';
import { rfc3339Seconds } from '../fake-server';
import type { FakeCloudFoundry, OrganizationRole } from './fake-cloudfoundry';

export const DEMO_CF_USER_GUID = stableGuid('user', 'demo');
/** Shares some of the demo user's organizations and has a few of their own. */
export const DEMO_CF_COLLEAGUE_GUID = stableGuid('user', 'colleague');
export const DEMO_CF_CLIENT_ID = 'organizations-subgraph';
export const DEMO_CF_CLIENT_SECRET = 'demo-client-secret';
export const DEMO_CF_ORGANIZATION_COUNT = 130;

/** Names a `q` filter must escape or encode, and that sort differently by case. */
const UNUSUAL_NAMES = [
  'team;status:active',
  'R&D',
  'Sales + Marketing',
  'ops;;nightly',
  'Smith, Jones & Partners',
  '100% Uptime',
  'Growth #1',
  'c++ guild',
  'IN Transit',
  'name>=b',
  'acme',
  'ACME Labs',
  'Zeta Group',
  'alpha',
];

const TEAMS =
  'Payments Search Identity Billing Mobile Web Data Infra Security Support Analytics Checkout';
const ENVIRONMENTS = 'EU US APAC LATAM dev staging prod sandbox Canary shared';

/** Steps through the names in an order unrelated to their sort order (coprime with 130). */
const INSERTION_STRIDE = 53;

export function seedCloudFoundry(fake: FakeCloudFoundry): void {
  fake.addUser(DEMO_CF_USER_GUID, 'demo@example.com');
  fake.addUser(DEMO_CF_COLLEAGUE_GUID, 'colleague@example.com');
  fake.addClient(DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET, ['cloud_controller.admin']);

  const names = demoOrganizationNames();
  names.forEach((_, index) => {
    const name = names[(index * INSERTION_STRIDE) % names.length]!;
    const guid = addOrganization(fake, name, index);
    for (const role of demoRoles(index)) fake.grant(DEMO_CF_USER_GUID, guid, role);
    if (index % 4 === 0) fake.grant(DEMO_CF_COLLEAGUE_GUID, guid, 'user');
    if (index % 8 === 0) fake.grant(DEMO_CF_COLLEAGUE_GUID, guid, 'manager');
    for (let space = 0; space < index % 3; space++) {
      fake.addSpace(guid, stableGuid('space', `${name}/${space}`));
    }
  });

  ['Colleague Private', 'Colleague Sandbox', 'Partner Portal'].forEach((name, offset) => {
    const guid = addOrganization(fake, name, names.length + offset);
    fake.grant(DEMO_CF_COLLEAGUE_GUID, guid, 'user');
  });
}

function demoOrganizationNames(): string[] {
  const generated = TEAMS.split(' ').flatMap((team) =>
    ENVIRONMENTS.split(' ').map((env) => `${team} ${env}`),
  );
  return [...UNUSUAL_NAMES, ...generated].slice(0, DEMO_CF_ORGANIZATION_COUNT);
}

/** A few organizations suspended, a few never updated, creation dates three days apart from 2021 on. */
function addOrganization(fake: FakeCloudFoundry, name: string, index: number): string {
  const created = Date.UTC(2021, 0, 1) + index * 3 * 86_400_000;
  return fake.addOrganization({
    guid: stableGuid('organization', name),
    name,
    status: index % 17 === 3 ? 'suspended' : 'active',
    created_at: rfc3339Seconds(new Date(created)),
    updated_at: index % 13 === 0 ? null : rfc3339Seconds(new Date(created + 3_600_000)),
  }).guid;
}

/** Always the org user role; sometimes manager, auditor or billing manager too. */
function demoRoles(index: number): OrganizationRole[] {
  const roles: OrganizationRole[] = ['user'];
  if (index % 5 === 0) roles.push('manager');
  if (index % 7 === 0) roles.push('auditor');
  if (index % 11 === 0) roles.push('billing_manager');
  return roles;
}

/** A UUID (version 5 layout) derived from `kind` and `key`, so reruns give the same guids. */
function stableGuid(kind: string, key: string): string {
  const hex = createHash('sha1').update(`${kind}:${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
