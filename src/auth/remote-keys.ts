/**
 * An issuer's published signing keys (its JWK set), fetched through the subgraph's upstream
 * client like every other upstream call: UPSTREAM_TIMEOUT_MS per attempt, the provider's
 * retries, circuit breaker and concurrency limit, `upstream_requests_total` and its duration,
 * a span, `x-request-id`. jose keeps what it does well: the cached set, one refetch on an
 * unknown `kid` at most once per cooldown, one fetch shared by concurrent verifications.
 */
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { IdentityProvider } from '../graphql/generated';
import type { UpstreamClient } from '../upstream/http-client';
import { failureOf } from '../upstream/response';

export interface KeySetLocation {
  provider: IdentityProvider;
  /** The route template for metrics and traces (e.g. `GET {uaa}/token_keys`), never the URL. */
  route: string;
  url: string;
}

/**
 * How old a fetched key set may get before the next verification fetches it again (jose's
 * default is 10 minutes). With kept tokens re-verified as often (authenticator.ts), a key the
 * issuer has revoked stops verifying within twice this.
 */
export const KEY_SET_MAX_AGE_MS = 5 * 60_000;

export function remoteKeySet(http: Pick<UpstreamClient, 'send'>, { provider, route, url }: KeySetLocation): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), {
    cacheMaxAge: KEY_SET_MAX_AGE_MS,
    // jose's signal (its own fixed 5 s timeout) is ignored: the client bounds each attempt
    // (UPSTREAM_TIMEOUT_MS) and the whole call with its retries (the budget); honouring both
    // would cut a retry short.
    [customFetch]: async (_href, { headers }) => {
      // jose's `accept` lists the JWK set media type too, which some issuers serve.
      const accept = headers.get('accept') ?? 'application/json';
      const answer = await http.send({ provider, route, url, headers: { accept } });
      // A 429 (after the client's own waits) is the caller's RATE_LIMITED with the issuer's
      // retryAfter, not keys that are missing; jose passes what its fetch throws on.
      if (answer.status === 429) throw failureOf(provider, answer);
      // jose reads only the status (anything else but 200 is its generic error: the keys are
      // unavailable) and the JSON body. A body is kept for a 200 alone, since a
      // Response refuses one with 204 or 304.
      return new Response(answer.status === 200 ? answer.body : null, { status: answer.status });
    },
  });
}
