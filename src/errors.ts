/**
 * The errors of the contract, as the whole subgraph raises them. Providers and the engine
 * throw `AppError`; the GraphQL layer turns it into a GraphQL error with `extensions.code`
 * (src/graphql/errors.ts). Messages never hold a token, a secret or a session.
 */
import type { IdentityProvider } from './graphql/generated';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR';

export interface ErrorDetails {
  /** The provider the error comes from. */
  provider?: IdentityProvider;
  /** Seconds after which a retry may succeed (RATE_LIMITED). */
  retryAfter?: number;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badUserInput = (message: string): AppError => new AppError('BAD_USER_INPUT', message);
