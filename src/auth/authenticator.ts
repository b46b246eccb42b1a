/**
 * Bearer token verification: RS256 only, against the one configured issuer the token
 * names, with that issuer's published keys (cached by jose, refetched once on an unknown
 * `kid`), audience and expiry checked with a small clock tolerance.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors';
import type { CacheObserver } from '../providers/ttl-cache';
import type { IdentityProvider } from '../graphql/generated';
import type { VerifiedToken } from './caller';
import { KEY_SET_MAX_AGE_MS } from './remote-keys';

/** A provider's token issuer, contributed by the provider that trusts it. */
export interface TokenIssuer {
  readonly provider: IdentityProvider;
  /** The exact `iss` it signs with (may need discovery, e.g. the UAA behind `/v2/info`). */
  issuer(): Promise<string>;
  /**
   * Whether a token naming `iss` may be this issuer's, known without discovery (the UAA's
   * always ends in `/oauth/token`): one that may not is refused without asking, even while
   * discovery fails. Absent: any may be.
   */
  mayHaveIssued?(iss: string): boolean;
  /** Its signing keys. */
  keys(): Promise<JWTVerifyGetKey>;
  /** The `aud` its tokens must carry, if any. */
  readonly audience?: string;
  /** Who the verified claims say the caller is. */
  identity(claims: JWTPayload): { userId: string | null; scopes: Set<string> };
}

/** Leeway for the clocks of this server and of the issuer differing (RFC 7519 allows "a few minutes"). */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Verified tokens kept (in memory only) so a caller's every request does not redo RS256. */
const VERIFIED_TOKENS_KEPT = 10_000;
/**
 * Re-verify a kept token as often as its issuer's keys are refetched, so that a token signed
 * with a key the issuer has revoked stops working within twice that (ten minutes).
 */
const REVERIFY_AFTER_MS = KEY_SET_MAX_AGE_MS;

export class Authenticator {
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: VERIFIED_TOKENS_KEPT });

  constructor(
    private readonly issuers: readonly TokenIssuer[],
    private readonly observer?: CacheObserver,
  ) {}

  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    this.observer?.cacheLookup('verified_tokens', known !== undefined);
    if (known) return known;
    const verified = await this.verifyAnew(token);
    this.verified.set(token, verified, { ttl: keepFor(token) });
    return verified;
  }

  private async verifyAnew(token: string): Promise<VerifiedToken> {
    const claimedIssuer = readIssuer(token);
    const issuer = await this.issuerNamed(claimedIssuer);
    if (!issuer) throw invalidBearerToken('the token issuer is not accepted here');
    try {
      const { payload } = await jwtVerify(token, await issuer.keys(), {
        issuer: claimedIssuer,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // A token without `exp` would never expire: Auth0 and the UAA always write one.
        requiredClaims: ['exp'],
        ...(issuer.audience ? { audience: issuer.audience } : {}),
      });
      return { provider: issuer.provider, ...issuer.identity(payload), raw: token };
    } catch (error) {
      throw verificationFailure(issuer.provider, error);
    }
  }

  /**
   * The configured issuer that signs as `iss`. One whose address cannot be discovered right
   * now (the UAA behind a failing `/v2/info`) does not stop the others from matching; only
   * when none matches is its failure the answer, since the token may well be its own.
   */
  private async issuerNamed(iss: string): Promise<TokenIssuer | undefined> {
    let undiscovered: unknown;
    for (const candidate of this.issuers) {
      if (candidate.mayHaveIssued && !candidate.mayHaveIssued(iss)) continue;
      try {
        if ((await candidate.issuer()) === iss) return candidate;
      } catch (error) {
        undiscovered ??= error;
      }
    }
    if (undiscovered) throw undiscovered;
    return undefined;
  }
}

/** Until the token expires (checked already), and no longer than REVERIFY_AFTER_MS. */
function keepFor(token: string): number {
  const expiresAt = decodeJwt(token).exp;
  const untilExpiry = typeof expiresAt === 'number' ? expiresAt * 1000 - Date.now() : REVERIFY_AFTER_MS;
  return Math.max(1, Math.min(REVERIFY_AFTER_MS, untilExpiry));
}

/** The unverified `iss`, only to pick the issuer to verify with; RS256 checked up front. */
function readIssuer(token: string): string {
  try {
    if (decodeProtectedHeader(token).alg !== 'RS256') throw invalidBearerToken('only RS256 tokens are accepted');
    const iss = decodeJwt(token).iss;
    if (typeof iss !== 'string') throw invalidBearerToken('the token names no issuer');
    return iss;
  } catch (error) {
    throw error instanceof AppError ? error : invalidBearerToken('the bearer token is not a JWT');
  }
}

function verificationFailure(provider: IdentityProvider, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return invalidBearerToken('the bearer token has expired');
  if (keysUnavailable(error)) {
    // The keys could not be fetched: the issuer is down, not the caller wrong.
    return new AppError('UPSTREAM_UNAVAILABLE', `${provider} signing keys could not be fetched`, { provider });
  }
  if (error instanceof errors.JWTClaimValidationFailed) return invalidBearerToken(`the bearer token's ${error.claim} is not accepted`);
  return invalidBearerToken('the bearer token does not verify');
}

/**
 * The key set could not be had: a timeout, a network error (not jose's), an answer other than
 * 200 (jose's generic error) or a body that is no key set.
 */
function keysUnavailable(error: unknown): boolean {
  return (
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === 'ERR_JOSE_GENERIC'
  );
}

export function invalidBearerToken(reason: string): AppError {
  return new AppError('UNAUTHENTICATED', `Invalid bearer token: ${reason}`);
}
