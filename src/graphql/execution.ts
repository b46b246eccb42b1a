/**
 * How operations execute: graphql-jit for the operations clients repeat, graphql-js for the
 * rest. Per request, graphql-js spends most of its time allocating what every field needs
 * (arguments, resolve info, result maps); graphql-jit compiles an operation once into a plain
 * function that does not (README, Performance).
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is a
 * "gateway" that serves one fixed schema. Two instances of the schema are built: Apollo
 * validates against `served` and, on a traced request, wraps its resolvers with the plugins'
 * per-field hooks; operations are compiled from and run untraced on `plain`, which nobody wraps.
 *
 * - Traced requests (the router asked for federated traces, ftv1: Apollo's inline-trace plugin
 *   sets `metrics.captureTraces`) run on graphql-js with the wrapped schema, so their traces
 *   keep per-field timings. Routers sample them (1 % by default).
 * - An operation runs on graphql-js for its first `compileAfterRuns` runs and is compiled then:
 *   compiling costs more than executing once, and a client sending a new operation every time
 *   must not make the server compile every time.
 * - Compiled operations are held by their parsed document, which Apollo keeps in its bounded
 *   document store (the same document object for the same query text): when Apollo drops a
 *   document, its compiled operations go with it.
 * - Operations with `_entities` stay on graphql-js: the federation library resolves it to a
 *   list of promises, one per representation, and graphql-jit, which expects promises only
 *   from resolvers, answers such a list wrongly when one of them rejects (the whole list null,
 *   or items missing: a router would pair entities with the wrong representations).
 * - graphql-jit reports an error for every field that failed; graphql-js stops at the first
 *   failed item of a list whose nulls propagate (the same request may list more errors once
 *   compiled; each of them is true).
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  execute,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { rootFields } from './representations';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

export interface ExecutionOptions {
  /** Runs on graphql-js before an operation is compiled; null: never compiled. */
  compileAfterRuns: number | null;
  /** Told of each operation that has run its runs: compiled, or kept on graphql-js for good. */
  onCompile?: (outcome: CompileOutcome) => void;
}

export type CompileOutcome = 'compiled' | 'not_compilable';

/**
 * Where an operation (a document and an operation name) is: the runs it has had on graphql-js,
 * compiled, or on graphql-js for good (`_entities`, or refused by the compiler).
 */
type Tier = number | 'not_compilable' | CompiledQuery;

export function compilingExecutor(build: () => GraphQLSchema, options: ExecutionOptions): Gateway {
  const served = build();
  const plain = build();
  const tiers = new WeakMap<DocumentNode, Map<string, Tier>>();
  const { compileAfterRuns } = options;

  /** The operation compiled, once it has run enough; undefined while it runs on graphql-js. */
  const compiledOnRepeat = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | undefined,
  ): CompiledQuery | undefined => {
    if (compileAfterRuns === null) return undefined;
    let operations = tiers.get(document);
    if (!operations) {
      operations = new Map();
      tiers.set(document, operations);
    }
    const key = operationName ?? '';
    const tier = operations.get(key) ?? 0;
    if (typeof tier !== 'number') return tier === 'not_compilable' ? undefined : tier;
    if (tier < compileAfterRuns) {
      operations.set(key, tier + 1);
      return undefined;
    }
    const entities = rootFields(operation.selectionSet, document).some((field) => field.name.value === '_entities');
    const made = entities ? undefined : compileQuery(plain, document, operationName, { disablingCapturingStackErrors: true });
    const compiled = made && isCompiledQuery(made) ? made : undefined;
    operations.set(key, compiled ?? 'not_compilable');
    options.onCompile?.(compiled ? 'compiled' : 'not_compilable');
    return compiled;
  };

  return {
    async load() {
      return {
        executor: async (request) => {
          const { document, context, metrics } = request;
          // As the client sent them (the context's own operationName is the resolved operation's).
          const { variables, operationName } = request.request;
          const onGraphQLJs = () =>
            execute({
              schema: metrics.captureTraces ? served : plain,
              document,
              contextValue: context,
              variableValues: variables,
              operationName,
            });
          // Without an operation (an unknown operationName) graphql-js says what is wrong.
          const compiled =
            metrics.captureTraces || !request.operation ? undefined : compiledOnRepeat(document, request.operation, operationName ?? undefined);
          if (!compiled) return onGraphQLJs();
          const result = await compiled.query(undefined, context, variables);
          // No data at all: the variables were refused before anything ran. graphql-js refuses
          // them again, in the words (and with the nodes) by which Apollo Server recognises a
          // client's bad input (BAD_USER_INPUT, status 400).
          return result.data === undefined ? onGraphQLJs() : asGraphQLJsResult(result);
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: served, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors imitate graphql-js's but leave `extensions` undefined when there are
 * none, where Apollo Server (and graphql-js) expect an object: they are remade as graphql-js
 * errors, with the same message, locations, path and original error.
 */
function asGraphQLJsResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const remade = new GraphQLError(error.message, {
        ...(error.path ? { path: error.path } : {}),
        ...(error.originalError ? { originalError: error.originalError } : {}),
        ...(error.extensions ? { extensions: error.extensions } : {}),
      });
      // graphql-js derives locations from AST nodes; graphql-jit has computed them already.
      (remade as { locations: GraphQLError['locations'] }).locations = error.locations;
      return remade;
    }),
  };
}
