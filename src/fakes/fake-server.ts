/**
 * What every provider fake shares: a real HTTP server on loopback that records each request
 * it receives and can be told to misbehave (status, headers, latency, connection reset,
 * malformed body) for the next requests that match. Each provider's fake adds its routes.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** The raw request target, exactly as received (path and query, still percent-encoded). */
  rawUrl: string;
  /** The path, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Fault {
  /** Only requests whose raw path matches; all when absent. */
  path?: RegExp;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Answer with this status and JSON body (and headers). */
  status?: number;
  body?: unknown;
  /** A function is asked at each answer: a rate limiter's times are counted from then. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Answer with this text as the body, as is (e.g. malformed JSON). */
  rawBody?: string;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Wait this long before handling the request (then answer normally unless told otherwise). */
  delayMs?: number;
}

export abstract class FakeServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests kept at least (the latest): a long-running demo must not grow without bound. */
  maxRecorded = 20_000;
  /** Added to every request, to simulate a distant upstream. */
  latencyMs = 0;
  /** The most requests it was handling at once since the last reset (to check concurrency limits). */
  peakInFlight = 0;
  private inFlight = 0;
  private readonly faults: Fault[] = [];
  private readonly recorded = new WeakMap<FastifyRequest, RecordedRequest>();
  private app: FastifyInstance | undefined;
  private baseUrl: string | undefined;

  /** Base URL once started, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.constructor.name} is not started`);
    return this.baseUrl;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
    app.register(formbody);
    app.addHook('onRequest', async (request, reply) => {
      this.inFlight += 1;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      // Closes when answered or when the connection is gone (a reset fault included).
      reply.raw.once('close', () => {
        this.inFlight -= 1;
      });
      return this.intercept(request, reply);
    });
    app.addHook('preHandler', async (request) => {
      const recorded = this.recorded.get(request);
      if (recorded) recorded.body = request.body;
    });
    this.routes(app);
    await app.listen({ port, host });
    const address = app.server.address() as AddressInfo;
    this.app = app;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  /** Misbehave for the next matching requests. */
  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Forget recorded requests and pending faults. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.latencyMs = 0;
    this.peakInFlight = this.inFlight;
  }

  /** Recorded requests whose raw path matches. */
  requestsTo(path: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => path.test(request.rawPath));
  }

  protected abstract routes(app: FastifyInstance): void;

  private async intercept(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const recorded: RecordedRequest = {
      method: request.method,
      rawUrl: request.raw.url ?? '/',
      rawPath: rawPath(request),
      query: rawQuery(request),
      headers: request.headers,
      body: undefined,
    };
    this.requests.push(recorded);
    // Trimmed to the latest maxRecorded once twice as many are kept: one splice per maxRecorded
    // requests, not one per request.
    if (this.requests.length >= 2 * this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
    this.recorded.set(request, recorded);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const fault = this.takeFault(recorded.rawPath);
    if (!fault) return;
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.reset) {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    const headers = (typeof fault.headers === 'function' ? fault.headers() : fault.headers) ?? {};
    if (fault.rawBody !== undefined) {
      return reply
        .code(fault.status ?? 200)
        .type('application/json') // unless the fault's headers say otherwise
        .headers(headers)
        .send(fault.rawBody);
    }
    if (fault.status !== undefined) {
      return reply.code(fault.status).headers(headers).send(fault.body ?? {});
    }
  }

  private takeFault(rawPath: string): Fault | undefined {
    const index = this.faults.findIndex((fault) => !fault.path || fault.path.test(rawPath));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A request's path as it was sent, still percent-encoded. */
export function rawPath(request: FastifyRequest): string {
  return (request.raw.url ?? '/').split('?')[0]!;
}

/**
 * A request's query as it was sent, read as the providers' servers read it (`+` is a space),
 * not as Fastify's parser does (it would hide repeated or odd parameters).
 */
export function rawQuery(request: FastifyRequest): URLSearchParams {
  const rawUrl = request.raw.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  return new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
}

/** A string field of a parsed form or JSON body; undefined when it is absent or not a string. */
export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The time in whole seconds since the epoch, as JWTs and rate-limit headers write it. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** RFC 3339 in UTC with whole seconds (`2024-01-15T10:30:00Z`), as Cloud Controller and Wacht write times. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
