/**
 * The HTTP server: Fastify with Apollo Server on /graphql, health and metrics beside it,
 * and an orderly shutdown (ready goes 503, in-flight requests finish, then it closes).
 */
import { randomUUID } from 'node:crypto';
import { isIPv6, type AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import cors from '@fastify/cors';
import { ApolloServer } from '@apollo/server';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { Config } from '../config';
import { Authenticator } from '../auth/authenticator';
import { contextFactory, type GraphQLContext } from '../graphql/context';
import { errorReportingPlugin, formatError, logUnexpectedErrors } from '../graphql/errors';
import { representationsPlugin } from '../graphql/representations';
import { compiledExecutionPlugin } from '../graphql/execution';
import { buildSchema } from '../graphql/schema';
import { configureProviders } from '../providers';
import { upstreamTally } from '../upstream/accounting';
import { UpstreamClient } from '../upstream/http-client';
import { operationLimits } from './limits';
import { Metrics } from './metrics';

/** Headers that hold credentials: never logged. */
const REDACTED_HEADERS = ['authorization', 'cookie', 'x-wacht-session'];

export interface SubgraphServer {
  readonly fastify: FastifyInstance;
  readonly metrics: Metrics;
  /** Listens on the configured (or given) port; resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops taking work: ready goes 503, in-flight requests finish, pools close. */
  close(): Promise<void>;
}

/** One log line per request, when it completes (Fastify logs two): route template, status, time. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info(
      { method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  }
}

export interface ServerOptions {
  /** Where logs go (default stdout): tests read them to prove no secret is written. */
  logStream?: DestinationStream;
  /** What Apollo Sandbox opens with outside production: an operation and the headers to send it with (the demo's). */
  sandbox?: { document: string; headers: Record<string, string> };
}

/** A request id a client sent is kept (it ties the logs of a call chain) only when it looks like one. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Origins whose pages may read answers outside production: Apollo's Sandbox and Explorer, and
 * pages served from this machine (a frontend's dev server). Not any site: a non-production
 * deployment with real providers must not answer another site's page with its visitor's data.
 */
const EXPLORER_ORIGINS = [
  'https://studio.apollographql.com',
  'https://sandbox.embed.apollographql.com',
  /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/,
];

/** Receiving a whole request may take this long: a client trickling its body cannot hold a connection. */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function createServer(settings: Config, options: ServerOptions = {}): Promise<SubgraphServer> {
  let ready = false;
  const fastify = Fastify({
    logger: {
      level: settings.logLevel,
      redact: { paths: REDACTED_HEADERS.map((name) => `req.headers["${name}"]`), censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logController: new OneLinePerRequest(),
    bodyLimit: 256 * 1024,
    requestTimeout: REQUEST_TIMEOUT_MS,
  });

  const metrics = new Metrics();
  const http = new UpstreamClient({
    timeoutMs: settings.upstreamTimeoutMs,
    resilience: settings.resilience,
    observer: {
      observe: (request, outcome, seconds) => metrics.observe(request, outcome, seconds),
      retried: (provider) => metrics.retried(provider),
      // A provider failing fast is what an operator on call looks for in the logs.
      circuitChanged: (provider, state) => {
        metrics.circuitChanged(provider, state);
        fastify.log[state === 'open' ? 'warn' : 'info']({ provider, circuit: state }, `${provider} circuit ${state}`);
      },
    },
  });
  const configured = configureProviders(settings, http, metrics);
  const names = configured.providers.map((provider) => provider.name);
  metrics.circuitsOf(names);
  metrics.connectionsOf(names, (provider) => http.connectionsOf(provider));
  const authenticator = new Authenticator(configured.issuers, metrics);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While shutting down, keep-alive connections close after their last answer, so close() can finish.
    if (!ready) reply.header('connection', 'close');
  });
  if (!settings.production) {
    // Sandbox runs on another origin and sends credentials as headers (X-Wacht-Session, Authorization).
    await fastify.register(cors, { origin: EXPLORER_ORIGINS, credentials: true });
  }

  const limits = operationLimits(settings.production);
  const includeStacktraceInErrorResponses = !settings.production;
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    // Apollo's own messages go to the same JSON log.
    logger: fastify.log,
    // Said here, not left to Apollo's own reading of NODE_ENV (config.ts trims it; Apollo does not).
    introspection: !settings.production,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    formatError,
    includeStacktraceInErrorResponses,
    csrfPrevention: true,
    // main.ts owns the signals: it closes the HTTP server (which drains Apollo) and exits 0.
    stopOnTerminationSignals: false,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ...limits.plugins,
      errorReportingPlugin,
      representationsPlugin(settings.maxRepresentations),
      metrics.plugin,
      compiledExecutionPlugin<GraphQLContext>({
        schema: buildSchema(),
        compileAfterRuns: settings.graphqlCompileAfterRuns,
        onCompile: (outcome) => metrics.operationCompiled(outcome),
        formatError,
        includeStacktraceInErrorResponses,
        didEncounterErrors: logUnexpectedErrors,
      }),
      // Memberships are per caller: no cache hints to compute on every field.
      ApolloServerPluginCacheControlDisabled(),
      // Federated traces for the router when it asks (ftv1); installed explicitly so Apollo does not log about it.
      ApolloServerPluginInlineTrace(),
      settings.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true, ...options.sandbox }),
    ],
  });
  await apollo.start();
  const graphql = fastifyApolloHandler(apollo, {
    context: contextFactory({ providers: configured.providers, authenticator }),
  });
  // Each GraphQL request runs in its own upstream tally (metrics count its upstream requests).
  fastify.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler(request, reply) {
      return upstreamTally.run({ requests: 0, requestId: request.id, connection: reply.raw }, () => graphql.call(this, request, reply));
    },
  });

  // What Fastify refuses before GraphQL sees it (a body that is not JSON, too large, of another
  // type) still answers as GraphQL does: an `errors` list, with the same status.
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const message = status >= 500 ? 'Internal server error' : error.message;
    const code = status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    return reply.code(status).send({ errors: [{ message, extensions: { code } }] });
  });

  // Fastify's own 404 also logs a line of its own; this one leaves it to the request line.
  fastify.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] }),
  );

  fastify.get('/health/live', async () => ({ status: 'ok' }));
  fastify.get('/health/ready', async (_request, reply) =>
    ready ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
  fastify.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  return {
    fastify,
    metrics,
    async listen(port = settings.port, host = settings.host) {
      await fastify.listen({ port, host });
      ready = true;
      const address = fastify.server.address() as AddressInfo;
      return `http://${urlHost(host)}:${address.port}`;
    },
    async close() {
      ready = false;
      await new Promise((resolve) => setTimeout(resolve, settings.shutdownDelayMs));
      await fastify.close();
      await http.close();
    },
  };
}

/** Where a browser on this machine reaches a listener on `host`: loopback for "any address", IPv6 in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  // A zone (`fe80::1%eth0`) is written `%25` in a URL (RFC 6874; few browsers take one at all).
  return isIPv6(host) ? `[${host.replace('%', '%25')}]` : host;
}
