/**
 * The one HTTP client every provider calls its API through: keep-alive pools per origin
 * (undici), a timeout on every request, bodies always read to the end, and transport
 * failures turned into the contract's UPSTREAM_UNAVAILABLE for that provider.
 */
import { Agent, request } from 'undici';
import type { IdentityProvider } from '../graphql/generated';
import { AppError } from '../errors';

export interface UpstreamRequest {
  provider: IdentityProvider;
  /** The route template, for metrics and logs: never the concrete URL, which holds ids. */
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Told about every upstream exchange (metrics). */
export interface UpstreamObserver {
  observe(request: UpstreamRequest, outcome: number | 'error', seconds: number): void;
}

export interface UpstreamClientOptions {
  timeoutMs: number;
  observer?: UpstreamObserver;
}

export class UpstreamClient {
  private readonly agent: Agent;

  constructor(private readonly options: UpstreamClientOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  }

  async send(upstream: UpstreamRequest): Promise<UpstreamResponse> {
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    try {
      const response = await request(upstream.url, {
        dispatcher: this.agent,
        method: upstream.method ?? 'GET',
        headers: { accept: 'application/json', ...upstream.headers },
        body: upstream.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const body = await response.body.text();
      this.options.observer?.observe(upstream, response.statusCode, elapsed());
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      this.options.observer?.observe(upstream, 'error', elapsed());
      throw new AppError('UPSTREAM_UNAVAILABLE', unreachableMessage(upstream, error), {
        provider: upstream.provider,
      });
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Says what went wrong without echoing the URL (it may hold ids or a development session). */
function unreachableMessage(upstream: UpstreamRequest, error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return name === 'TimeoutError' || name === 'AbortError'
    ? `${upstream.provider} did not answer in time (${upstream.route})`
    : `${upstream.provider} could not be reached (${upstream.route})`;
}
