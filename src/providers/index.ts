/**
 * The providers this deployment has, from its configuration. A new provider is a folder
 * beside these and a registration here. Every provider calls its API through the server's
 * one upstream client (pools, policies, metrics).
 */
import type { Config } from '../config';
import type { TokenIssuer } from '../auth/authenticator';
import type { UpstreamClient } from '../upstream/http-client';
import type { Provider } from './provider';
import { TtlCache, type CacheObserver } from './ttl-cache';
import { auth0Provider } from './auth0';
import { cloudFoundryProvider } from './cloudfoundry';
import { wachtProvider } from './wacht';

export interface ConfiguredProviders {
  providers: Provider[];
  /** The bearer-token issuers the configured providers trust. */
  issuers: TokenIssuer[];
}

export function configureProviders(config: Config, http: UpstreamClient, observer?: CacheObserver): ConfiguredProviders {
  const providers: Provider[] = [];
  const issuers: TokenIssuer[] = [];
  const lists = new TtlCache('membership_lists', config.membershipCacheTtlSeconds, observer);
  if (config.auth0) {
    const auth0 = auth0Provider(config.auth0, http, {
      lists,
      permissions: new TtlCache('auth0_role_permissions', config.rolePermissionsCacheTtlSeconds, observer, 1_000),
    });
    providers.push(auth0.provider);
    issuers.push(auth0.issuer);
  }
  if (config.cloudFoundry) {
    const cloudFoundry = cloudFoundryProvider(config.cloudFoundry, http, lists);
    providers.push(cloudFoundry.provider);
    issuers.push(cloudFoundry.issuer);
  }
  if (config.wacht) providers.push(wachtProvider(config.wacht.frontendApiUrl, http, lists));
  return { providers, issuers };
}
