/**
 * Demo mode: with no provider configured (outside production), the fakes start on loopback
 * with sample data and the providers point at them; Apollo Sandbox opens with an example
 * operation and the demo user's headers, which are also printed.
 */
import type { Config } from '../config';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from './auth0/seed';
import { DEMO_CF_USER_GUID } from './cloudfoundry/seed';
import { startFakes } from './fleet';
import { DEMO_WACHT_SESSION } from './wacht/seed';

export interface Demo {
  /** The configuration with every provider pointed at its fake. */
  config: Config;
  /** The signed-in demo user's headers, by name: Sandbox opens with them, and the banner prints them. */
  headers: Record<string, string>;
  /** The Authorization of the Cloud Foundry demo user instead (a UAA token): 130 organizations, paged upstream. */
  cloudFoundryAuthorization: string;
  stop(): Promise<void>;
}

/** What Sandbox opens with, and the banner prints on one line. */
export const DEMO_OPERATION = `query MyOrganizations {
  myOrganizationMemberships(first: 5, filter: { name: { gte: "a" } }) {
    totalCount
    unavailableProviders
    edges {
      cursor
      node {
        provider
        organization { id name displayName imageUrl status }
        roles { name permissions }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

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
    `Open ${graphqlUrl} in a browser: Apollo Sandbox opens with the query below and these headers, ready to run:`,
    ...Object.entries(demo.headers).map(([name, value]) => `  ${name}: ${value}`),
    '',
    'For the Cloud Foundry user (130 organizations, filtered and paged by Cloud Controller), use this Authorization instead:',
    `    Authorization: ${demo.cloudFoundryAuthorization}`,
    '',
    `  ${DEMO_OPERATION.replace(/\s+/g, ' ')}`,
    '',
  ].join('\n');
}
