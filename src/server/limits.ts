/**
 * Operation limits: depth, aliases and directives (graphql-armor), tokens (graphql-js's
 * parser) and cost (cost-limit.ts, once the variables are known), set well above what a
 * frontend's queries and a router's query plans need (the deepest real operation,
 * `_entities → User → organizations → edges → node → organization`, has depth 7), and far
 * below what a hostile query needs to hurt.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitPlugin } from './cost-limit';

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
    // Costed once the variables are known, fragments as if written in place (cost-limit.ts).
    costLimit: { enabled: false },
    // Field suggestions ("Did you mean …?") help in development and map the schema for an attacker.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return {
    plugins: [...plugins, costLimitPlugin(OPERATION_LIMITS.maxCost)],
    validationRules,
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
  };
}
