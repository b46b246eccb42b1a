/**
 * A real federation router in process: @apollo/gateway over HTTP to subgraphs on real
 * ports, forwarding the caller's credentials the way a production router must.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { composeServices } from '@apollo/composition';
import type { DocumentNode } from 'graphql';
import type { GraphQLResponse } from './harness';

/** The headers a router must pass to this subgraph. */
const FORWARDED_HEADERS = ['authorization', 'cookie', 'x-wacht-session'];

interface RouterContext {
  headers: Record<string, string | string[] | undefined>;
}

export interface SubgraphDefinition {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

export interface Router {
  url: string;
  supergraphSdl: string;
  graphql(
    query: string,
    options?: { variables?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

function compose(subgraphs: SubgraphDefinition[]): string {
  const result = composeServices(subgraphs);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

export async function startRouter(subgraphs: SubgraphDefinition[]): Promise<Router> {
  const supergraphSdl = compose(subgraphs);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<RouterContext>({
        url,
        willSendRequest({ request, context }) {
          for (const name of FORWARDED_HEADERS) {
            const value = context.headers?.[name];
            if (typeof value === 'string') request.http?.headers.set(name, value);
          }
        },
      }),
  });
  const server = new ApolloServer<RouterContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ headers: req.headers }),
  });
  return {
    url,
    supergraphSdl,
    async graphql(query, { variables, headers } = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
    },
    close: () => server.stop(),
  };
}
