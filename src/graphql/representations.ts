/**
 * `_entities(representations: [_Any!]!)` takes anything, and the federation library answers
 * a representation it cannot use with errors that look like ours. This plugin checks every
 * representation before execution: at most `maxRepresentations` of them (MAX_REPRESENTATIONS,
 * default 100: each may cost an upstream call, and a router sends one batch per fetch, so a
 * page of N users referencing this subgraph is N representations), each an object naming one
 * of this subgraph's entity types, with a string `id`. The limit counts every `_entities`
 * field of the operation (its aliases) together. Anything else is BAD_USER_INPUT, and nothing
 * is fetched.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getVariableValues,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import type { GraphQLContext } from './context';

const ENTITY_TYPES = new Set(['User', 'Organization']);

export function representationsPlugin(maxRepresentations: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          const given = request.variables ?? {};
          let variables: Record<string, unknown> | undefined;
          // Aliases of `_entities` each take a list: the limit is on all of them together. A
          // response key written twice (inline and in a fragment) has the same arguments, and runs once.
          let taken = 0;
          const counted = new Set<string>();
          for (const field of rootFields(operation.selectionSet, document)) {
            const key = field.alias?.value ?? field.name.value;
            if (field.name.value !== '_entities' || counted.has(key)) continue;
            counted.add(key);
            const argument = field.arguments?.find((candidate) => candidate.name.value === 'representations');
            // As execution sees them (defaults for those not given), once per operation; variables
            // that do not coerce fail execution anyway, so those given are checked as they are.
            variables ??= getVariableValues(schema, operation.variableDefinitions ?? [], given).coerced ?? given;
            const value = argument ? valueFromASTUntyped(argument.value, variables) : undefined;
            taken += checkRepresentations(value, maxRepresentations - taken, maxRepresentations);
          }
        },
      };
    },
  };
}

/** The operation's root fields, through inline fragments and fragment spreads. */
export function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find(
      (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
    );
    return fragment && 'selectionSet' in fragment ? rootFields(fragment.selectionSet, document, seen) : [];
  });
}

/** Checks one `_entities` field's list, of which at most `allowed` fit within the request's limit; how many it holds. */
function checkRepresentations(value: unknown, allowed: number, maxRepresentations: number): number {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > allowed) {
    throw refusal(`at most ${maxRepresentations} representations in one request`);
  }
  list.forEach((representation: unknown, index) => {
    const problem = problemOf(representation);
    if (problem) throw refusal(`representations[${index}]: ${problem}`);
  });
  return list.length;
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
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
