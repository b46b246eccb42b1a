/**
 * Every error answer the Auth0 reference documents, mapped to the contract's code, with
 * `provider: AUTH0`; bodies written out as the reference shows them.
 */
import { AppError } from '../../../src/errors';
import { auth0Failure, isInexistent, tokenFailure } from '../../../src/providers/auth0/errors';
import type { UpstreamResponse } from '../../../src/upstream/http-client';

const ROUTE = 'GET /api/v2/users/{id}/organizations';

function answer(status: number, body: unknown, headers: UpstreamResponse['headers'] = {}): UpstreamResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function auth0Error(statusCode: number, error: string, message: string, errorCode?: string) {
  return { statusCode, error, message, ...(errorCode ? { errorCode } : {}) };
}

describe('auth0Failure', () => {
  it.each([
    ['400 invalid_uri', auth0Error(400, 'Bad Request', 'invalid_request_uri', 'invalid_uri')],
    [
      '400 invalid_query_string',
      auth0Error(
        400,
        'Bad Request',
        "Query validation error: 'Value 1000 is greater than maximum 100' on property per_page (Number of results per page. Defaults to 50.)",
        'invalid_query_string',
      ),
    ],
    ['401 Invalid token.', auth0Error(401, 'Unauthorized', 'Invalid token.')],
    ['401 invalid signature', auth0Error(401, 'Unauthorized', 'Invalid signature received for JSON Web Token validation.')],
    ['401 expired token', auth0Error(401, 'Unauthorized', 'Expired token received for JSON Web Token validation.')],
    [
      '403 insufficient_scope',
      auth0Error(403, 'Forbidden', 'Insufficient scope; expected any of: read:organizations.', 'insufficient_scope'),
    ],
    ['404 of the router', auth0Error(404, 'Not Found', 'Not Found')],
  ])('%s is UPSTREAM_ERROR: the subgraph is wrong, not the caller', (_label, body) => {
    const error = auth0Failure(answer(body.statusCode, body), ROUTE);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.details).toEqual({ provider: 'AUTH0' });
    // Auth0's free text stays out of what callers see.
    expect(error.message).not.toContain(body.message);
  });

  it('names the route template and the machine-readable reason of a 400', () => {
    const body = auth0Error(400, 'Bad Request', 'Query validation error', 'invalid_query_string');
    expect(auth0Failure(answer(400, body), ROUTE).message).toBe(
      `AUTH0 refused the request as invalid: invalid_query_string (${ROUTE})`,
    );
  });

  it('429 with X-RateLimit-Reset is RATE_LIMITED with the seconds until the reset', () => {
    const body = auth0Error(
      429,
      'Too Many Requests',
      'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
      'too_many_requests',
    );
    const reset = Math.floor(Date.now() / 1000) + 30;
    const headers = { 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) };
    const error = auth0Failure(answer(429, body, headers), ROUTE);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toEqual({ provider: 'AUTH0', retryAfter: 30 });
  });

  it('429 honours Retry-After before X-RateLimit-Reset', () => {
    const headers = { 'retry-after': '7', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 50) };
    expect(auth0Failure(answer(429, {}, headers), ROUTE).details).toEqual({ provider: 'AUTH0', retryAfter: 7 });
  });

  it('429 naming no wait still says when to retry (1 s)', () => {
    expect(auth0Failure(answer(429, {}, {}), ROUTE).details).toEqual({ provider: 'AUTH0', retryAfter: 1 });
  });

  it.each([500, 502, 503, 504])('%i is UPSTREAM_UNAVAILABLE', (status) => {
    const error = auth0Failure(answer(status, auth0Error(status, 'Server Error', 'boom')), ROUTE);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.details).toEqual({ provider: 'AUTH0' });
  });
});

describe('isInexistent', () => {
  it.each([
    ['404 inexistent_user', answer(404, auth0Error(404, 'Not Found', 'User not found', 'inexistent_user')), true],
    ['404 "User not found" without a code', answer(404, auth0Error(404, 'Not Found', 'User not found')), true],
    [
      '404 inexistent_organization',
      answer(404, auth0Error(404, 'Not Found', 'No organization found by that id or name', 'inexistent_organization')),
      true,
    ],
    ['404 inexistent_role', answer(404, auth0Error(404, 'Not Found', 'The role does not exist.', 'inexistent_role')), true],
    [
      '404 "No organization found" without a code (errorCode is optional)',
      answer(404, auth0Error(404, 'Not Found', 'No organization found by that id or name')),
      true,
    ],
    ['404 "The role does not exist." without a code', answer(404, auth0Error(404, 'Not Found', 'The role does not exist.')), true],
    ['404 of the router', answer(404, auth0Error(404, 'Not Found', 'Not Found')), false],
    ['404 of a proxy saying "Not Found."', answer(404, auth0Error(404, 'Not Found', 'Not Found.')), false],
    ['404 without a code saying something else', answer(404, auth0Error(404, 'Not Found', 'Resource moved')), false],
    ['404 with another code', answer(404, auth0Error(404, 'Not Found', 'Not Found', 'not_found')), false],
    ['404 that is not JSON', answer(404, '<html>Not Found</html>'), false],
    ['403 insufficient_scope', answer(403, auth0Error(403, 'Forbidden', 'Insufficient scope', 'insufficient_scope')), false],
  ])('%s → %s', (_label, response, expected) => {
    expect(isInexistent(response)).toBe(expected);
  });
});

describe('tokenFailure', () => {
  it.each([
    [401, { error: 'access_denied', error_description: 'Unauthorized' }],
    [403, { error: 'access_denied', error_description: 'Service not enabled within domain: https://x/api/v2/' }],
    [400, { error: 'invalid_request', error_description: 'Missing required parameter: grant_type' }],
  ])('%i is UPSTREAM_ERROR, without the endpoint text', (status, body) => {
    const error = tokenFailure(answer(status, body));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.details).toEqual({ provider: 'AUTH0' });
    expect(error.message).not.toContain(body.error_description);
  });

  it('429 is RATE_LIMITED and 5xx UPSTREAM_UNAVAILABLE', () => {
    expect(tokenFailure(answer(429, {}, { 'retry-after': '3' })).details).toEqual({ provider: 'AUTH0', retryAfter: 3 });
    expect(tokenFailure(answer(503, {})).code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
