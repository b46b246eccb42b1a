/**
 * The contract's errors on the GraphQL side: AppError → `extensions.code` (with `provider`
 * and `retryAfter` where they apply), internal errors masked (and logged), the errors of
 * providers that failed while the others answered, sent beside the data, and provider
 * failures logged for the operator.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from '../errors';
import type { GraphQLContext } from './context';

/** How graphql-armor begins its limits' messages, though the query parsed. */
const ARMOR_PREFIX = 'Syntax Error: ';

export function toGraphQLError(error: AppError, path?: readonly (string | number)[]): GraphQLError {
  return new GraphQLError(error.message, {
    ...(path ? { path } : {}),
    extensions: { code: error.code, ...error.details },
  });
}

/**
 * Apollo's formatError: AppErrors carry their code; GraphQL's own complaints about a request
 * (an operation type the schema lacks) are the client's, BAD_REQUEST; anything else
 * unexpected says nothing of itself.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    return { ...formatted, message: original.message, extensions: { code: original.code, ...original.details } };
  }
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && isAboutTheRequest(original, formatted.path)) {
    return { ...formatted, extensions: { code: 'BAD_REQUEST' } };
  }
  if (formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && formatted.message.startsWith(ARMOR_PREFIX)) {
    // graphql-armor words its limits as syntax errors; the query parsed, and was refused for its size.
    return { ...formatted, message: formatted.message.slice(ARMOR_PREFIX.length) };
  }
  if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
    return { message: 'Internal server error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}

/**
 * Raised by graphql-js or the federation library about the request itself, not by our code.
 * An error at a field's path is the field's: graphql-js's own there (a scalar that cannot
 * serialize a value, a null for a non-null field) are the server's faults.
 */
function isAboutTheRequest(error: unknown, path: unknown): boolean {
  return error instanceof GraphQLError && !error.originalError && !path;
}

/**
 * Partial results: a resolver that returns data despite a failed provider records the
 * failure in the context; it is added to the response's errors here. Unexpected errors are
 * logged (they are masked in the response), and so are the answer's provider failures.
 */
export const errorReportingPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        logUnexpectedErrors(errors, contextValue);
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        const partial = contextValue.partialErrors;
        if (partial.length > 0) result.errors = [...(result.errors ?? []), ...partial.map((error) => error.toJSON())];
        // The answered errors: a compiled operation's never reach didEncounterErrors (execution.ts).
        if (result.errors) logProviderFailures(result.errors, contextValue);
      },
    };
  },
};

/** The codes of a provider that failed, or refused the subgraph itself: what an operator acts on. */
const PROVIDER_FAILURES = new Set(['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'RATE_LIMITED']);

/**
 * One warning per request whose answer holds provider failures, each kind once with how often
 * it was answered (an `_entities` batch may repeat one a hundred times). Their messages are
 * written for callers (route templates and providers' error codes; never a URL or a token),
 * and say more than the metrics do: which grant is missing, which field did not fit.
 */
function logProviderFailures(errors: readonly GraphQLFormattedError[], contextValue: GraphQLContext): void {
  const failures = new Map<string, { provider: unknown; code: string; message: string; count: number }>();
  for (const { message, extensions } of errors) {
    const code = String(extensions?.code);
    if (!PROVIDER_FAILURES.has(code)) continue;
    const key = `${String(extensions?.provider)}\u0000${code}\u0000${message}`;
    const known = failures.get(key);
    if (known) known.count += 1;
    else failures.set(key, { provider: extensions?.provider, code, message, count: 1 });
  }
  if (failures.size > 0) contextValue.logger.warn({ failures: [...failures.values()] }, 'provider failed');
}

/** Errors that are neither the contract's nor GraphQL's about the request: bugs, logged. */
export function logUnexpectedErrors(errors: readonly GraphQLError[], contextValue: GraphQLContext): void {
  for (const error of errors) {
    const original = unwrapResolverError(error);
    if (!(original instanceof AppError) && !error.extensions?.code && !isAboutTheRequest(original, error.path)) {
      contextValue.logger.error({ err: original, path: error.path }, 'resolver failed');
    }
  }
}
