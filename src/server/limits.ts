/**
 * Operation limits (graphql-armor): depth, aliases, tokens, directives and cost, set well
 * above what a frontend's queries and a router's query plans need (the deepest real
 * operation, `_entities → User → organizations → edges → node → organization`, has depth 7),
 * and far below what a hostile query needs to hurt.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getVariableValues,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../connections/arguments';

const OPERATION_LIMITS = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5000,
  maxDirectives: 50,
  maxCost: 20_000,
} as const;

export function operationLimits(production: boolean) {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    // Tokens are limited by graphql-js's own parser (parseOptions below): armor's token limit
    // fails inside Apollo's parse step, which makes every syntax error a 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    // Costed once the variables are known (costLimitPlugin).
    costLimit: { enabled: false },
    // Field suggestions ("Did you mean …?") help in development and map the schema for an attacker.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    plugins: [...plugins, costLimitPlugin()],
    validationRules,
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
  };
}

/** What one operation's page sizes cost, by the values its page-size variables take. */
interface CostedOperation {
  /** The variables some `first`/`last` argument takes its value from. */
  sizeVariables: readonly VariableDefinitionNode[];
  /** The cost rule's refusal (null: within the limit), by those variables' page sizes. */
  verdicts: Map<string, string | null>;
}

/** Verdicts kept per operation; more distinct page sizes than this start the list afresh. */
const MAX_VERDICTS = 256;

/**
 * The cost limit, applied to the operation as it will run. graphql-armor's cost rule counts a
 * connection's selection as many times as the `first`/`last` literal written into it, and only
 * that: as a validation rule it cannot see variables, so `first: $n` (how routers and most
 * clients page) counted once whatever `$n` was, and so did a page that gives no size and takes
 * 20. The rule runs here instead, after validation, on the operation with every connection's
 * page size written in: the literal or the variable's value, DEFAULT_PAGE_SIZE when neither
 * size is given, never more than MAX_PAGE_SIZE (a larger size is the argument's error,
 * BAD_USER_INPUT, not a cost no page can reach). A refusal is GRAPHQL_VALIDATION_FAILED, 400,
 * as before. Apollo keeps one DocumentNode per query text, so each operation is costed once
 * per distinct set of page sizes, not per request.
 */
function costLimitPlugin(): ApolloServerPlugin {
  const operations = new WeakMap<OperationDefinitionNode, CostedOperation>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          let costed = operations.get(operation);
          if (!costed) operations.set(operation, (costed = { sizeVariables: sizeVariablesOf(document, operation), verdicts: new Map() }));
          const variables = costed.sizeVariables.length
            ? (getVariableValues(schema, costed.sizeVariables, request.variables ?? {}).coerced ?? {})
            : {};
          const key = costed.sizeVariables.map((definition) => pageSize(variables[definition.variable.name.value])).join();
          let refusal = costed.verdicts.get(key);
          if (refusal === undefined) {
            if (costed.verdicts.size >= MAX_VERDICTS) costed.verdicts.clear();
            refusal = costRefusal(schema, document, operation, variables);
            costed.verdicts.set(key, refusal);
          }
          if (refusal !== null) {
            throw new GraphQLError(refusal, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
          }
        },
      };
    },
  };
}

function isPageSize(argument: ArgumentNode): boolean {
  return argument.name.value === 'first' || argument.name.value === 'last';
}

/** The variables the operation's `first`/`last` arguments take, in it or in any fragment. */
function sizeVariablesOf(document: DocumentNode, operation: OperationDefinitionNode): VariableDefinitionNode[] {
  const names = new Set<string>();
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  for (const definition of [operation, ...fragments]) {
    visit(definition, {
      Argument(argument) {
        if (isPageSize(argument) && argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      },
    });
  }
  return (operation.variableDefinitions ?? []).filter((definition) => names.has(definition.variable.name.value));
}

/** A page size as the cost counts it: a whole number, at most MAX_PAGE_SIZE; undefined when none is given. */
function pageSize(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? Math.min(Math.max(value, 0), MAX_PAGE_SIZE) : undefined;
}

function sizeOf(value: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (value.kind === Kind.INT) return pageSize(Number(value.value));
  return value.kind === Kind.VARIABLE ? pageSize(variables[value.name.value]) : undefined;
}

/** graphql-armor's cost rule's message when the operation, sized as it will run, costs too much; else null. */
function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): string | null {
  const typeInfo = new TypeInfo(schema);
  const sized = visit(
    {
      kind: Kind.DOCUMENT,
      definitions: [operation, ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)],
    },
    visitWithTypeInfo(typeInfo, {
      Field(field): FieldNode | undefined {
        // A connection: a field that takes `first`. The rule reads its first `first`/`last` only.
        if (!typeInfo.getFieldDef()?.args.some((argument) => argument.name === 'first')) return undefined;
        const sizes = (field.arguments ?? [])
          .filter(isPageSize)
          .map((argument) => sizeOf(argument.value, variables))
          .filter((size) => size !== undefined);
        return { ...field, arguments: [pageSizeArgument(sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE)] };
      },
    }),
  );
  let refusal: string | null = null;
  const rule = costLimitRule({
    maxCost: OPERATION_LIMITS.maxCost,
    ignoreIntrospection: true,
    flattenFragments: true,
    // Reported, not thrown (a throw escapes validate), as graphql-armor's own Apollo setup does.
    propagateOnRejection: false,
    onReject: [(_context, error) => (refusal = error.message)],
  });
  validate(schema, sized, [rule]);
  return refusal;
}

function pageSizeArgument(size: number): ArgumentNode {
  return { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(size) } };
}
