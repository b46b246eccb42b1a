/**
 * The environment, validated once at start-up. A bad setting stops start-up with one line
 * that names the variable and what is wrong, never its value (it may be a secret).
 */
import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './upstream/resilience';

export interface Auth0Config {
  /** `https://{domain}` or the configured base URL, without a trailing slash. */
  baseUrl: string;
  audience: string;
  management: { clientId: string; clientSecret: string } | { token: string };
}

export interface CloudFoundryConfig {
  apiUrl: string;
  client: { id: string; secret: string } | null;
  /** The `aud` UAA caller tokens must carry (a resource id, e.g. `cloud_controller`); null: not checked. */
  audience: string | null;
}

export interface Config {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  upstreamTimeoutMs: number;
  /** Retries, time budget, concurrency limit and circuit breaker of each provider's calls. */
  resilience: ResilienceSettings;
  /** How long membership lists are kept across requests; 0 (the default) keeps none. */
  membershipCacheTtlSeconds: number;
  /** How long Auth0 role permissions (tenant-wide) are kept across requests; 0 keeps none. */
  rolePermissionsCacheTtlSeconds: number;
  auth0: Auth0Config | null;
  cloudFoundry: CloudFoundryConfig | null;
  wacht: { frontendApiUrl: string } | null;
  /** Between readiness turning 503 and the listener closing, so load balancers stop sending. */
  shutdownDelayMs: number;
  /** Runs of an operation on graphql-js before it is compiled (graphql-jit); null: never compiled. */
  graphqlCompileAfterRuns: number | null;
  /** `_entities` representations one request may carry (each may cost an upstream call). */
  maxRepresentations: number;
  /** No provider configured outside production: run the built-in fakes. */
  demo: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((problem) => `Invalid configuration: ${problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? Number(value) : fallback))
    .pipe(z.number({ error: 'must be a whole number' }).int('must be a whole number').min(min).max(max));

const environment = z.object({
  NODE_ENV: optionalText,
  PORT: integer(4001, 0, 65535),
  HOST: optionalText.transform((value) => value ?? '0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((value) => value ?? 'info'),
  UPSTREAM_TIMEOUT_MS: integer(5000, 1, 120_000),
  UPSTREAM_MAX_RETRIES: integer(DEFAULT_RESILIENCE.maxRetries, 0, 5),
  UPSTREAM_RETRY_BUDGET_MS: integer(DEFAULT_RESILIENCE.budgetMs, 1, 300_000),
  UPSTREAM_CONCURRENCY: integer(DEFAULT_RESILIENCE.concurrency, 1, 1000),
  UPSTREAM_BREAKER_THRESHOLD: integer(DEFAULT_RESILIENCE.breakerThreshold, 1, 1000),
  UPSTREAM_BREAKER_COOLDOWN_MS: integer(DEFAULT_RESILIENCE.halfOpenAfterMs, 100, 600_000),
  MEMBERSHIP_CACHE_TTL_SECONDS: integer(0, 0, 3600),
  SHUTDOWN_DELAY_MS: z.string().trim().optional(),
  ROLE_PERMISSIONS_CACHE_TTL_SECONDS: integer(60, 0, 3600),
  MAX_REPRESENTATIONS: integer(100, 1, 10_000),
  GRAPHQL_COMPILE_AFTER_RUNS: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || '1')
    .pipe(z.string().regex(/^(never|\d{1,6})$/, "must be a whole number of runs (0 to 999999) or 'never'"))
    .transform((value) => (value === 'never' ? null : Number(value))),
  AUTH0_DOMAIN: optionalText.pipe(
    z
      .string()
      .regex(/^(https?:\/\/[^\s/]+\/?|[a-z0-9.-]+(:\d+)?)$/i, 'must be a tenant host or an http(s) base URL')
      .optional(),
  ),
  AUTH0_CLIENT_ID: optionalText,
  AUTH0_CLIENT_SECRET: optionalText,
  AUTH0_MANAGEMENT_TOKEN: optionalText,
  AUTH0_AUDIENCE: optionalText,
  CF_API_URL: optionalText.pipe(baseUrl.optional()),
  CF_CLIENT_ID: optionalText,
  CF_CLIENT_SECRET: optionalText,
  CF_AUDIENCE: optionalText,
  WACHT_FRONTEND_API_URL: optionalText.pipe(baseUrl.optional()),
});

type Environment = z.infer<typeof environment>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const problems: string[] = [];
  const production = values.NODE_ENV === 'production';
  const config: Config = {
    port: values.PORT,
    host: values.HOST,
    production,
    logLevel: values.LOG_LEVEL,
    upstreamTimeoutMs: values.UPSTREAM_TIMEOUT_MS,
    resilience: {
      maxRetries: values.UPSTREAM_MAX_RETRIES,
      budgetMs: values.UPSTREAM_RETRY_BUDGET_MS,
      concurrency: values.UPSTREAM_CONCURRENCY,
      breakerThreshold: values.UPSTREAM_BREAKER_THRESHOLD,
      halfOpenAfterMs: values.UPSTREAM_BREAKER_COOLDOWN_MS,
    },
    membershipCacheTtlSeconds: values.MEMBERSHIP_CACHE_TTL_SECONDS,
    rolePermissionsCacheTtlSeconds: values.ROLE_PERMISSIONS_CACHE_TTL_SECONDS,
    shutdownDelayMs: shutdownDelay(values.SHUTDOWN_DELAY_MS, production, problems),
    graphqlCompileAfterRuns: values.GRAPHQL_COMPILE_AFTER_RUNS,
    maxRepresentations: values.MAX_REPRESENTATIONS,
    auth0: auth0Config(values, problems),
    cloudFoundry: cloudFoundryConfig(values, problems),
    wacht: values.WACHT_FRONTEND_API_URL ? { frontendApiUrl: values.WACHT_FRONTEND_API_URL } : null,
    demo: false,
  };
  const anyProvider = Boolean(config.auth0 || config.cloudFoundry || config.wacht);
  if (!anyProvider && production) {
    problems.push('no identity provider: set AUTH0_DOMAIN, CF_API_URL or WACHT_FRONTEND_API_URL');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, demo: !anyProvider };
}

/** Production waits for load balancers to see the 503 (default 5 s); elsewhere nobody is watching. */
function shutdownDelay(value: string | undefined, production: boolean, problems: string[]): number {
  if (!value) return production ? 5000 : 0;
  const delay = Number(value);
  if (Number.isInteger(delay) && delay >= 0 && delay <= 120_000) return delay;
  problems.push('SHUTDOWN_DELAY_MS: must be a whole number from 0 to 120000');
  return 0;
}

function auth0Config(values: Environment, problems: string[]): Auth0Config | null {
  const domain = values.AUTH0_DOMAIN;
  if (!domain) {
    for (const name of ['AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_MANAGEMENT_TOKEN', 'AUTH0_AUDIENCE'] as const) {
      if (values[name]) problems.push(`${name}: is set but AUTH0_DOMAIN is not`);
    }
    return null;
  }
  const management = auth0Management(values, problems);
  if (!values.AUTH0_AUDIENCE) problems.push('AUTH0_AUDIENCE: required with AUTH0_DOMAIN (the audience of caller tokens)');
  if (!management || !values.AUTH0_AUDIENCE) return null;
  const url = /^https?:\/\//i.test(domain) ? domain : `https://${domain}`;
  return { baseUrl: url.replace(/\/+$/, ''), audience: values.AUTH0_AUDIENCE, management };
}

function auth0Management(values: Environment, problems: string[]): Auth0Config['management'] | null {
  const { AUTH0_CLIENT_ID: clientId, AUTH0_CLIENT_SECRET: clientSecret, AUTH0_MANAGEMENT_TOKEN: token } = values;
  if (clientId && clientSecret) return { clientId, clientSecret };
  if (clientId || clientSecret) {
    problems.push(`${clientId ? 'AUTH0_CLIENT_SECRET' : 'AUTH0_CLIENT_ID'}: required with ${clientId ? 'AUTH0_CLIENT_ID' : 'AUTH0_CLIENT_SECRET'}`);
    return null;
  }
  if (token) return { token };
  problems.push('AUTH0_CLIENT_ID: required with AUTH0_DOMAIN (with AUTH0_CLIENT_SECRET), or set AUTH0_MANAGEMENT_TOKEN');
  return null;
}

function cloudFoundryConfig(values: Environment, problems: string[]): CloudFoundryConfig | null {
  const { CF_API_URL: apiUrl, CF_CLIENT_ID: id, CF_CLIENT_SECRET: secret, CF_AUDIENCE: audience } = values;
  if (Boolean(id) !== Boolean(secret)) {
    problems.push(`${id ? 'CF_CLIENT_SECRET' : 'CF_CLIENT_ID'}: required with ${id ? 'CF_CLIENT_ID' : 'CF_CLIENT_SECRET'}`);
  }
  if (!apiUrl) {
    if (id || secret) problems.push('CF_API_URL: required with CF_CLIENT_ID and CF_CLIENT_SECRET');
    if (audience) problems.push('CF_AUDIENCE: is set but CF_API_URL is not');
    return null;
  }
  return { apiUrl, client: id && secret ? { id, secret } : null, audience: audience ?? null };
}
