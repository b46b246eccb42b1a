import { ConfigError, loadConfig } from '../src/config';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('defaults to the demo outside production when no provider is configured', () => {
    expect(loadConfig({})).toEqual({
      port: 4001,
      host: '0.0.0.0',
      production: false,
      logLevel: 'info',
      upstreamTimeoutMs: 5000,
      resilience: { maxRetries: 2, budgetMs: 10_000, concurrency: 50, breakerThreshold: 5, halfOpenAfterMs: 10_000 },
      membershipCacheTtlSeconds: 0,
      rolePermissionsCacheTtlSeconds: 60,
      shutdownDelayMs: 0,
      graphqlCompileAfterRuns: 1,
      maxRepresentations: 100,
      auth0: null,
      cloudFoundry: null,
      wacht: null,
      demo: true,
    });
  });

  it('reads every provider', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      UPSTREAM_TIMEOUT_MS: '2500',
      UPSTREAM_MAX_RETRIES: '1',
      UPSTREAM_RETRY_BUDGET_MS: '4000',
      UPSTREAM_CONCURRENCY: '8',
      UPSTREAM_BREAKER_THRESHOLD: '3',
      UPSTREAM_BREAKER_COOLDOWN_MS: '30000',
      MEMBERSHIP_CACHE_TTL_SECONDS: '30',
      ROLE_PERMISSIONS_CACHE_TTL_SECONDS: '0',
      SHUTDOWN_DELAY_MS: '1500',
      GRAPHQL_COMPILE_AFTER_RUNS: '3',
      MAX_REPRESENTATIONS: '250',
      AUTH0_DOMAIN: 'travel0.us.auth0.com',
      AUTH0_CLIENT_ID: 'client',
      AUTH0_CLIENT_SECRET: 'secret',
      AUTH0_AUDIENCE: 'https://api.example.com',
      CF_API_URL: 'https://api.cf.example.com/',
      CF_CLIENT_ID: 'cf-client',
      CF_CLIENT_SECRET: 'cf-secret',
      CF_AUDIENCE: 'cloud_controller',
      WACHT_FRONTEND_API_URL: 'https://frontend.wacht.example/',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      production: true,
      logLevel: 'warn',
      upstreamTimeoutMs: 2500,
      resilience: { maxRetries: 1, budgetMs: 4000, concurrency: 8, breakerThreshold: 3, halfOpenAfterMs: 30_000 },
      membershipCacheTtlSeconds: 30,
      rolePermissionsCacheTtlSeconds: 0,
      shutdownDelayMs: 1500,
      graphqlCompileAfterRuns: 3,
      maxRepresentations: 250,
      auth0: {
        baseUrl: 'https://travel0.us.auth0.com',
        audience: 'https://api.example.com',
        management: { clientId: 'client', clientSecret: 'secret', audience: 'https://travel0.us.auth0.com/api/v2/' },
      },
      cloudFoundry: {
        apiUrl: 'https://api.cf.example.com',
        client: { id: 'cf-client', secret: 'cf-secret' },
        audience: 'cloud_controller',
      },
      wacht: { frontendApiUrl: 'https://frontend.wacht.example' },
      demo: false,
    });
  });

  it('takes an Auth0 base URL and a fixed management token; CF without a client or an audience', () => {
    const config = loadConfig({
      AUTH0_DOMAIN: 'http://127.0.0.1:9001',
      AUTH0_MANAGEMENT_TOKEN: 'token',
      AUTH0_AUDIENCE: 'aud',
      CF_API_URL: 'http://127.0.0.1:9002',
    });
    expect(config.auth0).toEqual({ baseUrl: 'http://127.0.0.1:9001', audience: 'aud', management: { token: 'token' } });
    expect(config.cloudFoundry).toEqual({ apiUrl: 'http://127.0.0.1:9002', client: null, audience: null });
    expect(config.demo).toBe(false);
  });

  it.each([
    ['https://travel0.us.auth0.com/api/v2/', 'https://travel0.us.auth0.com/api/v2/'],
    ['https://travel0.us.auth0.com/api/v2', 'https://travel0.us.auth0.com/api/v2/'],
    [' HTTPS://Travel0.EU.Auth0.com:443/api/v2/ ', 'https://travel0.eu.auth0.com/api/v2/'],
  ])('asks the Management API token for AUTH0_MANAGEMENT_AUDIENCE=%j (a custom domain as AUTH0_DOMAIN) as %j', (value, expected) => {
    const config = loadConfig({
      AUTH0_DOMAIN: 'login.travel0.com',
      AUTH0_CLIENT_ID: 'client',
      AUTH0_CLIENT_SECRET: 'secret',
      AUTH0_AUDIENCE: 'https://api.example.com',
      AUTH0_MANAGEMENT_AUDIENCE: value,
    });
    expect(config.auth0).toEqual({
      baseUrl: 'https://login.travel0.com',
      audience: 'https://api.example.com',
      management: { clientId: 'client', clientSecret: 'secret', audience: expected },
    });
  });

  it.each(['https://a.auth0.com/', 'https://a.auth0.com/api/v2/users', 'https://u:p@a.auth0.com/api/v2/', 'https://a.auth0.com/api/v2/?x', 'a.auth0.com/api/v2/'])(
    'refuses AUTH0_MANAGEMENT_AUDIENCE=%j: not a Management API identifier',
    (value) => {
      expect(problems({ AUTH0_MANAGEMENT_AUDIENCE: value })).toEqual([
        'AUTH0_MANAGEMENT_AUDIENCE: must be the Management API identifier, https://{tenant}.auth0.com/api/v2/',
      ]);
    },
  );

  it.each([
    ['never', null],
    ['0', 0],
    [' 2 ', 2],
    ['', 1],
  ])('reads GRAPHQL_COMPILE_AFTER_RUNS=%j as %j', (value, expected) => {
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER_RUNS: value }).graphqlCompileAfterRuns).toBe(expected);
  });

  it.each([
    [{ NODE_ENV: 'production' }, ['no identity provider: set AUTH0_DOMAIN, CF_API_URL or WACHT_FRONTEND_API_URL']],
    [{ PORT: 'eighty' }, [expect.stringMatching(/^PORT: /)]],
    [{ SHUTDOWN_DELAY_MS: 'soon' }, ['SHUTDOWN_DELAY_MS: must be a whole number from 0 to 120000']],
    [{ PORT: '70000' }, [expect.stringMatching(/^PORT: /)]],
    [{ GRAPHQL_COMPILE_AFTER_RUNS: '-1' }, ["GRAPHQL_COMPILE_AFTER_RUNS: must be a whole number of runs (0 to 999999) or 'never'"]],
    [{ GRAPHQL_COMPILE_AFTER_RUNS: '1e3' }, ["GRAPHQL_COMPILE_AFTER_RUNS: must be a whole number of runs (0 to 999999) or 'never'"]],
    [{ UPSTREAM_TIMEOUT_MS: '0' }, [expect.stringMatching(/^UPSTREAM_TIMEOUT_MS: /)]],
    [{ MAX_REPRESENTATIONS: '0' }, [expect.stringMatching(/^MAX_REPRESENTATIONS: /)]],
    [{ LOG_LEVEL: 'loud' }, ['LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent']],
    [{ HOST: 'not a host' }, ['HOST: must be an IP address or a host name']],
    [{ HOST: 'http://0.0.0.0' }, ['HOST: must be an IP address or a host name']],
    [{ HOST: '999.1.1.1' }, ['HOST: must be an IP address or a host name']],
    [{ HOST: '10.0.0' }, ['HOST: must be an IP address or a host name']],
    [{ CF_API_URL: 'ftp://cf.example' }, ['CF_API_URL: must be an http(s) URL']],
    [{ WACHT_FRONTEND_API_URL: 'not a url' }, ['WACHT_FRONTEND_API_URL: must be an http(s) URL']],
    [{ AUTH0_DOMAIN: 'bad domain!' }, ['AUTH0_DOMAIN: must be a tenant host or an http(s) base URL']],
    [{ AUTH0_DOMAIN: 'a.auth0.com', AUTH0_AUDIENCE: 'x' }, [expect.stringMatching(/^AUTH0_CLIENT_ID: required/)]],
    [{ AUTH0_DOMAIN: 'a.auth0.com', AUTH0_CLIENT_ID: 'id', AUTH0_AUDIENCE: 'x' }, ['AUTH0_CLIENT_SECRET: required with AUTH0_CLIENT_ID']],
    [{ AUTH0_DOMAIN: 'a.auth0.com', AUTH0_MANAGEMENT_TOKEN: 't' }, [expect.stringMatching(/^AUTH0_AUDIENCE: required/)]],
    [{ AUTH0_CLIENT_SECRET: 's' }, ['AUTH0_CLIENT_SECRET: is set but AUTH0_DOMAIN is not']],
    [{ AUTH0_MANAGEMENT_AUDIENCE: 'https://a.auth0.com/api/v2/' }, ['AUTH0_MANAGEMENT_AUDIENCE: is set but AUTH0_DOMAIN is not']],
    [
      { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_MANAGEMENT_TOKEN: 't', AUTH0_MANAGEMENT_AUDIENCE: 'https://a.auth0.com/api/v2/', AUTH0_AUDIENCE: 'x' },
      ['AUTH0_MANAGEMENT_AUDIENCE: only for the token asked with AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, not with AUTH0_MANAGEMENT_TOKEN'],
    ],
    [
      { AUTH0_DOMAIN: 'a.auth0.com', AUTH0_MANAGEMENT_TOKEN: 't', AUTH0_CLIENT_ID: 'id', AUTH0_MANAGEMENT_AUDIENCE: 'https://a.auth0.com/api/v2/', AUTH0_AUDIENCE: 'x' },
      [
        'AUTH0_MANAGEMENT_AUDIENCE: only for the token asked with AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, not with AUTH0_MANAGEMENT_TOKEN',
        'AUTH0_MANAGEMENT_TOKEN: set together with AUTH0_CLIENT_ID; set either the token or the client, not both',
      ],
    ],
    [{ CF_API_URL: 'https://cf.example', CF_CLIENT_ID: 'id' }, ['CF_CLIENT_SECRET: required with CF_CLIENT_ID']],
    [{ CF_AUDIENCE: 'cloud_controller' }, ['CF_AUDIENCE: is set but CF_API_URL is not']],
  ])('refuses %j with one line naming the variable', (env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT: must be between 0 and 65535'],
    [{ PORT: '-1' }, 'PORT: must be a whole number from 0 to 65535'],
    [{ PORT: '99999999999999999999999' }, 'PORT: must be between 0 and 65535'],
    [{ UPSTREAM_MAX_RETRIES: '6' }, 'UPSTREAM_MAX_RETRIES: must be between 0 and 5'],
    [{ UPSTREAM_TIMEOUT_MS: '0' }, 'UPSTREAM_TIMEOUT_MS: must be between 1 and 120000'],
    [{ SHUTDOWN_DELAY_MS: '120001' }, 'SHUTDOWN_DELAY_MS: must be between 0 and 120000'],
  ])('says the allowed range when %j is out of it', (env, expected) => {
    expect(problems(env)).toEqual([expected]);
  });

  it.each(['0x10', '1e3', '+80', '80.0', '8 0', '0b1', 'Infinity'])('takes only digits for a whole number: refuses PORT=%j', (value) => {
    expect(problems({ PORT: value })).toEqual(['PORT: must be a whole number from 0 to 65535']);
    expect(problems({ SHUTDOWN_DELAY_MS: value })).toEqual(['SHUTDOWN_DELAY_MS: must be a whole number from 0 to 120000']);
  });

  it('says every value that is wrong at once, the shutdown delay among them', () => {
    expect(problems({ SHUTDOWN_DELAY_MS: '1e3', PORT: 'x', LOG_LEVEL: 'loud' })).toEqual([
      'PORT: must be a whole number from 0 to 65535',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'SHUTDOWN_DELAY_MS: must be a whole number from 0 to 120000',
    ]);
  });

  it.each([
    ['', 'info'],
    ['  ', 'info'],
    [' debug ', 'debug'],
    ['WARN', 'warn'],
  ])('reads LOG_LEVEL=%j as %j, as it reads every other setting (trimmed, empty is unset)', (value, level) => {
    expect(loadConfig({ LOG_LEVEL: value }).logLevel).toBe(level);
  });

  it.each([
    ['', '0.0.0.0'],
    ['::', '::'],
    [' 127.0.0.1 ', '127.0.0.1'],
    ['fe80::1', 'fe80::1'],
    ['subgraph.internal', 'subgraph.internal'],
    ['subgraph.internal.', 'subgraph.internal.'],
    ['my_service', 'my_service'],
    ['localhost', 'localhost'],
  ])('listens on HOST=%j as %j', (value, host) => {
    expect(loadConfig({ HOST: value }).host).toBe(host);
  });

  it('keeps the shutdown delay off outside production and 5 s in it, unless set', () => {
    const production = { NODE_ENV: 'production', WACHT_FRONTEND_API_URL: 'https://w.example' };
    expect([loadConfig({}).shutdownDelayMs, loadConfig(production).shutdownDelayMs]).toEqual([0, 5000]);
    expect(loadConfig({ ...production, SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).toBe(0);
  });

  it('reads whole numbers with surrounding space and leading zeros', () => {
    expect(loadConfig({ PORT: ' 08080 ', SHUTDOWN_DELAY_MS: ' 0100 ' })).toMatchObject({ port: 8080, shutdownDelayMs: 100 });
  });

  it.each([
    [{ AUTH0_DOMAIN: 't.example:99999' }, 'AUTH0_DOMAIN: port must be between 1 and 65535'],
    [{ AUTH0_DOMAIN: 't.example:0' }, 'AUTH0_DOMAIN: port must be between 1 and 65535'],
    [{ AUTH0_DOMAIN: 'http://127.0.0.1:65536' }, 'AUTH0_DOMAIN: port must be between 1 and 65535'],
    [{ AUTH0_DOMAIN: 'https://t.example?tenant=1' }, 'AUTH0_DOMAIN: must be a tenant host or an http(s) base URL'],
    [{ AUTH0_DOMAIN: 'https://t.example/?' }, 'AUTH0_DOMAIN: must be a tenant host or an http(s) base URL'],
    [{ AUTH0_DOMAIN: 'https://user@t.example' }, 'AUTH0_DOMAIN: must be a tenant host or an http(s) base URL'],
    [{ AUTH0_DOMAIN: 'ftp://t.example' }, 'AUTH0_DOMAIN: must be a tenant host or an http(s) base URL'],
    [{ CF_API_URL: 'https://cf.example:99999' }, 'CF_API_URL: port must be between 1 and 65535'],
    [{ CF_API_URL: 'http://cf.example:0/' }, 'CF_API_URL: port must be between 1 and 65535'],
    [{ CF_API_URL: 'https://cf.example/?space=1' }, 'CF_API_URL: must be a base URL without credentials, query or fragment'],
    [{ CF_API_URL: 'https://admin:pw@cf.example' }, 'CF_API_URL: must be a base URL without credentials, query or fragment'],
    [{ WACHT_FRONTEND_API_URL: 'https://w.example:0' }, 'WACHT_FRONTEND_API_URL: port must be between 1 and 65535'],
    [{ WACHT_FRONTEND_API_URL: 'https://w.example/#me' }, 'WACHT_FRONTEND_API_URL: must be a base URL without credentials, query or fragment'],
    [{ CF_API_URL: 'https://cf.example/?' }, 'CF_API_URL: must be a base URL without credentials, query or fragment'],
    [{ WACHT_FRONTEND_API_URL: 'https://w.example#' }, 'WACHT_FRONTEND_API_URL: must be a base URL without credentials, query or fragment'],
    [{ CF_API_URL: 'http:cf.example' }, 'CF_API_URL: must be an http(s) URL'],
  ])('checks the URL in %j at start-up, naming the variable', (env, expected) => {
    expect(problems(env)).toEqual([expected]);
  });

  it('takes a URL port from 1 to 65535', () => {
    const config = loadConfig({
      AUTH0_DOMAIN: 't.example:65535',
      AUTH0_MANAGEMENT_TOKEN: 'token',
      AUTH0_AUDIENCE: 'aud',
      CF_API_URL: 'https://cf.example:1/api/',
      WACHT_FRONTEND_API_URL: 'http://[::1]:9003',
    });
    expect(config.auth0?.baseUrl).toBe('https://t.example:65535');
    expect(config.cloudFoundry?.apiUrl).toBe('https://cf.example:1/api');
    expect(config.wacht?.frontendApiUrl).toBe('http://[::1]:9003');
  });

  it('reads an Auth0 base URL as its origin, as the issuer of its tokens is written', () => {
    const config = loadConfig({ AUTH0_DOMAIN: 'HTTPS://Travel0.US.auth0.com:443/', AUTH0_MANAGEMENT_TOKEN: 'token', AUTH0_AUDIENCE: 'aud' });
    expect(config.auth0?.baseUrl).toBe('https://travel0.us.auth0.com');
  });

  it.each([
    [
      { NODE_ENV: 'production', AUTH0_DOMAIN: 't.example' },
      [
        'AUTH0_CLIENT_ID: required with AUTH0_DOMAIN (with AUTH0_CLIENT_SECRET), or set AUTH0_MANAGEMENT_TOKEN',
        'AUTH0_AUDIENCE: required with AUTH0_DOMAIN (the audience of caller tokens)',
      ],
    ],
    [{ NODE_ENV: 'production', AUTH0_AUDIENCE: 'aud' }, ['AUTH0_AUDIENCE: is set but AUTH0_DOMAIN is not']],
    [
      { NODE_ENV: 'production', CF_CLIENT_ID: 'id' },
      ['CF_CLIENT_SECRET: required with CF_CLIENT_ID', 'CF_API_URL: required with CF_CLIENT_ID and CF_CLIENT_SECRET'],
    ],
  ])('says only what is missing when a provider is partly configured in production: %j', (env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it.each([
    [{ AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_SECRET: 'client-secret-value' }, 'AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET'],
    [{ AUTH0_CLIENT_ID: 'id' }, 'AUTH0_CLIENT_ID'],
    [{ AUTH0_CLIENT_SECRET: 'client-secret-value' }, 'AUTH0_CLIENT_SECRET'],
  ])('refuses AUTH0_MANAGEMENT_TOKEN together with %j: either the token or the client, not both', (client, named) => {
    const env = { AUTH0_DOMAIN: 't.example', AUTH0_AUDIENCE: 'aud', AUTH0_MANAGEMENT_TOKEN: 'management-token-value', ...client };
    const lines = problems(env);
    expect(lines).toEqual([`AUTH0_MANAGEMENT_TOKEN: set together with ${named}; set either the token or the client, not both`]);
    expect(lines.join('\n')).not.toMatch(/management-token-value|client-secret-value/);
  });

  it('never repeats a secret value in its messages', () => {
    const error = (() => {
      try {
        return loadConfig({ AUTH0_CLIENT_SECRET: 'super-secret-value', UPSTREAM_TIMEOUT_MS: 'super-secret-value' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('super-secret-value');
  });

  const auth0 = { AUTH0_DOMAIN: 'travel0.us.auth0.com', AUTH0_CLIENT_ID: 'c', AUTH0_CLIENT_SECRET: 's', AUTH0_AUDIENCE: 'https://api.example.com' };

  it('runs the demo only when no provider is configured: one alone is enough', () => {
    expect(loadConfig(auth0).demo).toBe(false);
    expect(loadConfig({ CF_API_URL: 'https://api.cf.example' }).demo).toBe(false);
    expect(loadConfig({ WACHT_FRONTEND_API_URL: 'https://w.example' }).demo).toBe(false);
  });

  it.each(['my_tenant.auth0.com', 'travel0.us.auth0.com_', 'https://travel0.us.auth0.com/api'])(
    'refuses AUTH0_DOMAIN=%j: a tenant host, or a base URL with nothing after the host',
    (domain) => {
      expect(problems({ ...auth0, AUTH0_DOMAIN: domain })).toEqual(['AUTH0_DOMAIN: must be a tenant host or an http(s) base URL']);
    },
  );

  it.each([
    ['ws://api.cf.example/http://x', 'CF_API_URL: must be an http(s) URL'],
    ['https://admin@api.cf.example', 'CF_API_URL: must be a base URL without credentials, query or fragment'],
  ])('refuses CF_API_URL=%j', (url, problem) => {
    expect(problems({ CF_API_URL: url })).toEqual([problem]);
  });

  it('drops every trailing slash of a base URL (paths are appended to it)', () => {
    expect(loadConfig({ CF_API_URL: 'https://api.cf.example/v2//' }).cloudFoundry!.apiUrl).toBe('https://api.cf.example/v2');
  });

  it('reads GRAPHQL_COMPILE_AFTER_RUNS up to 999999', () => {
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER_RUNS: '25' }).graphqlCompileAfterRuns).toBe(25);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER_RUNS: '999999' }).graphqlCompileAfterRuns).toBe(999_999);
    expect(problems({ GRAPHQL_COMPILE_AFTER_RUNS: '1000000' })).toHaveLength(1);
  });

  it.each(['x', 'db1', 'a.b.svc', '12ab', 'a1b'])('takes HOST=%j as it is', (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('refuses a HOST longer than a host name can be', () => {
    expect(problems({ HOST: `${`${'a'.repeat(63)}.`.repeat(4)}abc` })).toEqual(['HOST: must be an IP address or a host name']);
  });

  it('says each problem on a line of its own', () => {
    expect(new ConfigError(['A: x', 'B: y']).message).toBe('Invalid configuration: A: x\nInvalid configuration: B: y');
  });
});
