/**
 * The per-request context: who is calling, and a fresh data source (with its DataLoaders)
 * for every configured provider, so nothing cached for one request reaches another.
 */
import type { GraphQLError } from 'graphql';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { parseCookie } from 'cookie';
import type { Authenticator } from '../auth/authenticator';
import type { Caller } from '../auth/caller';
import { callerFrom } from '../auth/credentials';
import type { ProviderBinding } from '../connections/memberships';
import type { Provider } from '../providers/provider';

export interface GraphQLContext {
  caller: Caller;
  providers: ProviderBinding[];
  /** Errors of providers that failed while the field still returned data. */
  partialErrors: GraphQLError[];
  logger: FastifyBaseLogger;
}

export interface ContextDependencies {
  providers: readonly Provider[];
  authenticator: Authenticator;
}

export function contextFactory(dependencies: ContextDependencies) {
  return async (request: FastifyRequest): Promise<GraphQLContext> => {
    const caller = callerFrom(
      {
        authorization: request.headers.authorization,
        sessionCookie: request.headers.cookie ? parseCookie(request.headers.cookie)['__session'] : undefined,
        sessionHeader: singleHeader(request.headers['x-wacht-session']),
      },
      dependencies.authenticator,
    );
    return {
      caller,
      providers: dependencies.providers.map((provider) => ({ provider, source: provider.createSource({ caller, logger: request.log }) })),
      partialErrors: [],
      logger: request.log,
    };
  };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
