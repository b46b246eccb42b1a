/** The credentials a request presents, read once, verified on first use. */
import { decodeJwt } from 'jose';
import { AppError } from '../errors';
import type { Authenticator } from './authenticator';
import type { Caller, VerifiedToken } from './caller';

export interface PresentedCredentials {
  authorization?: string | undefined;
  /** Cookie `__session`. */
  sessionCookie?: string | undefined;
  /** Header `X-Wacht-Session` (for clients that cannot set cookies, such as Sandbox). */
  sessionHeader?: string | undefined;
}

export function callerFrom(presented: PresentedCredentials, authenticator: Authenticator): Caller {
  const authorization = presented.authorization?.trim() || null;
  // The header is set on purpose; a cookie may be another app's (cookies ignore the port, and
  // `__session` is a common name), so the header wins when both are there.
  const wachtSession = presented.sessionHeader?.trim() || presented.sessionCookie?.trim() || null;
  let verified: Promise<VerifiedToken | null> | undefined;
  let claimed: string | null | undefined;
  return {
    wachtSession,
    hasCredential: authorization !== null || wachtSession !== null,
    bearer: () => (verified ??= authorization === null ? Promise.resolve(null) : verify(authorization, authenticator)),
    claimedSubject: () => (claimed ??= authorization === null ? null : claimedSubjectOf(authorization)),
  };
}

/** The JWT of `Authorization: Bearer <JWT>`, or null for any other header. */
function bearerJwt(authorization: string): string | null {
  return /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization)?.[1] ?? null;
}

/** `sub` as the token states it; null for anything that is not a JWT with one. */
function claimedSubjectOf(authorization: string): string | null {
  const jwt = bearerJwt(authorization);
  if (jwt === null) return null;
  try {
    const { sub } = decodeJwt(jwt);
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

async function verify(authorization: string, authenticator: Authenticator): Promise<VerifiedToken> {
  const jwt = bearerJwt(authorization);
  if (jwt === null) throw new AppError('UNAUTHENTICATED', 'Invalid Authorization header: expected `Bearer <JWT>`');
  return authenticator.verify(jwt);
}
