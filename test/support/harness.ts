/**
 * Starts the real subgraph HTTP server on an ephemeral loopback port, with its providers
 * pointed at the fakes, and talks GraphQL to it over HTTP.
 */
import type { Config } from '../../src/config';
import { FakeWacht } from '../../src/fakes/wacht/fake-wacht';
import { seedWacht } from '../../src/fakes/wacht/seed';
import { configureProviders } from '../../src/providers';
import { createServer, type SubgraphServer } from '../../src/server/app';

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
  wacht: FakeWacht;
  graphql(query: string, options?: { variables?: Record<string, unknown>; headers?: Record<string, string> }): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  production?: boolean;
  config?: Partial<Config>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const wacht = new FakeWacht();
  seedWacht(wacht);
  await wacht.start();
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    production: options.production ?? false,
    logLevel: 'silent',
    upstreamTimeoutMs: 2000,
    auth0: null,
    cloudFoundry: null,
    wacht: { frontendApiUrl: wacht.url },
    demo: false,
    ...options.config,
  };
  const server = await createServer(config, configureProviders(config));
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    server,
    wacht,
    async graphql(query, { variables, headers } = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
    },
    async close() {
      await server.close();
      await wacht.stop();
    },
  };
}
