/**
 * The UAA behind the Cloud Controller: found through `GET {api}/v2/info` (`token_endpoint`),
 * it signs the caller tokens the subgraph accepts (`iss` = `{uaa}/oauth/token`, keys at
 * `{uaa}/token_keys`).
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { invalidBearerToken, type TokenIssuer } from '../../auth/authenticator';
import { remoteKeySet } from '../../auth/remote-keys';
import type { UpstreamClient } from '../../upstream/http-client';
import { failureOf, parseBody } from '../../upstream/response';
import { infoSchema } from './wire';

/** What the UAA's `iss` is: its token endpoint. */
const ISSUER_PATH = '/oauth/token';

/** The UAA's base URL, without a trailing slash. */
export type UaaLocator = () => Promise<string>;

/**
 * Asks `/v2/info` once per process; a failed discovery is forgotten, so the next caller asks
 * again instead of the provider staying broken until a restart.
 */
export function discoverUaa(http: UpstreamClient, apiUrl: string): UaaLocator {
  return onceSucceeded(async () => {
    // No token: /v2/info is public. A 404 here means the URL is wrong (with the v2 API switched
    // off, /v2/info still answers; the lists do not: cloudFoundryFailure says so).
    const response = await http.send({ provider: 'CLOUD_FOUNDRY', route: 'GET /v2/info', url: `${apiUrl}/v2/info` });
    if (response.status !== 200) throw failureOf('CLOUD_FOUNDRY', response);
    return parseBody('CLOUD_FOUNDRY', response, infoSchema).token_endpoint.replace(/\/+$/, '');
  });
}

/**
 * `audience`: the resource id caller tokens must name in `aud`. UAA puts there the resource of
 * each scope a token holds (`cloud_controller` for `cloud_controller.read`) and the client it
 * was issued to, so this refuses the tokens of clients that were never granted it; null takes
 * any token the UAA signed, as the contract's default.
 */
export function uaaIssuer(http: UpstreamClient, uaa: UaaLocator, audience: string | null): TokenIssuer {
  // jose caches the keys and refetches them on an unknown `kid` (a rotation), at most once per cooldown.
  // UAA's `{"keys":[…]}` is a JWK set as jose reads it.
  const keys = onceSucceeded(
    async (): Promise<JWTVerifyGetKey> =>
      remoteKeySet(http, { provider: 'CLOUD_FOUNDRY', route: 'GET {uaa}/token_keys', url: `${await uaa()}/token_keys` }),
  );
  return {
    provider: 'CLOUD_FOUNDRY',
    issuer: async () => `${await uaa()}${ISSUER_PATH}`,
    mayHaveIssued: (iss) => iss.endsWith(ISSUER_PATH),
    keys,
    ...(audience ? { audience } : {}),
    identity: (claims) => {
      // Cloud Controller refuses these too (UaaTokenDecoder's access_token?): a refresh token
      // is a longer-lived credential for the UAA alone, never proof of a request's caller.
      if (typeof claims.jti === 'string' && REFRESH_TOKEN_JTI.test(claims.jti)) {
        throw invalidBearerToken('a UAA refresh token is not an access token');
      }
      return { userId: userIdOf(claims), scopes: scopesOf(claims) };
    },
  };
}

/** UAA marks its JWT refresh tokens with a `jti` ending in `-r`. */
const REFRESH_TOKEN_JTI = /-r$/;

/** UAA user tokens carry the Cloud Foundry user guid as `user_id`; client tokens have none. */
function userIdOf(claims: JWTPayload): string | null {
  return typeof claims.user_id === 'string' && claims.user_id !== '' ? claims.user_id : null;
}

/** UAA's `scope` is an array of strings. */
function scopesOf(claims: JWTPayload): Set<string> {
  const scope: unknown[] = Array.isArray(claims.scope) ? claims.scope : [];
  return new Set(scope.filter((value): value is string => typeof value === 'string' && value !== ''));
}

/** Memoizes a successful answer; a failure is not kept, so the next call tries again. */
function onceSucceeded<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
