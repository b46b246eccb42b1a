/**
 * All three provider fakes, seeded and started on loopback, and the configuration that
 * points the subgraph at them. The demo and the end-to-end tests both stand on it.
 */
import type { Config } from '../config';
import { FakeAuth0 } from './auth0/fake-auth0';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_CLIENT_ID, DEMO_AUTH0_CLIENT_SECRET, seedAuth0 } from './auth0/seed';
import { FakeCloudFoundry } from './cloudfoundry/fake-cloudfoundry';
import { DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET, seedCloudFoundry } from './cloudfoundry/seed';
import { FakeWacht } from './wacht/fake-wacht';
import { seedWacht } from './wacht/seed';

export interface FakeFleet {
  auth0: FakeAuth0;
  cloudFoundry: FakeCloudFoundry;
  wacht: FakeWacht;
  /** `base` with every provider pointed at its fake. */
  configure(base: Config): Config;
  /** Forget recorded requests and pending faults. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startFakes(host = '127.0.0.1'): Promise<FakeFleet> {
  const auth0 = new FakeAuth0();
  const cloudFoundry = new FakeCloudFoundry();
  const wacht = new FakeWacht();
  await Promise.all([auth0.start(0, host), cloudFoundry.start(0, host), wacht.start(0, host)]);
  seedAuth0(auth0);
  seedCloudFoundry(cloudFoundry);
  seedWacht(wacht);
  const fakes = [auth0, cloudFoundry, wacht];
  return {
    auth0,
    cloudFoundry,
    wacht,
    configure: (base) => ({
      ...base,
      auth0: {
        baseUrl: auth0.url,
        audience: DEMO_AUTH0_AUDIENCE,
        management: { clientId: DEMO_AUTH0_CLIENT_ID, clientSecret: DEMO_AUTH0_CLIENT_SECRET, audience: auth0.managementAudience },
      },
      cloudFoundry: { apiUrl: cloudFoundry.url, client: { id: DEMO_CF_CLIENT_ID, secret: DEMO_CF_CLIENT_SECRET }, audience: null },
      wacht: { frontendApiUrl: wacht.url },
      demo: false,
    }),
    reset: () => fakes.forEach((fake) => fake.reset()),
    stop: async () => {
      await Promise.all(fakes.map((fake) => fake.stop()));
    },
  };
}
