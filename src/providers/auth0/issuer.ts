/**
 * The Auth0 tenant as an issuer of caller tokens: `iss` is `https://{domain}/` (with the
 * trailing slash), keys at `/.well-known/jwks.json`, audience the subgraph's API identifier.
 */
import type { JWTPayload } from 'jose';
import type { TokenIssuer } from '../../auth/authenticator';
import { remoteKeySet } from '../../auth/remote-keys';
import type { Auth0Config } from '../../config';
import type { UpstreamClient } from '../../upstream/http-client';

export function auth0Issuer(config: Pick<Auth0Config, 'baseUrl' | 'audience'>, http: UpstreamClient): TokenIssuer {
  const issuer = `${config.baseUrl}/`;
  // Created once: jose caches the keys and refetches them on an unknown `kid`, at most once per cooldown.
  const keys = remoteKeySet(http, {
    provider: 'AUTH0',
    route: 'GET /.well-known/jwks.json',
    url: `${config.baseUrl}/.well-known/jwks.json`,
  });
  return {
    provider: 'AUTH0',
    issuer: async () => issuer,
    keys: async () => keys,
    audience: config.audience,
    identity: (claims) => ({
      userId: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null,
      scopes: grantedScopes(claims),
    }),
  };
}

/** `scope` (space-separated) and, with RBAC, `permissions` (an array); anything else is ignored. */
function grantedScopes(claims: JWTPayload): Set<string> {
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : [];
  const permissions = Array.isArray(claims.permissions) ? claims.permissions : [];
  return new Set(
    [...scopes, ...permissions].filter((value): value is string => typeof value === 'string' && value !== ''),
  );
}
