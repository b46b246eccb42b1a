/**
 * The Apollo floor: the baseline's very work (bench/bare-work.ts) as the resolver of
 * `myOrganizationMemberships`, served by Apollo Server on Fastify as the subgraph serves it (its
 * standalone server, on body-parser and cors, measured ~1.4× the CPU per request), with the
 * subgraph's schema and compiled execution (from an operation's second run). No policies,
 * metrics, loaders, engine or operation limits: what Apollo Server alone adds to the bare work.
 * The subgraph, which must run on Apollo Server, can come no closer to the baseline than this.
 *
 * Environment: PORT, and what bare-work.ts reads.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';
import { compiledExecutionPlugin } from '../src/graphql/execution';
import { typeDefs } from '../src/graphql/schema';
import { firstTwentyMemberships } from './bare-work';

interface FloorContext {
  authorization: string | undefined;
}

async function main(): Promise<void> {
  const schema = () =>
    buildSubgraphSchema({
      typeDefs,
      // Default resolvers read every field of the answer; only the root field is resolved here.
      resolvers: {
        Query: { myOrganizationMemberships: (_root: unknown, _args: unknown, context: unknown) => firstTwentyMemberships((context as FloorContext).authorization) },
      },
    });
  const apollo = new ApolloServer<FloorContext>({
    schema: schema(),
    plugins: [ApolloServerPluginLandingPageDisabled(), compiledExecutionPlugin<FloorContext>({ schema: schema(), compileAfterRuns: 1 })],
  });
  await apollo.start();
  const fastify = Fastify({ logger: false });
  fastify.post('/graphql', fastifyApolloHandler(apollo, { context: async (request) => ({ authorization: request.headers.authorization }) }));
  await fastify.listen({ port: Number(process.env['PORT']), host: '127.0.0.1' });
  process.once('SIGTERM', () => process.exit(0));
}

void main();
