import type { ErrorCode, ErrorDetails } from '../../../src/errors';
import {
  cloudFoundryFailure,
  isNotFound,
  tokenFailure,
  type Credential,
} from '../../../src/providers/cloudfoundry/errors';
import type { UpstreamResponse } from '../../../src/upstream/http-client';

const ROUTE = 'GET /v2/users/{guid}/organizations';

function response(status: number, body: unknown, headers: UpstreamResponse['headers'] = {}): UpstreamResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const cf = (status: number, error_code: string, code: number, description = 'secret-looking free text') =>
  response(status, { description, error_code, code });

describe('cloudFoundryFailure', () => {
  it.each<[string, UpstreamResponse, Credential, ErrorCode, ErrorDetails]>([
    ['401 InvalidAuthToken, caller token', cf(401, 'CF-InvalidAuthToken', 1000), 'caller', 'UNAUTHENTICATED', {}],
    ['401 NotAuthenticated, caller token', cf(401, 'CF-NotAuthenticated', 10002), 'caller', 'UNAUTHENTICATED', {}],
    ['401, client token (already renewed once)', cf(401, 'CF-InvalidAuthToken', 1000), 'client', 'UPSTREAM_ERROR', {}],
    ['403 NotAuthorized, caller token', cf(403, 'CF-NotAuthorized', 10003), 'caller', 'FORBIDDEN', {}],
    ['403 InsufficientScope, caller token', cf(403, 'CF-InsufficientScope', 10007), 'caller', 'FORBIDDEN', {}],
    ['403 NotAuthorized, client token (its grant is missing)', cf(403, 'CF-NotAuthorized', 10003), 'client', 'UPSTREAM_ERROR', {}],
    ['403 InsufficientScope, client token', cf(403, 'CF-InsufficientScope', 10007), 'client', 'UPSTREAM_ERROR', {}],
    ['400 BadQueryParameter', cf(400, 'CF-BadQueryParameter', 10005), 'client', 'UPSTREAM_ERROR', {}],
    [
      '429 RateLimitV2APIExceeded',
      response(429, { error_code: 'CF-RateLimitV2APIExceeded', code: 10018 }, { 'retry-after': '42' }),
      'client',
      'RATE_LIMITED',
      { retryAfter: 42 },
    ],
    ['500 UnknownError', cf(500, 'UnknownError', 10001), 'client', 'UPSTREAM_UNAVAILABLE', {}],
    ['502 from a router, not JSON', response(502, '<html>Bad Gateway</html>'), 'caller', 'UPSTREAM_UNAVAILABLE', {}],
    ['404 of an unknown route', cf(404, 'CF-NotFound', 10000), 'client', 'UPSTREAM_ERROR', {}],
    ['404 from in front of Cloud Controller, not JSON', response(404, '404 page not found'), 'client', 'UPSTREAM_ERROR', {}],
  ])('%s', (_, answer, credential, code, details) => {
    const error = cloudFoundryFailure(answer, ROUTE, credential);
    expect(error.code).toBe(code);
    expect(error.details).toEqual({ provider: 'CLOUD_FOUNDRY', ...details });
    expect(error.message).not.toContain('secret-looking');
  });

  it('names the route and error code, not the URL', () => {
    expect(cloudFoundryFailure(cf(403, 'CF-NotAuthorized', 10003), ROUTE, 'caller').message).toContain(
      `(CF-NotAuthorized, ${ROUTE})`,
    );
  });

  it('a 404 without a Cloud Controller error asks whether the v2 API is switched off; one with names its code', () => {
    expect(cloudFoundryFailure(response(404, '404 page not found'), ROUTE, 'client').message).toBe(
      `CLOUD_FOUNDRY answered 404 without a Cloud Controller error (${ROUTE}): is its v2 API switched off?`,
    );
    expect(cloudFoundryFailure(cf(404, 'CF-NotFound', 10000), ROUTE, 'client').message).toBe(
      `CLOUD_FOUNDRY answered 404 (CF-NotFound, ${ROUTE})`,
    );
  });

  it('does not echo an error code that does not look like one', () => {
    const message = cloudFoundryFailure(cf(403, 'eyJhbGciOiJSUzI1NiJ9.eyJ.sig <script>', 1), ROUTE, 'caller').message;
    expect(message).not.toContain('eyJ');
    expect(message).toContain(`(${ROUTE})`);
  });
});

describe('isNotFound', () => {
  it.each<[string, UpstreamResponse, string, boolean]>([
    ['the user', cf(404, 'CF-UserNotFound', 20003), 'CF-UserNotFound', true],
    ['the organization', cf(404, 'CF-OrganizationNotFound', 30003), 'CF-OrganizationNotFound', true],
    ['another code', cf(404, 'CF-NotFound', 10000), 'CF-UserNotFound', false],
    ['a 404 that is not JSON', response(404, 'Not Found'), 'CF-UserNotFound', false],
    ['the code on another status', cf(400, 'CF-UserNotFound', 20003), 'CF-UserNotFound', false],
  ])('%s', (_, answer, code, expected) => {
    expect(isNotFound(answer, code)).toBe(expected);
  });
});

describe('tokenFailure', () => {
  it.each<[number, ErrorCode]>([
    [401, 'UPSTREAM_ERROR'],
    [400, 'UPSTREAM_ERROR'],
    [429, 'RATE_LIMITED'],
    [503, 'UPSTREAM_UNAVAILABLE'],
  ])('HTTP %i is %s for Cloud Foundry', (status, code) => {
    const error = tokenFailure(response(status, { error: 'unauthorized', error_description: 'Bad credentials' }));
    expect(error.code).toBe(code);
    expect(error.details.provider).toBe('CLOUD_FOUNDRY');
  });
});
