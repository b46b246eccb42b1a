import { toMembership, toOrganization, toRole } from '../../../src/providers/auth0/mapping';
import { organizationSchema } from '../../../src/providers/auth0/wire';

/** As the Management API sends it, with properties the subgraph does not use. */
const WIRE = organizationSchema.parse({
  id: 'org_W8mG1kQ2xRz7Lp4N',
  name: 'acme-labs',
  display_name: 'Acme Labs',
  branding: { logo_url: 'https://cdn.example.com/acme.png', colors: { primary: '#1c7ed6', page_background: '#fff' } },
  metadata: { plan: 'team' },
  token_quota: { client_credentials: { enforce: true, per_day: 100 } },
});

describe('Auth0 mapping', () => {
  it('maps an organization as the contract says', () => {
    expect(toOrganization(WIRE)).toEqual({
      id: 'auth0:org_W8mG1kQ2xRz7Lp4N',
      provider: 'AUTH0',
      providerId: 'org_W8mG1kQ2xRz7Lp4N',
      name: 'acme-labs',
      displayName: 'Acme Labs',
      slug: null,
      imageUrl: 'https://cdn.example.com/acme.png',
      status: 'ACTIVE',
      createdAt: null,
      updatedAt: null,
    });
  });

  it.each([
    [{}, null, null],
    [{ display_name: null, branding: null }, null, null],
    [{ branding: { colors: { primary: '#000', page_background: '#fff' } } }, null, null],
    [{ display_name: 'Only A Name' }, 'Only A Name', null],
    [{ display_name: '', branding: { logo_url: '' } }, null, null],
  ])('without display_name or logo_url %j gives nulls', (extra, displayName, imageUrl) => {
    const organization = toOrganization(organizationSchema.parse({ id: 'org_1', name: 'bare', ...extra }));
    expect(organization).toMatchObject({ displayName, imageUrl, slug: null, status: 'ACTIVE' });
  });

  it('maps a membership with a stable id per (organization, user) and roles left to load', () => {
    const membership = toMembership(WIRE, 'oauth2|siwe|eip155:5:0xabc/def');
    expect(membership).toEqual({
      id: 'auth0:org_W8mG1kQ2xRz7Lp4N:oauth2|siwe|eip155:5:0xabc/def',
      provider: 'AUTH0',
      userId: 'oauth2|siwe|eip155:5:0xabc/def',
      organization: toOrganization(WIRE),
      createdAt: null,
      updatedAt: null,
    });
    expect('roles' in membership).toBe(false);
    expect(toMembership(WIRE, 'auth0|1').id).not.toBe(toMembership(WIRE, 'auth0|2').id);
  });

  it('maps a role with each permission name once', () => {
    expect(toRole({ id: 'rol_1', name: 'admin' }, ['read:members', 'manage:members', 'read:members'])).toEqual({
      id: 'rol_1',
      name: 'admin',
      permissions: ['read:members', 'manage:members'],
    });
  });
});
