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
  const wachtSession = presented.sessionCookie?.trim() || presented.sessionHeader?.trim() || null;
  let verified: Promise<VerifiedToken | null> | undefined;
  let claimed: string | null | undefined;
  return {
    wachtSession,
    hasCredential: authorization !== null || wachtSession !== null,
    bearer: () => (verified ??= authorization === null ? Promise.resolve(null) : verify(authorization, authenticator)),
    claimedSubject: () => (claimed ??= authorization === null ? null : claimedSubjectOf(authorization)),
  };
}

/** `sub` as the token states it; null for anything that is not a JWT with one. */
function claimedSubjectOf(authorization: string): string | null {
  try {
    const { sub } = decodeJwt(authorization.replace(/^Bearer +/i, ''));
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

async function verify(authorization: string, authenticator: Authenticator): Promise<VerifiedToken> {
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization);
  if (!match) throw new AppError('UNAUTHENTICATED', 'Invalid Authorization header: expected `Bearer <JWT>`');
  return authenticator.verify(match[1]!);
}
