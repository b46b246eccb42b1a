/**
 * The tenant's Management API rate limit, as Auth0 meters it: one token bucket per tenant, the
 * X-RateLimit-* headers on every Management API answer, and the 429 with its documented body once it is empty.
 */
import type { FastifyReply } from 'fastify';
import { nowSeconds, type Fault } from '../fake-server';
import { AUTH0_ERRORS } from './errors';

/** A token bucket per tenant, as Auth0 meters the Management API. */
export interface RateLimitPolicy {
  /** Bucket size, sent as `X-RateLimit-Limit`. */
  limit: number;
  /** Requests given back per second (must be > 0). */
  refillPerSecond: number;
}

export interface RateLimitedFaultOptions {
  /** When the bucket is full again, from now (default 1). */
  resetInSeconds?: number;
  /** Auth0 does not document `Retry-After`; send it only when a test asks. */
  retryAfterSeconds?: number;
  /** How many Management API requests get the 429 (default 1). */
  times?: number;
}

/** `X-RateLimit-Limit` sent with an injected 429; the real bucket's size is unknown to a static fault. */
const INJECTED_FAULT_LIMIT = 50;

/** Auth0's per-tenant bucket: each request takes one; it refills continuously. */
export class TokenBucket {
  private tokens = Number.POSITIVE_INFINITY;
  private updatedAt = Date.now();

  /** Spends one request from the tenant's bucket and says so in the headers, as Auth0 does. */
  meter(policy: RateLimitPolicy, reply: FastifyReply): FastifyReply | undefined {
    const { allowed, remaining, resetEpochSeconds } = this.take(policy);
    reply.headers(rateLimitHeaders(policy.limit, remaining, resetEpochSeconds));
    if (!allowed) return reply.code(429).send(AUTH0_ERRORS.tooManyRequests);
    return undefined;
  }

  private take(policy: RateLimitPolicy): { allowed: boolean; remaining: number; resetEpochSeconds: number } {
    const now = Date.now();
    // Clamping to the policy's limit also applies a policy a test has just lowered.
    this.tokens = Math.min(policy.limit, this.tokens + ((now - this.updatedAt) / 1000) * policy.refillPerSecond);
    this.updatedAt = now;
    const allowed = this.tokens >= 1;
    if (allowed) this.tokens -= 1;
    const secondsUntilFull = (policy.limit - this.tokens) / policy.refillPerSecond;
    return { allowed, remaining: Math.floor(this.tokens), resetEpochSeconds: Math.ceil(now / 1000 + secondsUntilFull) };
  }
}

/** A 429 for the next requests whose path matches, with Auth0's body and rate-limit headers. */
export function rateLimitedFault(
  path: RegExp,
  { resetInSeconds = 1, retryAfterSeconds, times = 1 }: RateLimitedFaultOptions,
): Fault {
  const headers = () => ({
    ...rateLimitHeaders(INJECTED_FAULT_LIMIT, 0, nowSeconds() + resetInSeconds),
    ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  });
  return { path, times, status: 429, body: AUTH0_ERRORS.tooManyRequests, headers };
}

function rateLimitHeaders(limit: number, remaining: number, resetEpochSeconds: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(resetEpochSeconds),
  };
}
