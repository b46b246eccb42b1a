/**
 * The environment, validated once at start-up. A bad setting stops start-up with one line
 * that names the variable and what is wrong, never its value (it may be a secret).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './upstream/resilience';

export interface Auth0Config {
  /** `https://{domain}` or the configured base URL, without a trailing slash. */
  baseUrl: string;
  audience: string;
  /**
   * Client credentials and the Management API audience their token is asked for (the tenant's
   * canonical `https://{tenant}.auth0.com/api/v2/` when `baseUrl` is a custom domain), or a fixed token.
   */
  management: { clientId: string; clientSecret: string; audience: string } | { token: string };
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

/**
 * Records `message` as what is wrong with the setting (never its value); returns `z.NEVER`, for
 * the transform to return.
 */
function refuse(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/**
 * Why `value` is not a whole number from min to max, or undefined. Digits only: `Number` alone
 * takes `0x10`, `1e3` and `+5` too, and a server would listen on a port nobody asked for.
 */
function wholeNumberProblem(value: string, min: number, max: number): string | undefined {
  if (!/^\d+$/.test(value)) return `must be a whole number from ${min} to ${max}`;
  const number = Number(value);
  return number >= min && number <= max ? undefined : `must be between ${min} and ${max}`;
}

/** A whole number from min to max; undefined when not set. */
const optionalInteger = (min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const problem = wholeNumberProblem(value, min, max);
      return problem ? refuse(ctx, problem) : Number(value);
    });

const integer = (fallback: number, min: number, max: number) => optionalInteger(min, max).transform((value) => value ?? fallback);

/**
 * A host name: labels of letters, digits, `-` and `_` (container networks resolve names such as
 * `my_service`), an optional final dot, and a last label that is not all digits (`999.1.1.1` is
 * no IP address, and no name either).
 */
const HOST_NAME = /^(?=.{1,254}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_-]*[a-z_-][a-z0-9_-]*\.?$/i;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The port of an `http(s)://host:port` URL as written: `new URL` takes 0, and refuses 65536 without saying why. */
const URL_PORT = /^https?:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i;

/**
 * `value` as an http(s) URL, or what is wrong with it (`invalid`, unless it is the port). Checked
 * here so that a bad URL stops start-up naming its setting, not later as a bare "Invalid URL".
 */
function httpUrl(value: string, invalid: string): URL | string {
  const port = URL_PORT.exec(value)?.[1];
  const url = URL.parse(value);
  if ((port !== undefined && wholeNumberProblem(port, 1, 65535)) || url?.port === '0') {
    return 'port must be between 1 and 65535';
  }
  // `new URL` also reads `http:host` as `http://host`; an operator who wrote that meant something else.
  return url && /^https?:\/\//i.test(value) && url.hostname ? url : invalid;
}

/** Paths are appended to a base URL: a query or fragment would end up in the middle, credentials would be dropped. */
const baseUrl = z.string().transform((value, ctx) => {
  const url = httpUrl(value, 'must be an http(s) URL');
  if (typeof url === 'string') return refuse(ctx, url);
  // An empty `?` or `#` parses to no search or hash, yet would still sit before every path.
  if (url.username || url.password || /[?#]/.test(value)) {
    return refuse(ctx, 'must be a base URL without credentials, query or fragment');
  }
  return value.replace(/\/+$/, '');
});

/**
 * A tenant host (`travel0.us.auth0.com[:port]`, served over https) or an http(s) base URL with
 * nothing after the host; read as its origin (the issuer is `{origin}/`, as Auth0 writes it:
 * host in lower case, no default port).
 */
const auth0Domain = z.string().transform((value, ctx) => {
  const invalid = 'must be a tenant host or an http(s) base URL';
  const hostOnly = !value.includes('://');
  if (hostOnly && !/^[a-z0-9.-]+(:\d+)?$/i.test(value)) return refuse(ctx, invalid);
  const base = hostOnly ? `https://${value}` : value;
  const url = httpUrl(base, invalid);
  if (typeof url === 'string') return refuse(ctx, url);
  if (url.username || url.password || url.pathname !== '/' || /[?#]/.test(value)) return refuse(ctx, invalid);
  return url.origin;
});

/**
 * The Management API's identifier: `https://{tenant host}/api/v2/`, written with or without the
 * final slash (Auth0 compares it exactly, with the slash).
 */
const managementAudience = z.string().transform((value, ctx) => {
  const invalid = 'must be the Management API identifier, https://{tenant}.auth0.com/api/v2/';
  const url = httpUrl(value, invalid);
  if (typeof url === 'string') return refuse(ctx, url);
  if (url.username || url.password || /[?#]/.test(value) || !/^\/api\/v2\/?$/.test(url.pathname)) return refuse(ctx, invalid);
  return `${url.origin}/api/v2/`;
});

const environment = z.object({
  NODE_ENV: optionalText,
  PORT: integer(4001, 0, 65535),
  HOST: optionalText
    .refine((value) => value === undefined || isIP(value) !== 0 || HOST_NAME.test(value), 'must be an IP address or a host name')
    .transform((value) => value ?? '0.0.0.0'),
  LOG_LEVEL: optionalText
    .transform((value) => value?.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional())
    .transform((value) => value ?? 'info'),
  UPSTREAM_TIMEOUT_MS: integer(5000, 1, 120_000),
  UPSTREAM_MAX_RETRIES: integer(DEFAULT_RESILIENCE.maxRetries, 0, 5),
  UPSTREAM_RETRY_BUDGET_MS: integer(DEFAULT_RESILIENCE.budgetMs, 1, 300_000),
  UPSTREAM_CONCURRENCY: integer(DEFAULT_RESILIENCE.concurrency, 1, 1000),
  UPSTREAM_BREAKER_THRESHOLD: integer(DEFAULT_RESILIENCE.breakerThreshold, 1, 1000),
  UPSTREAM_BREAKER_COOLDOWN_MS: integer(DEFAULT_RESILIENCE.halfOpenAfterMs, 100, 600_000),
  MEMBERSHIP_CACHE_TTL_SECONDS: integer(0, 0, 3600),
  // Its default depends on NODE_ENV (loadConfig).
  SHUTDOWN_DELAY_MS: optionalInteger(0, 120_000),
  ROLE_PERMISSIONS_CACHE_TTL_SECONDS: integer(60, 0, 3600),
  MAX_REPRESENTATIONS: integer(100, 1, 10_000),
  GRAPHQL_COMPILE_AFTER_RUNS: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || '1')
    .pipe(z.string().regex(/^(never|\d{1,6})$/, "must be a whole number of runs (0 to 999999) or 'never'"))
    .transform((value) => (value === 'never' ? null : Number(value))),
  AUTH0_DOMAIN: optionalText.pipe(auth0Domain.optional()),
  AUTH0_CLIENT_ID: optionalText,
  AUTH0_CLIENT_SECRET: optionalText,
  AUTH0_MANAGEMENT_TOKEN: optionalText,
  AUTH0_MANAGEMENT_AUDIENCE: optionalText.pipe(managementAudience.optional()),
  AUTH0_AUDIENCE: optionalText,
  CF_API_URL: optionalText.pipe(baseUrl.optional()),
  CF_CLIENT_ID: optionalText,
  CF_CLIENT_SECRET: optionalText,
  CF_AUDIENCE: optionalText,
  WACHT_FRONTEND_API_URL: optionalText.pipe(baseUrl.optional()),
});

type Environment = z.infer<typeof environment>;

/** Any of these set means a provider was meant to be configured. */
const PROVIDER_SETTINGS = [
  'AUTH0_DOMAIN',
  'AUTH0_CLIENT_ID',
  'AUTH0_CLIENT_SECRET',
  'AUTH0_MANAGEMENT_TOKEN',
  'AUTH0_MANAGEMENT_AUDIENCE',
  'AUTH0_AUDIENCE',
  'CF_API_URL',
  'CF_CLIENT_ID',
  'CF_CLIENT_SECRET',
  'CF_AUDIENCE',
  'WACHT_FRONTEND_API_URL',
] as const satisfies readonly (keyof Environment)[];

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
    // Production waits for load balancers to see the 503 (5 s); elsewhere nobody is watching.
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS ?? (production ? 5000 : 0),
    graphqlCompileAfterRuns: values.GRAPHQL_COMPILE_AFTER_RUNS,
    maxRepresentations: values.MAX_REPRESENTATIONS,
    auth0: auth0Config(values, problems),
    cloudFoundry: cloudFoundryConfig(values, problems),
    wacht: values.WACHT_FRONTEND_API_URL ? { frontendApiUrl: values.WACHT_FRONTEND_API_URL } : null,
    demo: false,
  };
  const anyProvider = Boolean(config.auth0 || config.cloudFoundry || config.wacht);
  // A provider set in part already has lines saying what it lacks: "no identity provider" would mislead.
  const anyProviderSetting = PROVIDER_SETTINGS.some((name) => values[name] !== undefined);
  if (!anyProvider && !anyProviderSetting && production) {
    problems.push('no identity provider: set AUTH0_DOMAIN, CF_API_URL or WACHT_FRONTEND_API_URL');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, demo: !anyProvider };
}

function auth0Config(values: Environment, problems: string[]): Auth0Config | null {
  const domain = values.AUTH0_DOMAIN;
  if (!domain) {
    for (const name of ['AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_MANAGEMENT_TOKEN', 'AUTH0_MANAGEMENT_AUDIENCE', 'AUTH0_AUDIENCE'] as const) {
      if (values[name]) problems.push(`${name}: is set but AUTH0_DOMAIN is not`);
    }
    return null;
  }
  const management = auth0Management(values, domain, problems);
  if (!values.AUTH0_AUDIENCE) problems.push('AUTH0_AUDIENCE: required with AUTH0_DOMAIN (the audience of caller tokens)');
  if (!management || !values.AUTH0_AUDIENCE) return null;
  return { baseUrl: domain, audience: values.AUTH0_AUDIENCE, management };
}

function auth0Management(values: Environment, domain: string, problems: string[]): Auth0Config['management'] | null {
  const { AUTH0_CLIENT_ID: clientId, AUTH0_CLIENT_SECRET: clientSecret, AUTH0_MANAGEMENT_TOKEN: token } = values;
  // A fixed token was issued for some audience already: the setting would silently do nothing.
  if (token && values.AUTH0_MANAGEMENT_AUDIENCE) {
    problems.push('AUTH0_MANAGEMENT_AUDIENCE: only for the token asked with AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, not with AUTH0_MANAGEMENT_TOKEN');
  }
  // The contract offers the token instead of the client: with both, an operator could not tell which is used.
  if (token && (clientId || clientSecret)) {
    const client = [clientId && 'AUTH0_CLIENT_ID', clientSecret && 'AUTH0_CLIENT_SECRET'].filter(Boolean).join(' and ');
    problems.push(`AUTH0_MANAGEMENT_TOKEN: set together with ${client}; set either the token or the client, not both`);
    return null;
  }
  // Auth0's own default, right unless AUTH0_DOMAIN is a custom domain.
  if (clientId && clientSecret) return { clientId, clientSecret, audience: values.AUTH0_MANAGEMENT_AUDIENCE ?? `${domain}/api/v2/` };
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
