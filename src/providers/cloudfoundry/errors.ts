/**
 * Cloud Controller's error answers → the contract's codes, all with `provider: CLOUD_FOUNDRY`.
 * Messages name the route template and Cloud Controller's `error_code`, never a URL, a token
 * or Cloud Controller's free text (which may echo the query).
 */
import { AppError } from '../../errors';
import type { UpstreamResponse } from '../../upstream/http-client';
import { failureOf, parseErrorBody } from '../../upstream/response';
import { errorBody } from './wire';

const provider = 'CLOUD_FOUNDRY';

/** Whose token Cloud Controller was called with: it decides what a 401 means. */
export type Credential = 'caller' | 'client';

/** A Cloud Controller answer other than 200 and "not found". */
export function cloudFoundryFailure(response: UpstreamResponse, route: string, credential: Credential): AppError {
  const code = errorCodeOf(response);
  const because = code ? ` (${code}, ${route})` : ` (${route})`;
  switch (response.status) {
    case 401:
      // The caller's token: the caller must sign in again. The subgraph's client token was
      // already renewed once (AccessToken.send): the subgraph is misconfigured, not the caller.
      return credential === 'caller'
        ? new AppError('UNAUTHENTICATED', `CLOUD_FOUNDRY did not accept the caller's token${because}`, { provider })
        : new AppError('UPSTREAM_ERROR', `CLOUD_FOUNDRY did not accept the subgraph's client token${because}`, {
            provider,
          });
    case 403:
      // The caller's token: Cloud Controller's own rules refuse the caller. The subgraph's client
      // token: the subgraph already decided the caller may read it; its client lacks the grant.
      return credential === 'caller'
        ? new AppError('FORBIDDEN', `CLOUD_FOUNDRY does not let this token read it${because}`, { provider })
        : new AppError('UPSTREAM_ERROR', `CLOUD_FOUNDRY does not let the subgraph's client token read it${because}`, {
            provider,
          });
    case 400:
      return new AppError('UPSTREAM_ERROR', `CLOUD_FOUNDRY refused the request as invalid${because}`, { provider });
    case 404:
      // Cloud Controller's own 404s carry an error_code. One without is from whatever sits in
      // front of it, as when the v2 API is switched off (cf-deployment's default since 2025),
      // which leaves /v2/info answering: say so, for the operator reading the logs.
      return new AppError(
        'UPSTREAM_ERROR',
        code
          ? `CLOUD_FOUNDRY answered 404${because}`
          : `CLOUD_FOUNDRY answered 404 without a Cloud Controller error (${route}): is its v2 API switched off?`,
        { provider },
      );
    default:
      return failureOf(provider, response);
  }
}

/** A 404 with this `error_code` (`CF-UserNotFound`, `CF-OrganizationNotFound`); a router's 404 is not one. */
export function isNotFound(response: UpstreamResponse, code: string): boolean {
  return response.status === 404 && errorCodeOf(response) === code;
}

/** The UAA's refusals of the client-credentials grant (4xx but 429): the configured client is wrong. */
export function tokenFailure(response: UpstreamResponse): AppError {
  if (response.status >= 400 && response.status < 500 && response.status !== 429) {
    const message = `The UAA refused the subgraph's CLOUD_FOUNDRY client credentials (HTTP ${response.status})`;
    return new AppError('UPSTREAM_ERROR', message, { provider });
  }
  return failureOf(provider, response);
}

/** Cloud Controller's machine-readable `error_code`, when it looks like one. */
function errorCodeOf(response: UpstreamResponse): string | undefined {
  const code = parseErrorBody(response, errorBody)?.error_code;
  return code && /^[A-Za-z0-9-]{1,64}$/.test(code) ? code : undefined;
}
