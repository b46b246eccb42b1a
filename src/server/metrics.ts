/**
 * Prometheus metrics on their own registry: the process defaults and every upstream
 * exchange by provider, route template and status (never a URL, an id or a token).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../graphql/context';
import type { CompileOutcome } from '../graphql/execution';
import type { IdentityProvider } from '../graphql/generated';
import type { CacheObserver } from '../providers/ttl-cache';
import { upstreamTally } from '../upstream/accounting';
import type { UpstreamObserver, UpstreamRequest } from '../upstream/http-client';
import type { ConnectionUse } from '../upstream/fair-limiter';
import type { CircuitStateName } from '../upstream/resilience';

export class Metrics implements UpstreamObserver, CacheObserver {
  readonly registry = new Registry();

  private readonly upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Requests sent to identity providers, by provider, route template and status (error: no answer).',
    labelNames: ['provider', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Time until an identity provider answered (or failed), by provider, route template and status (error: no answer).',
    labelNames: ['provider', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly upstreamRetries = new Counter({
    name: 'upstream_retries_total',
    help: 'Upstream requests sent again after a 408, 429, 5xx or network failure, by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  private readonly circuitOpen = new Gauge({
    name: 'upstream_circuit_open',
    help: "1 while a provider's circuit breaker is open (failing fast), else 0.",
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  private readonly operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL requests from start to response, by operation type and outcome (ok, or error when any error was returned).',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly operationUpstreamRequests = new Histogram({
    name: 'graphql_operation_upstream_requests',
    help: 'Upstream requests (retries included) one GraphQL request made, by operation type.',
    labelNames: ['operation'] as const,
    buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100, 200],
    registers: [this.registry],
  });

  private readonly operationsCompiled = new Counter({
    name: 'graphql_operations_compiled_total',
    help: 'Operations that ran often enough to be compiled (graphql-jit), by outcome: compiled, or not_compilable (they stay on graphql-js).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly cacheLookups = new Counter({
    name: 'cache_lookups_total',
    help: 'Lookups in the caches kept across requests (verified_tokens, auth0_role_permissions, membership_lists), by outcome.',
    labelNames: ['cache', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  cacheLookup(cache: string, hit: boolean): void {
    this.cacheLookups.inc({ cache, outcome: hit ? 'hit' : 'miss' });
  }

  /** Observes every GraphQL request: its duration, outcome and upstream requests. */
  readonly plugin: ApolloServerPlugin<GraphQLContext> = {
    requestDidStart: async () => {
      const started = performance.now();
      return {
        willSendResponse: async ({ operation, errors, response, contextValue }) => {
          const type = operation?.operation ?? 'unknown';
          // The response's errors: a compiled operation's never reach `errors` (src/graphql/execution.ts).
          const answered = response.body.kind === 'single' ? response.body.singleResult.errors : errors;
          const failed = Boolean(answered?.length) || contextValue.partialErrors.length > 0;
          this.operationDurationOf(type, failed ? 'error' : 'ok').observe((performance.now() - started) / 1000);
          this.operationUpstreamRequestsOf(type).observe(upstreamTally.getStore()?.requests ?? 0);
        },
      };
    },
  };

  operationCompiled(outcome: CompileOutcome): void {
    this.operationsCompiled.inc({ outcome });
  }

  retried(provider: IdentityProvider): void {
    this.upstreamRetries.inc({ provider });
  }

  /**
   * A series for every configured provider's circuit from the start, at 0 (closed), so that an
   * alert or dashboard has data before the first failure, and a provider that is not
   * configured has none.
   */
  circuitsOf(providers: readonly IdentityProvider[]): void {
    for (const provider of providers) this.circuitOpen.set({ provider }, 0);
  }

  /**
   * Each configured provider's connections, read when scraped (requests pay nothing for them):
   * calls holding one of its UPSTREAM_CONCURRENCY connections, and calls waiting for one. In
   * flight at the limit with calls waiting, for long, means the limit or the provider is too
   * small for the load.
   */
  connectionsOf(providers: readonly IdentityProvider[], use: (provider: IdentityProvider) => ConnectionUse): void {
    const gauge = (name: string, help: string, read: (use: ConnectionUse) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['provider'] as const,
        registers: [this.registry],
        collect() {
          for (const provider of providers) this.set({ provider }, read(use(provider)));
        },
      });
    gauge('upstream_calls_in_flight', "Calls holding one of a provider's connections (at most UPSTREAM_CONCURRENCY), when scraped.", (now) => now.inFlight);
    gauge('upstream_calls_waiting', "Calls waiting for one of a provider's connections, when scraped.", (now) => now.waiting);
  }

  circuitChanged(provider: IdentityProvider, state: CircuitStateName): void {
    this.circuitOpen.set({ provider }, state === 'open' ? 1 : 0);
  }

  observe(request: UpstreamRequest, outcome: number | 'error', seconds: number): void {
    const status = String(outcome);
    this.upstreamRequestsOf(request.provider, request.route, status).inc();
    this.upstreamDurationOf(request.provider, request.route, status).observe(seconds);
  }

  // The series every request touches, looked up by their label values once.
  private readonly operationDurationOf = children((...values) => this.operationDuration.labels(...values));
  private readonly operationUpstreamRequestsOf = children((...values) => this.operationUpstreamRequests.labels(...values));
  private readonly upstreamRequestsOf = children((...values) => this.upstreamRequests.labels(...values));
  private readonly upstreamDurationOf = children((...values) => this.upstreamDuration.labels(...values));
}

/**
 * A metric's series by label values, kept once made: prom-client hashes the labels on every
 * observation otherwise. Label values here come from small fixed sets (providers, route
 * templates, statuses, operation types), so the map stays small.
 */
function children<Child>(make: (...values: string[]) => Child): (...values: string[]) => Child {
  const made = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = made.get(key);
    if (!child) {
      child = make(...values);
      made.set(key, child);
    }
    return child;
  };
}
