/**
 * Auth0's error answers → the contract's codes. The Management API is always called with the
 * subgraph's own token, so a 400, 401 or 403 says the subgraph (its request or its grant) is
 * wrong, never the caller: UPSTREAM_ERROR. 429 and 5xx are shared with every provider.
 */
import { AppError } from '../../errors';
import type { UpstreamResponse } from '../../upstream/http-client';
import { failureOf, parseErrorBody } from '../../upstream/response';
import { errorBodySchema } from './wire';

const provider = 'AUTH0';

/** A Management API answer other than 200 and "does not exist"; `route` is the template, never the URL. */
export function auth0Failure(response: UpstreamResponse, route: string): AppError {
  switch (response.status) {
    case 400:
      return subgraphAtFault(`AUTH0 refused the request as invalid${reasonOf(response)} (${route})`);
    case 401:
      return subgraphAtFault(`AUTH0 refused the subgraph's Management API token (${route})`);
    case 403:
      return subgraphAtFault(`The subgraph's AUTH0 Management API grant lacks a scope (${route})`);
    default:
      return failureOf(provider, response);
  }
}

/**
 * What Auth0 says of a user, organization or role that does not exist when it gives no code
 * ("User not found", "No organization found by that id or name", "The role does not exist.");
 * not its router's bare "Not Found".
 */
const INEXISTENT_MESSAGE = /^(?!not found\.?$).*\b(not found|no \w+ found|does not exist)\b/i;

/**
 * A 404 saying that the user, organization or role named in the path does not exist: Auth0's
 * error body with an `inexistent_…` code (`inexistent_user`, `inexistent_organization`,
 * `inexistent_role`), or without a code (it is optional: the documented "User not found" comes
 * without one) and a message saying so. The router's 404 (`Not Found`) is not one: it means the
 * request was wrong. Nor is a 404 that is not Auth0's error body.
 */
export function isInexistent(response: UpstreamResponse): boolean {
  if (response.status !== 404) return false;
  const body = parseErrorBody(response, errorBodySchema);
  if (!body) return false;
  return body.errorCode === undefined ? INEXISTENT_MESSAGE.test(body.message) : body.errorCode.startsWith('inexistent_');
}

/** The token endpoint's refusals (4xx but 429): the configured client is wrong or not granted. */
export function tokenFailure(response: UpstreamResponse): AppError {
  // Auth0's `access_denied` for an audience the client has no grant for, or that is not the
  // tenant's Management API identifier (a custom domain's `/api/v2/` is not).
  if (response.status === 403) {
    return subgraphAtFault(
      "AUTH0 refused the subgraph's Management API client a token for its audience (HTTP 403): grant the client the Management API, or, where AUTH0_DOMAIN is a custom domain, set AUTH0_MANAGEMENT_AUDIENCE",
    );
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 429) {
    return subgraphAtFault(`AUTH0 refused the subgraph's Management API client credentials (HTTP ${response.status})`);
  }
  return failureOf(provider, response);
}

function subgraphAtFault(message: string): AppError {
  return new AppError('UPSTREAM_ERROR', message, { provider });
}

/** Auth0's machine-readable reason (`: invalid_query_string`) when there is one; never its free text. */
function reasonOf(response: UpstreamResponse): string {
  const code = parseErrorBody(response, errorBodySchema)?.errorCode;
  return code && /^[a-z_]{1,64}$/.test(code) ? `: ${code}` : '';
}
