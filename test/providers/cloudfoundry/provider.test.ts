import type { VerifiedToken } from '../../../src/auth/caller';
import { cloudFoundryProvider } from '../../../src/providers/cloudfoundry';
import { TtlCache } from '../../../src/providers/ttl-cache';
import { UpstreamClient } from '../../../src/upstream/http-client';

const USER = 'a11ce000-0000-4000-8000-000000000001';
const OTHER = 'b0b00000-0000-4000-8000-000000000002';

// Nothing here calls out: the provider's rules are pure and the UAA is never asked.
const http = new UpstreamClient({ timeoutMs: 1000 });
afterAll(() => http.close());
const { provider, issuer } = cloudFoundryProvider({ apiUrl: 'http://127.0.0.1:9', client: null, audience: null }, http, new TtlCache('lists', 0));

const token = (overrides: Partial<VerifiedToken>): VerifiedToken => ({
  provider: 'CLOUD_FOUNDRY',
  userId: USER,
  scopes: new Set(['cloud_controller.read']),
  raw: 'x.y.z',
  ...overrides,
});

describe('the Cloud Foundry provider', () => {
  it.each<[string, boolean]>([
    [USER, true],
    [USER.toUpperCase(), true],
    ['not-a-guid', false],
    [`${USER}/..`, false],
    ['auth0|123', false],
  ])('owns user id %s: %s', (id, expected) => {
    expect(provider.ownsUserId(id)).toBe(expected);
  });

  it.each<[string, VerifiedToken, string, boolean]>([
    ['the user themself', token({}), USER, true],
    ['the user themself, another case', token({ userId: USER.toUpperCase() }), USER, true],
    ['another user', token({}), OTHER, false],
    ['an admin', token({ userId: OTHER, scopes: new Set(['cloud_controller.admin']) }), USER, true],
    ['a read-only admin', token({ userId: OTHER, scopes: new Set(['cloud_controller.admin_read_only']) }), USER, true],
    ['a global auditor', token({ userId: null, scopes: new Set(['cloud_controller.global_auditor']) }), USER, true],
    ['a client token without those scopes', token({ userId: null }), USER, false],
    ['an Auth0 token with the same subject', token({ provider: 'AUTH0' }), USER, false],
    [
      'an Auth0 token with an admin-looking scope',
      token({ provider: 'AUTH0', userId: null, scopes: new Set(['cloud_controller.admin']) }),
      USER,
      false,
    ],
  ])('mayRead: %s → %s', (_, verified, userId, expected) => {
    expect(provider.mayRead(verified, userId)).toBe(expected);
  });

  it('refuses what q cannot carry, as BAD_USER_INPUT without a provider', () => {
    expect(() => provider.assertExpressible!({ name: { gt: '=a' } })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: {} }),
    );
    expect(() => provider.assertExpressible!({ name: { gte: '=a' } })).not.toThrow();
  });

  it('supports the association filters', () => {
    expect(provider.supportsAssociationFilters).toBe(true);
  });

  it('reads the UAA identity: user_id and the scope array', () => {
    expect(issuer.identity({ user_id: USER, sub: USER, scope: ['cloud_controller.read', 'openid', 7] })).toEqual({
      userId: USER,
      scopes: new Set(['cloud_controller.read', 'openid']),
    });
    expect(issuer.identity({ sub: 'my-client', client_id: 'my-client', scope: 'cloud_controller.admin' })).toEqual({
      userId: null,
      scopes: new Set(),
    });
  });
});
