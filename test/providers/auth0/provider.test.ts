import type { VerifiedToken } from '../../../src/auth/caller';
import { auth0Provider } from '../../../src/providers/auth0';
import { TtlCache } from '../../../src/providers/ttl-cache';
import { UpstreamClient } from '../../../src/upstream/http-client';

// Nothing here calls out: the provider's rules are pure.
const http = new UpstreamClient({ timeoutMs: 1000 });
afterAll(() => http.close());
const { provider } = auth0Provider(
  { baseUrl: 'https://travel0.us.auth0.com', audience: 'https://api.example.com', management: { token: 'fixed-management-token' } },
  http,
  { lists: new TtlCache('lists', 0), permissions: new TtlCache('permissions', 0) },
);

function token(provider: VerifiedToken['provider'], userId: string | null, scopes: string[] = []): VerifiedToken {
  return { provider, userId, scopes: new Set(scopes), raw: 'not-used' };
}

describe('the Auth0 provider', () => {
  it.each([
    'auth0|64b1f0c2a9e5d3c1b2a4e6f8',
    'google-oauth2|109876543210987654321',
    'oauth2|siwe|eip155:5:0xabc/def',
    'samlp|corp|../../organizations',
    `auth0|${'x'.repeat(506)}`,
  ])('owns %s', (id) => {
    expect(provider.ownsUserId(id)).toBe(true);
  });

  it.each([
    '',
    'auth0',
    '|64b1',
    'auth0|',
    '..',
    '4e4d2c36-6d3b-4b8e-9a1c-2f5d7f0a9b11',
    'user_456789123',
    `auth0|${'x'.repeat(507)}`,
  ])('does not own %j', (id) => {
    expect(provider.ownsUserId(id)).toBe(false);
  });

  it('lets the user themself and holders of read:organizations read, and no one else', () => {
    const id = 'auth0|64b1';
    expect(provider.mayRead(token('AUTH0', id), id)).toBe(true);
    expect(provider.mayRead(token('AUTH0', 'auth0|other', ['read:organizations']), id)).toBe(true);
    expect(provider.mayRead(token('AUTH0', 'auth0|other', ['read:roles', 'openid']), id)).toBe(false);
    expect(provider.mayRead(token('AUTH0', null), id)).toBe(false);
    // Another provider's token says nothing about Auth0 users, whatever it claims.
    expect(provider.mayRead(token('CLOUD_FOUNDRY', id, ['read:organizations']), id)).toBe(false);
  });

  it('cannot satisfy Cloud Foundry association filters', () => {
    expect(provider.supportsAssociationFilters).toBe(false);
  });
});
