/**
 * Cloud Foundry (Cloud Controller v2): a user's organizations filtered (`q`), sorted and paged
 * by Cloud Controller itself, so only the window a page needs is read; roles from the three
 * role lists, only when selected. Its UAA also issues caller tokens the subgraph accepts.
 */
import type { TokenIssuer } from '../../auth/authenticator';
import type { VerifiedToken } from '../../auth/caller';
import type { CloudFoundryConfig } from '../../config';
import type { UpstreamClient } from '../../upstream/http-client';
import type { Provider } from '../provider';
import { credentialKey, type TtlCache } from '../ttl-cache';
import { callerCredentials, clientCredentials } from './credentials';
import { CloudFoundryDataSource } from './data-source';
import { isGuid, sameGuid } from './ids';
import { assertExpressible } from './q-filter';
import { cloudFoundrySource } from './source';
import { discoverUaa, uaaIssuer } from './uaa';

/** UAA scopes that may read any user's organizations (Cloud Controller grants them the same). */
const GLOBAL_READ_SCOPES = [
  'cloud_controller.admin',
  'cloud_controller.admin_read_only',
  'cloud_controller.global_auditor',
];

export interface CloudFoundryProvider {
  provider: Provider;
  issuer: TokenIssuer;
}

export function cloudFoundryProvider(
  config: CloudFoundryConfig,
  http: UpstreamClient,
  lists: TtlCache,
): CloudFoundryProvider {
  const uaa = discoverUaa(http, config.apiUrl);
  const client = config.client ? clientCredentials(http, uaa, config.client) : null;
  return {
    issuer: uaaIssuer(http, uaa, config.audience),
    provider: {
      name: 'CLOUD_FOUNDRY',
      ownsUserId: isGuid,
      mayRead,
      supportsAssociationFilters: true,
      assertExpressible,
      createSource: ({ caller }) => {
        const credentials = client ?? callerCredentials(caller);
        // Pages read with the caller's own token are that caller's alone; the client's, anyone's
        // this request's authorization let through.
        const cacheScope = client ? async () => 'client' : async () => credentialKey(await credentials.token.get());
        return cloudFoundrySource(caller, new CloudFoundryDataSource(http, config.apiUrl, credentials), {
          lists,
          cacheScope,
        });
      },
    },
  };
}

/** The user themself, or a UAA token that reads every user. */
function mayRead(token: VerifiedToken, userId: string): boolean {
  if (token.provider !== 'CLOUD_FOUNDRY') return false;
  return (
    (token.userId !== null && sameGuid(token.userId, userId)) ||
    GLOBAL_READ_SCOPES.some((scope) => token.scopes.has(scope))
  );
}
