/**
 * Prometheus metrics on their own registry: the process defaults and every upstream
 * exchange by provider, route template and status (never a URL, an id or a token).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IdentityProvider } from '../graphql/generated';
import type { UpstreamObserver, UpstreamRequest } from '../upstream/http-client';

export class Metrics implements UpstreamObserver {
  readonly registry = new Registry();

  private readonly upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Requests sent to identity providers, by provider, route template and status (error: no answer).',
    labelNames: ['provider', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Time until an identity provider answered (or failed), by provider and route template.',
    labelNames: ['provider', 'route'] as const,
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  retried(provider: IdentityProvider): void {
    this.upstreamRetries.inc({ provider });
  }

  circuitChanged(provider: IdentityProvider, open: boolean): void {
    this.circuitOpen.set({ provider }, open ? 1 : 0);
  }

  observe(request: UpstreamRequest, outcome: number | 'error', seconds: number): void {
    this.upstreamRequests.inc({ provider: request.provider, route: request.route, status: String(outcome) });
    this.upstreamDuration.observe({ provider: request.provider, route: request.route }, seconds);
  }
}
