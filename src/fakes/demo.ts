/**
 * Demo mode: with no provider configured (outside production), the fakes start on loopback
 * with sample data, the providers point at them, and the credentials to paste into Sandbox
 * are printed.
 */
import type { Config } from '../config';
import { FakeWacht } from './wacht/fake-wacht';
import { DEMO_WACHT_SESSION, seedWacht } from './wacht/seed';

export interface Demo {
  /** The configuration with every provider pointed at its fake. */
  config: Config;
  /** Headers a newcomer pastes into Sandbox, by name. */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDemo(config: Config): Promise<Demo> {
  const wacht = new FakeWacht();
  seedWacht(wacht);
  const wachtUrl = await wacht.start();
  return {
    config: { ...config, wacht: { frontendApiUrl: wachtUrl } },
    headers: { 'X-Wacht-Session': DEMO_WACHT_SESSION },
    stop: async () => {
      await wacht.stop();
    },
  };
}

export function demoBanner(graphqlUrl: string, headers: Record<string, string>): string {
  return [
    '',
    'Demo mode: no identity provider is configured, so built-in fakes with sample data are serving.',
    `Open ${graphqlUrl} in a browser (Apollo Sandbox), add these headers, and run the query below:`,
    ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`),
    '',
    '  query { myOrganizationMemberships(first: 5) { totalCount edges { node { organization { name } roles { name } } } pageInfo { hasNextPage endCursor } } }',
    '',
  ].join('\n');
}
