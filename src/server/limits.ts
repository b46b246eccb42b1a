/**
 * Operation limits (graphql-armor): depth, aliases, tokens, directives and cost, set well
 * above what a frontend's queries and a router's query plans need (the deepest real
 * operation, `_entities → User → organizations → edges → node → organization`, has depth 7),
 * and far below what a hostile query needs to hurt.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLError, Kind, visit, type ASTNode, type ValidationRule } from 'graphql';
import { MAX_PAGE_SIZE } from '../connections/arguments';

export const OPERATION_LIMITS = {
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
    costLimit: { enabled: false },
    // Field suggestions ("Did you mean …?") help in development and map the schema for an attacker.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    plugins,
    validationRules: [...validationRules, pageSizeCappedCost],
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
  };
}

/**
 * graphql-armor's cost rule, shown `first`/`last` literals of at most MAX_PAGE_SIZE. It
 * multiplies a field's cost by them, so `first: 500` failed the cost limit (a validation error,
 * which a router passes on as an internal error) before the argument check could answer
 * BAD_USER_INPUT; no page holds more than MAX_PAGE_SIZE items, so that is the most it costs.
 */
const pageSizeCappedCost: ValidationRule = (context) => {
  const capped = Object.create(context, {
    getFragment: { value: (name: string) => capPageSizes(context.getFragment(name)) },
  }) as typeof context;
  const costs = costLimitRule({
    maxCost: OPERATION_LIMITS.maxCost,
    ignoreIntrospection: true,
    flattenFragments: true,
    // Reported, not thrown (a throw is a 500), as graphql-armor's own Apollo setup does.
    propagateOnRejection: false,
    onReject: [(_context, error) => context.reportError(new GraphQLError(error.message))],
  })(capped);
  return { OperationDefinition: (operation) => costs.onOperationDefinitionEnter(capPageSizes(operation)) };
};

function capPageSizes<T extends ASTNode | null | undefined>(node: T): T {
  if (!node) return node;
  return visit(node, {
    Argument(argument) {
      const pageSize = argument.name.value === 'first' || argument.name.value === 'last';
      if (!pageSize || argument.value.kind !== Kind.INT || Number(argument.value.value) <= MAX_PAGE_SIZE) return undefined;
      return { ...argument, value: { ...argument.value, value: String(MAX_PAGE_SIZE) } };
    },
  });
}
