/** The subgraph schema: schema.graphql (at the project root) with the resolvers. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers';

/** schema.graphql sits at the project root, above both src/ and dist/src/. */
function schemaPath(from = __dirname): string {
  const candidate = join(from, 'schema.graphql');
  if (existsSync(candidate)) return candidate;
  const parent = dirname(from);
  if (parent === from) throw new Error('schema.graphql not found above ' + __dirname);
  return schemaPath(parent);
}

/** The library's own (looser) resolver map type, which codegen's precise `Resolvers` satisfies. */
type SubgraphResolverMap = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;

export const typeDefs = parse(readFileSync(schemaPath(), 'utf8'));

export function buildSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as SubgraphResolverMap });
}
