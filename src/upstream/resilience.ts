/**
 * Resilience policies per provider (cockatiel), applied to every upstream exchange in one
 * place so that retries never multiply across layers:
 * - a concurrency limit with a queue, so a batch of 100 users never opens 100 sockets, taken by
 *   the waiting requests in turn (fair-limiter.ts);
 * - a circuit breaker that fails fast after consecutive failures (network, a whole attempt's
 *   timeout, 5xx) and lets a probe through after a while: a call the budget cut short is no
 *   failure of the provider's;
 * - at most two retries for 408, 5xx and network failures (exponential backoff with jitter), and
 *   for 429 up to five as the call's time budget allows, each waiting what the provider asks
 *   (`Retry-After`, else `X-RateLimit-Reset`) spread over the second after it; never past the
 *   budget.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { AppError } from '../errors';
import type { IdentityProvider } from '../graphql/generated';
import type { ClientConnection } from './accounting';
import { FairLimiter, LimiterFull, type ConnectionUse } from './fair-limiter';
import type { UpstreamResponse } from './http-client';
import { retryAfterSeconds } from './response';

export interface ResilienceSettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The time one call may take, retries and waits included. */
  budgetMs: number;
  /** Requests in flight to one provider at once; the rest wait their turn. */
  concurrency: number;
  /** Consecutive failures that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before a probe is let through. */
  halfOpenAfterMs: number;
  /** The most one attempt may take (UPSTREAM_TIMEOUT_MS); unset, the rest of the budget. */
  attemptTimeoutMs?: number;
}

export const DEFAULT_RESILIENCE: ResilienceSettings = {
  maxRetries: 2,
  budgetMs: 10_000,
  concurrency: 50,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
};

export type CircuitStateName = 'open' | 'half-open' | 'closed';

/** Told about retries and circuit changes (metrics, and the log for the circuit). */
export interface ResilienceObserver {
  retried(provider: IdentityProvider): void;
  circuitChanged(provider: IdentityProvider, state: CircuitStateName): void;
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Closed]: 'closed',
  // Only after an explicit isolate(), which this code never calls.
  [CircuitState.Isolated]: 'open',
};

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** No retry is started with less time than this left in the budget. */
const MIN_ATTEMPT_MS = 100;
const BASE_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 2_000;
const RATE_LIMIT_SPREAD_MS = 1_000;
/**
 * Bounds the turns a call waits for a rate limit: enough for a burst a small plan lets through
 * in a few seconds, few enough that a page the budget cannot fit does not spend the tenant's
 * allowance for long.
 */
const MAX_RATE_LIMITED_RETRIES = 5;
/** A timer fires at or just after its time: an attempt failing this close to the end of its time ran out of it. */
const BUDGET_END_SLACK_MS = 5;

/** The client the call works for hung up before its next attempt. */
class ClientGone extends Error {
  constructor() {
    super('the client has gone');
  }
}

/** The budget ran out while the call waited its turn (for a connection, or to be retried). */
class QueuedTooLong extends Error {
  constructor() {
    super('the retry budget ran out waiting for a free connection');
  }
}

/** An attempt the budget left less than half a whole attempt's time timed out. */
class CutShort extends Error {
  constructor() {
    super('the attempt ran out of the time left in the retry budget');
  }
}

/** The budget ran out while the call waited its turn after `refusal`. */
class BudgetSpent extends Error {
  constructor(readonly refusal: UpstreamResponse) {
    super('the retry budget ran out waiting for a rate limit');
  }
}
/** Calls waiting for a connection: far more than any request needs, so callers wait rather than fail. */
const QUEUE_LIMIT = 10_000;

/**
 * The GraphQL request a call is made for alone: its calls waiting for a connection take one
 * turn, and none is sent once its client has gone.
 */
export interface CallOwner {
  readonly connection: ClientConnection;
}

/** The turn of the calls no one request owns (a machine token, signing keys: others may wait on them too). */
const SHARED = {};

type Outcome = { value: UpstreamResponse } | { error: unknown };

export class ProviderResilience {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly limiter: FairLimiter;
  /** The most one attempt may take. */
  private readonly attemptTimeoutMs: number;
  /** A whole attempt's time: its timeout, or the budget where that is shorter. */
  private readonly wholeAttemptMs: number;
  /** Less of the budget than this left, no attempt is made: it could not finish. */
  private readonly tooLittleMs: number;

  constructor(
    private readonly provider: IdentityProvider,
    private readonly settings: ResilienceSettings,
    private readonly observer?: ResilienceObserver,
  ) {
    this.breaker = circuitBreaker(
      handleWhen(isTransportFailure).orWhenResult((response) => (response as UpstreamResponse).status >= 500),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breakerThreshold) },
    );
    this.breaker.onStateChange((state) => observer?.circuitChanged(provider, STATE_NAMES[state]));
    this.limiter = new FairLimiter(settings.concurrency, QUEUE_LIMIT);
    this.attemptTimeoutMs = settings.attemptTimeoutMs ?? Infinity;
    this.wholeAttemptMs = Math.min(this.attemptTimeoutMs, settings.budgetMs);
    this.tooLittleMs = Math.min(MIN_ATTEMPT_MS, settings.budgetMs / 2);
  }

  /** The provider's connections now: calls holding one, and calls waiting for one. */
  get connections(): ConnectionUse {
    return this.limiter.use;
  }

  /**
   * Runs `attempt` (given the time it may take) under the policies, in the turn of the request
   * that owns it, if one does; no attempt is made once that request's client has gone.
   */
  async run(attempt: (timeoutMs: number) => Promise<UpstreamResponse>, owner?: CallOwner): Promise<UpstreamResponse> {
    const deadline = Date.now() + this.settings.budgetMs;
    const { maxRetries } = this.settings;
    let plannedWait = 0;
    let attempts = 0;
    let failures = 0;
    let refusals = 0;
    /** The previous attempt's refusal for a rate limit, while the call waits its turn. */
    let refused: UpstreamResponse | undefined;
    // Decides whether to retry, and how long to wait first: the wait must fit the budget.
    const worthRetrying = (outcome: Outcome): boolean => {
      if ('value' in outcome ? !RETRIED_STATUSES.has(outcome.value.status) : !isTransportFailure(outcome.error)) {
        return false;
      }
      // A rate limit is no failure of the provider's: it says when to come back, and a burst
      // (a page of roles on a small Auth0 plan) passes if its calls keep their turn within the
      // budget. Failures get `maxRetries`, refusals MAX_RATE_LIMITED_RETRIES; 0 turns every retry off.
      refused = 'value' in outcome && outcome.value.status === 429 ? outcome.value : undefined;
      const spent = refused ? (refusals += 1) > MAX_RATE_LIMITED_RETRIES : (failures += 1) > maxRetries;
      if (maxRetries === 0 || spent) return false;
      plannedWait = waitBefore(outcome, attempts);
      return Date.now() + plannedWait + MIN_ATTEMPT_MS <= deadline;
    };
    const retries = retry(
      handleWhen((error) => worthRetrying({ error })).orWhenResult((value) =>
        worthRetrying({ value: value as UpstreamResponse }),
      ),
      { maxAttempts: maxRetries + MAX_RATE_LIMITED_RETRIES, backoff: new DelegateBackoff(() => plannedWait) },
    );
    try {
      return await retries.execute(() =>
        this.breaker.execute(() =>
          this.limiter.run(owner ?? SHARED, async () => {
            // Nobody would read the answer (a call queued here, or waiting its turn after a 429):
            // spend none of the provider's allowance on it. A half-open circuit's probe goes all
            // the same, since the breaker would take an attempt not made for a success.
            if (owner?.connection.destroyed && this.breaker.state !== CircuitState.HalfOpen) throw new ClientGone();
            attempts += 1;
            const remaining = deadline - Date.now();
            // Whether the budget, rather than the attempt's own timeout, sets its time.
            const budgetBound = remaining <= this.attemptTimeoutMs;
            const given = Math.max(1, Math.min(this.attemptTimeoutMs, remaining));
            // Too little of the budget is left: the call waited its turn for a connection behind
            // a burst, or its wait for a rate limit ended late (a stalled machine). An attempt
            // this short could not finish: it would spend the provider's allowance, and its
            // timeout would count as the provider's failure, so that one busy request could open
            // the circuit for every caller. Not while half-open: the probe is made all the same.
            if (budgetBound && given < this.tooLittleMs && this.breaker.state !== CircuitState.HalfOpen) {
              throw refused ? new BudgetSpent(refused) : new QueuedTooLong();
            }
            // Counted as sent, so that the retries counted are the requests made after the first.
            if (attempts > 1) this.observer?.retried(this.provider);
            const started = Date.now();
            try {
              return await attempt(given);
            } catch (error) {
              const ranOut = budgetBound && isTransportFailure(error) && Date.now() - started >= given - BUDGET_END_SLACK_MS;
              throw (ranOut && this.budgetEnded(refused, given)) || error;
            }
          }),
        ),
      );
    } catch (error) {
      if (error instanceof BudgetSpent) return error.refusal;
      throw this.explain(error);
    }
  }

  /**
   * What an attempt that ran out of the time the budget left it answers instead of its timeout;
   * undefined where the timeout is the provider's failure, which the breaker counts.
   * - While the call waits its turn after a refusal: that refusal. The provider did not fail;
   *   it said when to come back.
   * - When the budget left it less than half a whole attempt (UPSTREAM_TIMEOUT_MS, or the budget
   *   where that is shorter): a failure the breaker does not count. The call queued behind a
   *   burst, or retried late; a provider answering in its usual time might not have answered
   *   in that, and counting it would let one busy request open the circuit for every caller.
   * Not while the circuit is half-open: the probe's outcome decides.
   */
  private budgetEnded(refused: UpstreamResponse | undefined, givenMs: number): BudgetSpent | CutShort | undefined {
    if (this.breaker.state === CircuitState.HalfOpen) return undefined;
    if (refused) return new BudgetSpent(refused);
    return givenMs < this.wholeAttemptMs / 2 ? new CutShort() : undefined;
  }

  private explain(error: unknown): unknown {
    const provider = this.provider;
    if (error instanceof ClientGone) {
      return new AppError('UPSTREAM_UNAVAILABLE', `${provider} was not asked: the client has gone`, { provider });
    }
    if (error instanceof BrokenCircuitError) {
      return new AppError('UPSTREAM_UNAVAILABLE', `${provider} is failing: not asking it again for a while (circuit open)`, {
        provider,
      });
    }
    if (error instanceof CutShort) {
      return new AppError('UPSTREAM_UNAVAILABLE', `${provider} did not answer in the little time left in the call's budget (UPSTREAM_RETRY_BUDGET_MS)`, {
        provider,
      });
    }
    if (error instanceof QueuedTooLong) {
      return new AppError(
        'UPSTREAM_UNAVAILABLE',
        `${provider} was not asked: the call's time budget ran out while it waited its turn (UPSTREAM_RETRY_BUDGET_MS)`,
        { provider },
      );
    }
    if (error instanceof LimiterFull) {
      return new AppError('UPSTREAM_UNAVAILABLE', `${provider} has too many requests waiting`, { provider });
    }
    return error;
  }
}

/**
 * What the provider asked for (waiting less would only be refused again; more than the budget
 * allows means no retry), spread over the second after it, else exponential backoff with full
 * jitter, capped.
 */
function waitBefore(outcome: Outcome, attempts: number): number {
  const asked = 'value' in outcome ? retryAfterSeconds(outcome.value.headers) : undefined;
  // Calls refused together are told the same reset: spread, they do not all meet the refilled
  // allowance at once (the Auth0 SDK jitters its waits too).
  if (asked !== undefined) return asked * 1000 + Math.random() * RATE_LIMIT_SPREAD_MS;
  return Math.min(MAX_BACKOFF_MS, Math.random() * BASE_BACKOFF_MS * 2 ** attempts);
}

/** Thrown by the HTTP client when no answer came (network error, reset, timeout). */
function isTransportFailure(error: unknown): boolean {
  return error instanceof AppError && error.code === 'UPSTREAM_UNAVAILABLE';
}
