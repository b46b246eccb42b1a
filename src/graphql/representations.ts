/**
 * `_entities(representations: [_Any!]!)` takes anything, and the federation library answers
 * a representation it cannot use with errors that look like ours. This plugin checks every
 * representation before execution: an object naming one of this subgraph's entity types, with
 * a string `id`. Anything else is BAD_USER_INPUT, and nothing is fetched.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, valueFromASTUntyped, type FieldNode } from 'graphql';
import type { GraphQLContext } from './context';

const ENTITY_TYPES = new Set(['User', 'Organization']);

export const representationsPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        const entityFields = (operation?.selectionSet.selections ?? []).filter(
          (selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === '_entities',
        );
        for (const field of entityFields) {
          const argument = field.arguments?.find((candidate) => candidate.name.value === 'representations');
          const value = argument ? valueFromASTUntyped(argument.value, request.variables ?? {}) : undefined;
          checkRepresentations(value);
        }
      },
    };
  },
};

function checkRepresentations(value: unknown): void {
  const list = Array.isArray(value) ? value : [value];
  list.forEach((representation: unknown, index) => {
    const problem = problemOf(representation);
    if (problem) {
      throw new GraphQLError(`representations[${index}]: ${problem}`, {
        extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
      });
    }
  });
}

function problemOf(representation: unknown): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
    return 'a representation is an object with `__typename` and `id`';
  }
  const { __typename: typename, id } = representation as Record<string, unknown>;
  if (typeof typename !== 'string' || !ENTITY_TYPES.has(typename)) {
    return `\`__typename\` must be one of ${[...ENTITY_TYPES].join(', ')}`;
  }
  return typeof id === 'string' ? undefined : `a ${typename} representation needs a string \`id\``;
}
