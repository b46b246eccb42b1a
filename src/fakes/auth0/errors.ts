/**
 * How the fake Auth0 tenant refuses a request: the Management API's documented error bodies,
 * and the exception any part of the tenant throws to answer with one.
 */
import { STATUS_CODES } from 'node:http';

export interface Auth0ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode?: string;
}

function managementError(statusCode: number, message: string, errorCode?: string): Auth0ErrorBody {
  const body: Auth0ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (errorCode) body.errorCode = errorCode;
  return body;
}

/** The Management API's documented error bodies, for answers here and for assertions in tests. */
export const AUTH0_ERRORS = {
  invalidUri: managementError(400, 'invalid_request_uri', 'invalid_uri'),
  invalidQueryString: (message: string) => managementError(400, message, 'invalid_query_string'),
  missingAuthentication: managementError(401, 'Missing authentication'),
  invalidToken: managementError(401, 'Invalid token.'),
  invalidSignature: managementError(401, 'Invalid signature received for JSON Web Token validation.'),
  expiredToken: managementError(401, 'Expired token received for JSON Web Token validation.'),
  insufficientScope: (scope: string) =>
    managementError(403, `Insufficient scope; expected any of: ${scope}.`, 'insufficient_scope'),
  userNotFound: managementError(404, 'User not found', 'inexistent_user'),
  organizationNotFound: managementError(404, 'No organization found by that id or name', 'inexistent_organization'),
  roleNotFound: managementError(404, 'The role does not exist.', 'inexistent_role'),
  routeNotFound: managementError(404, 'Not Found'),
  tooManyRequests: managementError(
    429,
    'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
    'too_many_requests',
  ),
} as const;

/** Thrown anywhere while handling a request; the error handler answers with it as is. */
export class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(`HTTP ${status}`);
  }
}
