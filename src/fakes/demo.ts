/**
 * Demo mode: with no provider configured (outside production), the fakes start on loopback
 * with sample data, the providers point at them, and the credentials to paste into Sandbox
 * are printed.
 */
import type { Config } from '../config';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from './auth0/seed';
import { DEMO_CF_USER_GUID } from './cloudfoundry/seed';
import { startFakes } from './fleet';
import { DEMO_WACHT_SESSION } from './wacht/seed';

export interface Demo {
  /** The configuration with every provider pointed at its fake. */
  config: Config;
  /** Headers a newcomer pastes into Sandbox, by name. */
  headers: Record<string, string>;
  /** The Authorization of the Cloud Foundry demo user instead (a UAA token): 130 organizations, paged upstream. */
  cloudFoundryAuthorization: string;
  stop(): Promise<void>;
}

/** Long enough for an afternoon in Sandbox. */
const DEMO_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

export async function startDemo(config: Config): Promise<Demo> {
  const fakes = await startFakes();
  const token = await fakes.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, {
    audience: DEMO_AUTH0_AUDIENCE,
    scope: 'openid profile',
    expiresInSeconds: DEMO_TOKEN_LIFETIME_SECONDS,
  });
  const uaaToken = await fakes.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID, { expiresInSeconds: DEMO_TOKEN_LIFETIME_SECONDS });
  return {
    config: fakes.configure(config),
    headers: { Authorization: `Bearer ${token}`, 'X-Wacht-Session': DEMO_WACHT_SESSION },
    cloudFoundryAuthorization: `Bearer ${uaaToken}`,
    stop: () => fakes.stop(),
  };
}

export function demoBanner(graphqlUrl: string, demo: Pick<Demo, 'headers' | 'cloudFoundryAuthorization'>): string {
  return [
    '',
    'Demo mode: no identity provider is configured, so built-in fakes with sample data are serving.',
    `Open ${graphqlUrl} in a browser (Apollo Sandbox), add these headers, and run the query below:`,
    ...Object.entries(demo.headers).map(([name, value]) => `  ${name}: ${value}`),
    '',
    'For the Cloud Foundry user (130 organizations, filtered and paged by Cloud Controller), use this Authorization instead:',
    `    Authorization: ${demo.cloudFoundryAuthorization}`,
    '',
    '  query { myOrganizationMemberships(first: 5) { totalCount edges { node { provider organization { name } roles { name } } } pageInfo { hasNextPage endCursor } } }',
    '',
  ].join('\n');
}
