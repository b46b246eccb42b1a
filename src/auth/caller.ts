/**
 * Who is calling: the credentials a request presents, verified lazily (a field that needs
 * no caller, such as `_service`, never pays for, nor fails on, a token check).
 */
import type { IdentityProvider } from '../graphql/generated';

/** A bearer token whose signature, issuer, audience and expiry were checked. */
export interface VerifiedToken {
  /** The provider whose issuer signed it. */
  provider: IdentityProvider;
  /** The caller's id in that provider (Auth0 `sub`, UAA `user_id`); null for client tokens. */
  userId: string | null;
  /** Scopes and permissions the token grants. */
  scopes: ReadonlySet<string>;
  /** The raw token, for providers that call upstream as the caller. Never logged. */
  raw: string;
}

export interface Caller {
  /** The Wacht session presented (cookie `__session` or `X-Wacht-Session`), unverified: Wacht verifies it. */
  readonly wachtSession: string | null;
  /** Whether any credential was presented at all. */
  readonly hasCredential: boolean;
  /**
   * The verified bearer token; null when none was presented. Rejects with UNAUTHENTICATED
   * when one was presented and does not verify: an invalid token is never "anonymous".
   */
  bearer(): Promise<VerifiedToken | null>;
  /**
   * Who the bearer token says it is (its `sub`, unverified; the configured issuers' subjects
   * do not overlap), or null: tells callers apart where a mix-up must be caught (cursors),
   * never to authorize anything.
   */
  claimedSubject(): string | null;
}
