import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { auth0Issuer } from '../../../src/providers/auth0/issuer';
import type { UpstreamClient, UpstreamRequest } from '../../../src/upstream/http-client';

/** An upstream client that answers the tenant's key set and records what it was asked. */
function keysClient(jwks: unknown) {
  const sent: UpstreamRequest[] = [];
  const http = {
    send: async (request: UpstreamRequest) => {
      sent.push(request);
      return { status: 200, headers: {}, body: JSON.stringify(jwks) };
    },
  } as unknown as UpstreamClient;
  return { http, sent };
}

const issuer = auth0Issuer(
  { baseUrl: 'https://travel0.us.auth0.com', audience: 'https://api.example.com' },
  keysClient({ keys: [] }).http,
);

describe('the Auth0 token issuer', () => {
  it('is the tenant with its trailing slash, for the configured audience', async () => {
    expect(issuer.provider).toBe('AUTH0');
    expect(await issuer.issuer()).toBe('https://travel0.us.auth0.com/');
    expect(issuer.audience).toBe('https://api.example.com');
    // The same key set every time, so jose's cache lives as long as the provider.
    expect(await issuer.keys()).toBe(await issuer.keys());
  });

  it("fetches the tenant's keys through the upstream client, as AUTH0 under a route template", async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const { http, sent } = keysClient({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
    const tenant = auth0Issuer({ baseUrl: 'https://travel0.us.auth0.com', audience: 'https://api.example.com' }, http);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    await expect(jwtVerify(token, await tenant.keys())).resolves.toBeDefined();
    expect(sent).toEqual([
      expect.objectContaining({
        provider: 'AUTH0',
        route: 'GET /.well-known/jwks.json',
        url: 'https://travel0.us.auth0.com/.well-known/jwks.json',
      }),
    ]);
  });

  it('takes the user from sub and the grants from scope and permissions', () => {
    const identity = issuer.identity({
      sub: 'auth0|64b1',
      scope: 'openid  profile read:organizations',
      permissions: ['read:roles', 'read:organizations'],
    });
    expect(identity.userId).toBe('auth0|64b1');
    expect([...identity.scopes].sort()).toEqual(['openid', 'profile', 'read:organizations', 'read:roles']);
  });

  it.each([
    [{}],
    [{ sub: 42, scope: ['read:organizations'], permissions: 'read:organizations' }],
    [{ sub: '', scope: null, permissions: { 0: 'read:organizations' } }],
  ])('ignores claims of the wrong type %j', (claims) => {
    const identity = issuer.identity(claims as Record<string, unknown>);
    expect(identity.userId).toBeNull();
    expect(identity.scopes.size).toBe(0);
  });

  it('keeps only the string permissions of a mixed array', () => {
    expect([...issuer.identity({ sub: 'auth0|1', permissions: ['read:organizations', 7, null] }).scopes]).toEqual([
      'read:organizations',
    ]);
  });
});
