/**
 * Small subgraphs a supergraph would have beside this one: `users` owns `User` and answers
 * `me` from the caller's token; `billing` adds a field to `Organization` and lists
 * organizations by id, so the router must ask this subgraph for their names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { decodeJwt } from 'jose';
import type { SubgraphDefinition } from './router';

export interface FixtureSubgraph extends SubgraphDefinition {
  close(): Promise<void>;
}

interface FixtureContext {
  authorization: string | undefined;
}

/** The users subgraph the README offers for `rover dev` (examples/users.graphql). */
export const USERS_SDL = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'users.graphql'), 'utf8'));

const BILLING_SDL = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
  type Organization @key(fields: "id") {
    id: ID!
    plan: String!
  }
  type Query {
    organizationsOnPlan(plan: String!): [Organization!]!
  }
`);

async function start(name: string, typeDefs: DocumentNode, resolvers: any): Promise<FixtureSubgraph> {
  const server = new ApolloServer<FixtureContext>({ schema: buildSubgraphSchema([{ typeDefs, resolvers }]) });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { name, url, typeDefs, close: () => server.stop() };
}

export function startUsersSubgraph(): Promise<FixtureSubgraph> {
  return start('users', USERS_SDL, {
    Query: {
      me: (_: unknown, __: unknown, context: FixtureContext) => {
        const token = context.authorization?.replace(/^Bearer /i, '');
        return token ? { id: decodeJwt(token).sub } : null;
      },
    },
    User: {
      __resolveReference: (user: { id: string }) => ({ id: user.id, email: `${user.id.split('|').pop()}@example.com` }),
      email: (user: { id: string }) => `${user.id.split('|').pop()}@example.com`,
    },
  });
}

/** `plans` maps organization ids to plans. */
export function startBillingSubgraph(plans: Record<string, string>): Promise<FixtureSubgraph> {
  return start('billing', BILLING_SDL, {
    Query: {
      organizationsOnPlan: (_: unknown, { plan }: { plan: string }) =>
        Object.entries(plans)
          .filter(([, value]) => value === plan)
          .map(([id]) => ({ id })),
    },
    Organization: {
      __resolveReference: (organization: { id: string }) => ({ id: organization.id }),
      plan: (organization: { id: string }) => plans[organization.id] ?? 'free',
    },
  });
}
