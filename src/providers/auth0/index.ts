/**
 * Auth0: any user's organizations through the Management API (called with the subgraph's
 * own Management API token, never the caller's), fetched whole up to Auth0's 1000-record
 * paging wall and windowed by the engine; roles loaded only when selected. The tenant also
 * issues the caller tokens the subgraph accepts.
 */
import type { TokenIssuer } from '../../auth/authenticator';
import type { Auth0Config } from '../../config';
import type { UpstreamClient } from '../../upstream/http-client';
import type { Provider } from '../provider';
import { Auth0DataSource } from './data-source';
import { isAuth0UserId } from './ids';
import { auth0Issuer } from './issuer';
import { managementToken } from './management-token';
import { auth0Source, type Auth0Caches } from './source';

/** The Auth0 permission (or scope) that lets a caller read any user's organizations. */
const READ_ORGANIZATIONS = 'read:organizations';

export interface Auth0Provider {
  provider: Provider;
  issuer: TokenIssuer;
}

export function auth0Provider(config: Auth0Config, http: UpstreamClient, caches: Auth0Caches): Auth0Provider {
  const api = new Auth0DataSource(http, config.baseUrl, managementToken(config, http));
  return {
    issuer: auth0Issuer(config, http),
    provider: {
      name: 'AUTH0',
      ownsUserId: isAuth0UserId,
      mayRead: (caller, userId) =>
        caller.provider === 'AUTH0' && (caller.userId === userId || caller.scopes.has(READ_ORGANIZATIONS)),
      supportsAssociationFilters: false,
      createSource: (scope) => auth0Source(scope, api, caches),
    },
  };
}
