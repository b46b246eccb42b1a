/**
 * What every provider does with an answer: parse and validate its body against the shape
 * it relies on, and map the statuses all providers share onto the contract's codes.
 */
import { z } from 'zod';
import { AppError } from '../errors';
import type { IdentityProvider } from '../graphql/generated';
import type { UpstreamResponse } from './http-client';

/**
 * A wire schema on zod's compiled fast path (`z.compile`): ~4× faster than its runtime parser,
 * and measured to keep a request's parsed bodies from outliving it in V8's young generation
 * (README, Performance). Strict: a schema whose top level the fast path cannot model (or that
 * is async) fails at start-up; a nested part it cannot model runs on the runtime parser. A body
 * the fast path refuses is parsed again by the runtime parser, so errors name the same fields.
 */
export function wireSchema<T extends z.ZodType>(schema: T): T {
  return z.compile(schema, { strict: true });
}

/** The body as `schema` describes it; anything else is UPSTREAM_ERROR, never a wrong field. */
export function parseBody<T>(provider: IdentityProvider, response: UpstreamResponse, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new AppError('UPSTREAM_ERROR', `${provider} answered with a body that is not JSON`, { provider });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'body';
    throw new AppError('UPSTREAM_ERROR', `${provider} answered in an unexpected shape (at ${where})`, { provider });
  }
  return parsed.data;
}

/** Like parseBody, for error answers: undefined when the body is not the documented error shape. */
export function parseErrorBody<T>(response: UpstreamResponse, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(response.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shortest `retryAfter` a client is told. The contract promises one; a provider that names
 * no wait, or one already over (its clock ahead of ours, a window that just reset), still
 * refused: 0 would invite a client to retry at once, after the subgraph's own retries.
 */
const MIN_RETRY_AFTER_SECONDS = 1;

/** Statuses every provider shares: 429, 408 and 5xx, and anything else it did not expect. */
export function failureOf(provider: IdentityProvider, response: UpstreamResponse, now = Date.now()): AppError {
  if (response.status === 429) {
    const retryAfter = Math.max(MIN_RETRY_AFTER_SECONDS, retryAfterSeconds(response.headers, now) ?? 0);
    return new AppError('RATE_LIMITED', `${provider} is rate limiting requests`, { provider, retryAfter });
  }
  // 408: the provider timed out waiting for the request, as a timeout here would.
  if (response.status >= 500 || response.status === 408) {
    return new AppError('UPSTREAM_UNAVAILABLE', `${provider} answered ${response.status}`, { provider });
  }
  return new AppError('UPSTREAM_ERROR', `${provider} answered ${response.status} unexpectedly`, { provider });
}

/**
 * Below this, a header's whole number of seconds is seconds from now; at or above it, a UNIX
 * time in seconds (2001-09-09, long before any answer these providers give). `X-RateLimit-Reset`
 * is the seconds left from Wacht's Fiber limiter and a UNIX time from Auth0; Cloud Controller's
 * `Retry-After` is the UNIX time its window resets in older releases (the seconds left in later
 * ones).
 */
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

/**
 * Seconds to wait, from `Retry-After` (seconds, a UNIX time or an HTTP date), else, once the
 * allowance is spent (`X-RateLimit-Remaining: 0`, or not said), `X-RateLimit-Reset` (Wacht's
 * Fiber limiter sends it on every answer, a 500 too: with allowance left, a failed answer is
 * retried after the usual backoff, not the window).
 */
export function retryAfterSeconds(headers: UpstreamResponse['headers'], now = Date.now()): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = /^\d+$/.test(retryAfter) ? retryAfterValue(Number(retryAfter), now) : secondsToDate(retryAfter, now);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  }
  const reset = header(headers, 'x-ratelimit-reset');
  const remaining = header(headers, 'x-ratelimit-remaining');
  if (reset !== undefined && /^\d+$/.test(reset) && (remaining === undefined || remaining === '0')) {
    return Math.max(0, Math.ceil(secondsUntil(Number(reset), now)));
  }
  return undefined;
}

/** A header's whole number: seconds from now, or the UNIX time (in seconds) to wait for. */
function secondsUntil(value: number, now: number): number {
  return value < EPOCH_SECONDS_FLOOR ? value : value - now / 1000;
}

/**
 * `Retry-After` as a whole number. Cloud Controller's UNIX time is its window's end truncated to
 * the second (`valid_until.to_i`): the window may last until the end of that second.
 */
function retryAfterValue(value: number, now: number): number {
  return secondsUntil(value, now) + (value < EPOCH_SECONDS_FLOOR ? 0 : 1);
}

/** Seconds until an HTTP date; NaN for anything else (Date.parse alone would read `1.5` as 2001-01-05). */
function secondsToDate(value: string, now: number): number {
  // All three HTTP date forms begin with the weekday.
  return /^[A-Za-z]/.test(value) ? (Date.parse(value) - now) / 1000 : Number.NaN;
}

function header(headers: UpstreamResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
