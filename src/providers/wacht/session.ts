/**
 * What the subgraph checks of a caller's Wacht session before forwarding it to Wacht, which
 * verifies it: that it can go into a Cookie header as it is, and that it has not expired.
 */
import { decodeJwt } from 'jose';
import { AppError } from '../../errors';

/** Session tokens are JWTs or opaque tokens: URL-safe characters, never `;`, `,` or spaces. */
const SESSION_TOKEN = /^[A-Za-z0-9._~+/=-]{1,4096}$/;

/**
 * A session this close to its `exp` counts as expired: the clocks of this server and of Wacht
 * may differ by as much (the tolerance the subgraph grants bearer tokens' `exp` the other way).
 */
const EXPIRY_SKEW_MS = 30_000;

declare const checked: unique symbol;
/** A session `checkedSession` passed: the type lets only such a one be forwarded. */
export type CheckedSession = string & { readonly [checked]: true };

/** The session, safe to forward; UNAUTHENTICATED for WACHT when it is malformed or has expired. */
export function checkedSession(session: string, now = Date.now()): CheckedSession {
  // Checked before it goes into a Cookie header: no other cookie or header can ride along.
  if (!SESSION_TOKEN.test(session)) {
    throw new AppError('UNAUTHENTICATED', 'The Wacht session is malformed', { provider: 'WACHT' });
  }
  if (hasExpired(session, now)) {
    throw new AppError('UNAUTHENTICATED', 'The Wacht session has expired: refresh it with Wacht, then retry', {
      provider: 'WACHT',
    });
  }
  return session as CheckedSession;
}

/**
 * Whether a session JWT's `exp` has passed, or is about to (read unverified: Wacht verifies the
 * token; an opaque token, or one without a numeric `exp`, never has). Wacht answers an expired
 * session by refreshing it, and some releases delete the old token's rotating token as they do:
 * the new token would go to the subgraph, which cannot hand it back, and the browser's, refused
 * from then on, would sign its user out.
 */
function hasExpired(session: string, now: number): boolean {
  try {
    const { exp } = decodeJwt(session);
    return typeof exp === 'number' && exp * 1000 <= now + EXPIRY_SKEW_MS;
  } catch {
    return false;
  }
}
