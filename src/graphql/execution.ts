/**
 * How operations execute: graphql-jit for the operations clients repeat, Apollo Server's own
 * graphql-js execution for the rest. Per request, graphql-js spends most of its time
 * allocating what every field needs (arguments, resolve info, result maps); graphql-jit
 * compiles an operation once into a plain function that does not (README, Performance).
 *
 * This is an Apollo Server plugin that answers an operation itself (`responseForOperation`)
 * when it has a compiled form, and otherwise returns null: Apollo then executes as always.
 * Apollo runs no execution hooks and no error formatting for an answer a plugin gives, so the
 * errors of a compiled operation are formatted here as Apollo formats the others.
 *
 * - Traced requests (the router asked for federated traces, ftv1: Apollo's inline-trace plugin
 *   sets `metrics.captureTraces`) are Apollo's: their per-field timings come from hooks
 *   graphql-js runs. Routers sample them (1 % by default).
 * - An operation runs on graphql-js for its first `compileAfterRuns` runs and is compiled then:
 *   compiling costs more than executing once, and a client sending a new operation every time
 *   must not make the server compile every time.
 * - Operations are compiled from a schema instance of their own: Apollo wraps the resolvers of
 *   the schema it serves with its per-field hooks on the first traced request.
 * - Operations are known by Apollo's hash of their text and name, in two bounded LRUs: the runs
 *   of operations not compiled yet (a flood of new text only delays compiling) and the compiled
 *   ones: at most MAX_COMPILED, and at most MAX_COMPILED_FIELDS fields between them. Generated
 *   code grows with the fields an operation selects, written out (measured: 29 KB for a page
 *   of 18 fields, 511 KB for thirty aliases of a 50-field fragment, 1 500 fields), so large
 *   operations evict one another instead of holding up to 250 MB.
 * - Operations with an alias or a variable named `__proto__` stay on graphql-js: graphql-jit
 *   writes response keys and variables as object literal keys, where `__proto__` is no key.
 * - Operations with `_entities` stay on graphql-js: the federation library resolves it to a
 *   list of promises, one per representation, and graphql-jit, which expects promises only
 *   from resolvers, answers such a list wrongly when one of them rejects (the whole list null,
 *   or items missing: a router would pair entities with the wrong representations).
 * - Variables the compiled operation refuses (nothing has run then) are handed to graphql-js,
 *   whose refusal Apollo recognises as the client's (BAD_USER_INPUT, status 400).
 * - graphql-jit reports an error for every field that failed; graphql-js stops at the first
 *   failed item of a list whose nulls propagate (the same request may list more errors once
 *   compiled; each of them is true).
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  BREAK,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { rootFields } from './representations';
import { weighWrittenOut } from './written-out';

/** Compiled operations kept (each holds generated code). */
const MAX_COMPILED = 500;
/**
 * The fields, written out, of the compiled operations kept: ~17 MB of large operations' code.
 * 500 operations of 20 to 40 fields, what clients' screens send, fit.
 */
const MAX_COMPILED_FIELDS = 50_000;
/** Operations whose runs are counted until they are compiled. */
const MAX_COUNTED = 10_000;

export type CompileOutcome = 'compiled' | 'not_compilable';

export interface CompiledExecutionOptions<TContext extends BaseContext> {
  /** A schema instance of its own, built like the one Apollo serves. */
  schema: GraphQLSchema;
  /** Runs on graphql-js before an operation is compiled; null: never compiled. */
  compileAfterRuns: number | null;
  /** Told of each operation that has run its runs: compiled, or kept on graphql-js for good. */
  onCompile?: (outcome: CompileOutcome) => void;
  /** The fields, written out, of the compiled operations kept (default MAX_COMPILED_FIELDS). */
  maxCompiledFields?: number;
  /** What Apollo Server is given as `formatError`, and whether its answers carry stack traces. */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  includeStacktraceInErrorResponses?: boolean;
  /** What the other plugins' `didEncounterErrors` do with execution errors. */
  didEncounterErrors?: (errors: readonly GraphQLError[], contextValue: TContext) => void;
}

/** An operation compiled, or on graphql-js for good (`_entities`, `__proto__`, refused by the compiler). */
type Compiled = CompiledQuery | 'not_compilable';

export function compiledExecutionPlugin<TContext extends BaseContext>(options: CompiledExecutionOptions<TContext>): ApolloServerPlugin<TContext> {
  const { schema, compileAfterRuns, maxCompiledFields = MAX_COMPILED_FIELDS } = options;
  const runs = new LRUCache<string, number>({ max: MAX_COUNTED });
  const compiledOperations = new LRUCache<string, Compiled>({ max: MAX_COMPILED, maxSize: maxCompiledFields });

  /** The operation compiled, once it has run enough; undefined while it runs on graphql-js. */
  const compiledOnRepeat = (key: string, document: DocumentNode, operation: OperationDefinitionNode): CompiledQuery | undefined => {
    if (compileAfterRuns === null) return undefined;
    const known = compiledOperations.get(key);
    if (known) return known === 'not_compilable' ? undefined : known;
    const ran = runs.get(key) ?? 0;
    if (ran < compileAfterRuns) {
      runs.set(key, ran + 1);
      return undefined;
    }
    runs.delete(key);
    // One that could not be kept would be compiled again on every run: it stays on graphql-js.
    const fields = weighWrittenOut(operation.selectionSet, document, (field, inner) => 1 + (field.selectionSet ? inner(field.selectionSet) : 0));
    const made = compilable(document, operation) && fields <= maxCompiledFields
      ? compileQuery(schema, document, operation.name?.value, { disablingCapturingStackErrors: true })
      : undefined;
    const compiled = made && isCompiledQuery(made) ? made : undefined;
    compiledOperations.set(key, compiled ?? 'not_compilable', { size: compiled ? Math.max(1, fields) : 1 });
    options.onCompile?.(compiled ? 'compiled' : 'not_compilable');
    return compiled;
  };

  const format = (error: GraphQLError): GraphQLFormattedError => {
    // As Apollo Server enriches an error before its formatError: a code always, a stack on request.
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR' };
    if (options.includeStacktraceInErrorResponses) extensions['stacktrace'] = error.stack?.split('\n');
    const formatted: GraphQLFormattedError = { ...error.toJSON(), extensions };
    try {
      return options.formatError ? options.formatError(formatted, error) : formatted;
    } catch {
      // As Apollo does when its formatError throws.
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  };

  return {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, metrics, contextValue, request, queryHash }) {
          // Without an operation (none named so, or several and no name), Apollo says what is wrong.
          if (metrics.captureTraces || !operation) return null;
          const compiled = compiledOnRepeat(`${queryHash}:${operation.name?.value ?? ''}`, document, operation);
          if (!compiled) return null;
          const result = await compiled.query(undefined, contextValue, request.variables ?? {});
          if (result.data === undefined) return null;
          const errors = result.errors?.map(graphqlJsError);
          if (errors) options.didEncounterErrors?.(errors, contextValue);
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { data: result.data, ...(errors ? { errors: errors.map(format) } : {}) } },
          };
        },
      };
    },
  };
}

/**
 * graphql-jit's errors imitate graphql-js's but leave `extensions` undefined when there are
 * none, where everything downstream expects an object: they are remade as graphql-js errors,
 * with the same message, locations, path and original error.
 */
function graphqlJsError(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const remade = new GraphQLError(error.message, {
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
  });
  // graphql-js derives locations from AST nodes; graphql-jit has computed them already.
  (remade as { locations: GraphQLError['locations'] }).locations = error.locations;
  return remade;
}

/** What graphql-jit answers as graphql-js does: no `_entities`, no `__proto__` alias or variable. */
function compilable(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (rootFields(operation.selectionSet, document).some((field) => field.name.value === '_entities')) return false;
  let protoKey = false;
  visit(document, {
    [Kind.FIELD]: (field) => {
      if (field.alias?.value === '__proto__') protoKey = true;
      return protoKey ? BREAK : undefined;
    },
    [Kind.VARIABLE_DEFINITION]: (definition) => {
      if (definition.variable.name.value === '__proto__') protoKey = true;
      return protoKey ? BREAK : undefined;
    },
  });
  return !protoKey;
}
