/**
 * Starts the real subgraph HTTP server on an ephemeral loopback port, with its providers
 * pointed at the seeded fakes, and talks GraphQL to it over HTTP.
 */
import type { Config } from '../../src/config';
import { startFakes, type FakeFleet } from '../../src/fakes/fleet';
import { createServer, type ServerOptions, type SubgraphServer } from '../../src/server/app';
import { DEFAULT_RESILIENCE } from '../../src/upstream/resilience';

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }>;
  };
}

export interface Harness {
  url: string;
  server: SubgraphServer;
  fakes: FakeFleet;
  wacht: FakeFleet['wacht'];
  auth0: FakeFleet['auth0'];
  cloudFoundry: FakeFleet['cloudFoundry'];
  graphql(
    query: string,
    options?: { variables?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  production?: boolean;
  /** Where the server's logs go (with `config` setting a log level). */
  logStream?: ServerOptions['logStream'];
  /** Changes to the configuration that points at the fakes (e.g. `{ auth0: null }`). */
  config?: (config: Config) => Config;
}

const BASE: Config = {
  port: 0,
  host: '127.0.0.1',
  production: false,
  logLevel: 'silent',
  // Long enough that a loaded machine's stalls do not time out a loopback answer (a timed-out
  // attempt is retried, and tests count the requests made); tests of timeouts set their own.
  upstreamTimeoutMs: 5000,
  // Production's retries within a shorter budget (a provider asking to wait 7 s or more is not
  // retried), and a breaker that does not open between tests sharing a server
  // (test/e2e/resilience.test.ts sets its own).
  resilience: { ...DEFAULT_RESILIENCE, budgetMs: 6000, breakerThreshold: 1000 },
  membershipCacheTtlSeconds: 0,
  // Per-request loading is what most tests assert; test/e2e/caching.test.ts turns caches on.
  rolePermissionsCacheTtlSeconds: 0,
  shutdownDelayMs: 0,
  // Every operation compiled from its first run, so the end-to-end suites test the compiled
  // path; test/graphql/execution.test.ts tests production's default and graphql-js beside it.
  graphqlCompileAfterRuns: 0,
  maxRepresentations: 100,
  auth0: null,
  cloudFoundry: null,
  wacht: null,
  demo: false,
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fakes = await startFakes();
  const pointed = fakes.configure({ ...BASE, production: options.production ?? false });
  const config = options.config ? options.config(pointed) : pointed;
  const server = await createServer(config, { logStream: options.logStream });
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    server,
    fakes,
    wacht: fakes.wacht,
    auth0: fakes.auth0,
    cloudFoundry: fakes.cloudFoundry,
    async graphql(query, { variables, headers } = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLResponse['body'],
      };
    },
    async close() {
      await server.close();
      await fakes.stop();
    },
  };
}
