import { parseBody } from '../../../src/upstream/response';
import { toMembership, toOrganization } from '../../../src/providers/cloudfoundry/mapping';
import { organizationResource, organizationsPage } from '../../../src/providers/cloudfoundry/wire';

const ORG = '72d22faf-f70c-4e1d-ad42-256939db7fca';
const USER = 'a11ce000-0000-4000-8000-000000000001';

/** The seed page's resource (cloudfoundry-v2-user-organizations.txt), links and all. */
const resource = {
  metadata: {
    guid: ORG,
    url: `/v2/organizations/${ORG}`,
    created_at: '2016-06-08T16:41:36Z',
    updated_at: '2016-06-08T16:41:26Z',
  },
  entity: {
    name: 'name-1919',
    billing_enabled: false,
    quota_definition_guid: '8a51d151-a5fa-455f-9482-0ff0f2f50053',
    status: 'active',
    quota_definition_url: '/v2/quota_definitions/8a51d151-a5fa-455f-9482-0ff0f2f50053',
    spaces_url: `/v2/organizations/${ORG}/spaces`,
  },
};

const answer = (body: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(body) });
const parse = (body: unknown) => parseBody('CLOUD_FOUNDRY', answer(body), organizationResource);

describe('toOrganization', () => {
  it('maps the documented resource', () => {
    expect(toOrganization(parse(resource))).toEqual({
      id: `cloudfoundry:${ORG}`,
      provider: 'CLOUD_FOUNDRY',
      providerId: ORG,
      name: 'name-1919',
      displayName: null,
      slug: null,
      imageUrl: null,
      status: 'ACTIVE',
      createdAt: '2016-06-08T16:41:36Z',
      updatedAt: '2016-06-08T16:41:26Z',
    });
  });

  it.each([
    ['active', 'ACTIVE'],
    ['suspended', 'SUSPENDED'],
    ['deleting', 'DELETING'],
  ])('status %s is %s', (status, expected) => {
    expect(toOrganization(parse({ ...resource, entity: { ...resource.entity, status } })).status).toBe(expected);
  });

  it('keeps a null updated_at (never updated) as null', () => {
    const organization = toOrganization(parse({ ...resource, metadata: { ...resource.metadata, updated_at: null } }));
    expect(organization.updatedAt).toBeNull();
  });
});

describe('toMembership', () => {
  it('is the (organization, user) pair, roles loaded on demand, no timestamps of its own', () => {
    const membership = toMembership(parse(resource), USER);
    expect(membership).toEqual({
      id: `cloudfoundry:${ORG}:${USER}`,
      provider: 'CLOUD_FOUNDRY',
      userId: USER,
      organization: toOrganization(parse(resource)),
      createdAt: null,
      updatedAt: null,
    });
    expect(membership).not.toHaveProperty('roles');
  });
});

describe('answers that do not fit are UPSTREAM_ERROR for Cloud Foundry', () => {
  const page = (resources: unknown[]) => ({ total_results: resources.length, total_pages: 1, resources });

  it.each<[string, unknown]>([
    ['an unknown status', page([{ ...resource, entity: { ...resource.entity, status: 'frozen' } }])],
    ['an upper-case status', page([{ ...resource, entity: { ...resource.entity, status: 'ACTIVE' } }])],
    ['no name', page([{ ...resource, entity: { status: 'active' } }])],
    ['no guid', page([{ ...resource, metadata: { created_at: null, updated_at: null } }])],
    ['a timestamp that is not one', page([{ ...resource, metadata: { ...resource.metadata, created_at: 'yesterday' } }])],
    ['no total', { total_pages: 1, resources: [] }],
    ['v3 pagination', { pagination: { total_results: 0 }, resources: [] }],
  ])('%s', (_, body) => {
    expect(() => parseBody('CLOUD_FOUNDRY', answer(body), organizationsPage)).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_ERROR', details: { provider: 'CLOUD_FOUNDRY' } }),
    );
  });
});
