/**
 * The one HTTP client every provider calls its API through: keep-alive pools per origin
 * (undici), a timeout on every attempt, bodies always read to the end, the provider's
 * resilience policies (concurrency limit, circuit breaker, retries), an OpenTelemetry span
 * per call (free when no SDK is installed), and transport failures turned into the
 * contract's UPSTREAM_UNAVAILABLE for that provider.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Agent, errors } from 'undici';
import type { IdentityProvider } from '../graphql/generated';
import { AppError } from '../errors';
import { upstreamTally } from './accounting';
import { exchange, ExchangeTimeoutError, type Answer } from './exchange';
import type { ConnectionUse } from './fair-limiter';
import { DEFAULT_RESILIENCE, ProviderResilience, type ResilienceObserver, type ResilienceSettings } from './resilience';

export interface UpstreamRequest {
  provider: IdentityProvider;
  /** The route template, for metrics, traces and logs: never the concrete URL, which holds ids. */
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Made for the GraphQL request it runs in alone: it waits for a connection in that request's
   * turn, and is not sent once that request's client has gone. Left unset for what other
   * requests may be waiting on too (a token, signing keys).
   */
  abandonable?: boolean;
}

export type UpstreamResponse = Answer;

/** Told about every upstream exchange (metrics). */
export interface UpstreamObserver extends ResilienceObserver {
  observe(request: UpstreamRequest, outcome: number | 'error', seconds: number): void;
}

export interface UpstreamClientOptions {
  /** Per attempt. */
  timeoutMs: number;
  observer?: UpstreamObserver;
  resilience?: Partial<ResilienceSettings>;
}

const tracer = trace.getTracer('organizations-subgraph');

/**
 * The most an answer's body may hold. The largest a provider sends is Wacht's membership list,
 * all of it in one answer: ~1-2 KB a membership, so 16 MiB is thousands of organizations, and
 * far above an Auth0 or Cloud Foundry page of 100. More than that is no answer this subgraph
 * can use, and reading it whole (a proxy's error page in a loop, a misrouted download) could
 * exhaust the memory every caller shares; undici stops reading and closes the connection.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class UpstreamClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, maxResponseSize: MAX_ANSWER_BYTES });
  private readonly policies = new Map<IdentityProvider, ProviderResilience>();

  constructor(private readonly options: UpstreamClientOptions) {}

  send(upstream: UpstreamRequest): Promise<UpstreamResponse> {
    return tracer.startActiveSpan(`${upstream.provider} ${upstream.route}`, async (span) => {
      span.setAttributes({ 'organizations.provider': upstream.provider, 'http.route': upstream.route });
      try {
        const response = await this.policyFor(upstream.provider).run(
          (timeoutMs) => this.attempt(upstream, timeoutMs),
          upstream.abandonable ? upstreamTally.getStore() : undefined,
        );
        span.setAttribute('http.response.status_code', response.status);
        return response;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'failed' });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** A provider's connections now (metrics read it when scraped). */
  connectionsOf(provider: IdentityProvider): ConnectionUse {
    return this.policyFor(provider).connections;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private policyFor(provider: IdentityProvider): ProviderResilience {
    let policy = this.policies.get(provider);
    if (!policy) {
      policy = new ProviderResilience(
        provider,
        { ...DEFAULT_RESILIENCE, ...this.options.resilience, attemptTimeoutMs: this.options.timeoutMs },
        this.options.observer,
      );
      this.policies.set(provider, policy);
    }
    return policy;
  }

  /** One attempt. */
  private async attempt(upstream: UpstreamRequest, timeoutMs: number): Promise<UpstreamResponse> {
    const tally = upstreamTally.getStore();
    if (tally) tally.requests += 1;
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    try {
      const response = await exchange(
        this.agent,
        {
          url: upstream.url,
          method: upstream.method ?? 'GET',
          headers: { accept: 'application/json', ...(tally ? { 'x-request-id': tally.requestId } : {}), ...upstream.headers },
          body: upstream.body,
        },
        timeoutMs,
      );
      this.options.observer?.observe(upstream, response.status, elapsed());
      return response;
    } catch (error) {
      this.options.observer?.observe(upstream, 'error', elapsed());
      if (error instanceof errors.ResponseExceededMaxSizeError) {
        // The provider answered, with something that does not fit: not retried, not a failure of its.
        throw new AppError('UPSTREAM_ERROR', `${upstream.provider} answered more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB (${upstream.route})`, {
          provider: upstream.provider,
        });
      }
      throw new AppError('UPSTREAM_UNAVAILABLE', unreachableMessage(upstream, error), {
        provider: upstream.provider,
      });
    }
  }
}

/** Says what went wrong without echoing the URL (it may hold ids or a development session). */
function unreachableMessage(upstream: UpstreamRequest, error: unknown): string {
  return error instanceof ExchangeTimeoutError
    ? `${upstream.provider} did not answer in time (${upstream.route})`
    : `${upstream.provider} could not be reached (${upstream.route})`;
}
