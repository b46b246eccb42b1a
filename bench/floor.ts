/**
 * The framework floor: Apollo Server on Fastify with the subgraph's own schema and execution
 * (compiled from an operation's second run), answering `myOrganizationMemberships` from memory
 * (no token to check, no upstream call, no engine). It is what the framework costs for this
 * query on this machine, before the subgraph does any work of its own; the bench shows it
 * beside the subgraph and the baseline.
 *
 * Environment: PORT, ANSWER (the `myOrganizationMemberships` object to return, as JSON).
 */
import Fastify from 'fastify';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { compiledExecutionPlugin } from '../src/graphql/execution';
import { typeDefs } from '../src/graphql/schema';

async function main(): Promise<void> {
  const answer: unknown = JSON.parse(process.env['ANSWER']!);
  // Default resolvers read every field of the answer; only the root field is resolved here.
  const schema = () => buildSubgraphSchema({ typeDefs, resolvers: { Query: { myOrganizationMemberships: async () => answer } } });
  const apollo = new ApolloServer({
    schema: schema(),
    plugins: [ApolloServerPluginLandingPageDisabled(), compiledExecutionPlugin({ schema: schema(), compileAfterRuns: 1 })],
  });
  await apollo.start();
  const fastify = Fastify({ logger: false });
  fastify.post('/graphql', fastifyApolloHandler(apollo));
  await fastify.listen({ port: Number(process.env['PORT']), host: '127.0.0.1' });
  process.once('SIGTERM', () => process.exit(0));
}

void main();
