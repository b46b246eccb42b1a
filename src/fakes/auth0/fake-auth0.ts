/**
 * A faithful Auth0 tenant on loopback: the client-credentials token endpoint that issues
 * Management API tokens, the Management API routes the organizations provider reads (with
 * Auth0's offset paging, strict query validation, error bodies and rate-limit headers), and the
 * tenant's signing keys (JWKS) with a way to mint caller access tokens for the subgraph's API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { FakeServer, type Fault } from '../fake-server';
import { TokenVerdicts } from '../token-verdicts';

export interface Auth0Organization {
  /** `org_…`, at most 50 characters. */
  id: string;
  /** Lowercase, slug-like, 1..50 characters. */
  name: string;
  display_name?: string;
  branding?: { logo_url?: string; colors?: { primary: string; page_background: string } };
  metadata?: Record<string, string>;
}

export interface Auth0Role {
  id: string;
  name: string;
  description: string;
}

export interface Auth0Permission {
  permission_name: string;
  description: string;
  resource_server_name: string;
  resource_server_identifier: string;
}

export interface Auth0ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode?: string;
}

/** A token bucket per tenant, as Auth0 meters the Management API. */
export interface RateLimitPolicy {
  /** Bucket size, sent as `X-RateLimit-Limit`. */
  limit: number;
  /** Requests given back per second (must be > 0). */
  refillPerSecond: number;
}

export interface CallerTokenOptions {
  audience: string | string[];
  /** Space-separated, as Auth0 writes it. */
  scope?: string;
  /** What Auth0 adds when RBAC "Add Permissions in the Access Token" is on. */
  permissions?: string[];
  /** From now (default 3600); null writes no `exp`, which Auth0 never does. */
  expiresInSeconds?: number | null;
  /** Defaults to the tenant, `${url}/`; set it to mint a token from an unconfigured issuer. */
  issuer?: string;
  /** Defaults to the current signing key's id; set it to point at a key the JWKS lacks. */
  kid?: string;
  /**
   * Defaults to RS256. The other RSA algorithms (RS384, PS256, …) sign with the tenant's own
   * key, as a tenant whose API is set to sign with one would, so a verifier that refuses them
   * refuses their algorithm, not their signature; HS and ES algorithms sign with a throwaway key.
   */
  algorithm?: string;
  /** The client the token was issued to. */
  azp?: string;
}

export interface RateLimitedFaultOptions {
  /** When the bucket is full again, from now (default 1). */
  resetInSeconds?: number;
  /** Auth0 does not document `Retry-After`; send it only when a test asks. */
  retryAfterSeconds?: number;
  /** How many Management API requests get the 429 (default 1). */
  times?: number;
}

const SIGNING_ALGORITHM = 'RS256';
const MANAGEMENT_API_PATH = /^\/api\/v2\//;
/** Offset paging cannot reach past this many records (Auth0 refuses the request). */
const MAX_REACHABLE_RECORDS = 1000;
const DEFAULT_PER_PAGE = 50;
const DEFAULT_CALLER_CLIENT_ID = 'fakeAuth0SinglePageAppClient0001';
/** `X-RateLimit-Limit` sent with an injected 429; the real bucket's size is unknown to a static fault. */
const INJECTED_FAULT_LIMIT = 50;

function managementError(statusCode: number, message: string, errorCode?: string): Auth0ErrorBody {
  const body: Auth0ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (errorCode) body.errorCode = errorCode;
  return body;
}

/** The Management API's documented error bodies, for answers here and for assertions in tests. */
export const AUTH0_ERRORS = {
  invalidUri: managementError(400, 'invalid_request_uri', 'invalid_uri'),
  invalidQueryString: (message: string) => managementError(400, message, 'invalid_query_string'),
  missingAuthentication: managementError(401, 'Missing authentication'),
  invalidToken: managementError(401, 'Invalid token.'),
  invalidSignature: managementError(401, 'Invalid signature received for JSON Web Token validation.'),
  expiredToken: managementError(401, 'Expired token received for JSON Web Token validation.'),
  insufficientScope: (scope: string) =>
    managementError(403, `Insufficient scope; expected any of: ${scope}.`, 'insufficient_scope'),
  userNotFound: managementError(404, 'User not found', 'inexistent_user'),
  organizationNotFound: managementError(404, 'No organization found by that id or name', 'inexistent_organization'),
  roleNotFound: managementError(404, 'The role does not exist.', 'inexistent_role'),
  routeNotFound: managementError(404, 'Not Found'),
  tooManyRequests: managementError(
    429,
    'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
    'too_many_requests',
  ),
} as const;

/** Thrown anywhere while handling a request; the error handler answers with it as is. */
class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(`HTTP ${status}`);
  }
}

function oauthError(status: number, error: string, description: string): HttpAnswer {
  return new HttpAnswer(status, { error, error_description: description });
}

export class FakeAuth0 extends FakeServer {
  /** `expires_in` of the Management API tokens it issues; 0 issues tokens that are already expired. */
  tokenLifetimeSeconds = 86_400;
  /** Generous by default so ordinary tests never meet it; lower it to model a small plan. */
  rateLimit: RateLimitPolicy = { limit: 1000, refillPerSecond: 1000 };
  issuedManagementTokens = 0;

  private readonly organizations = new Map<string, Auth0Organization>();
  /** Organization id → member user id → the member's role ids. */
  private readonly members = new Map<string, Map<string, string[]>>();
  private readonly users = new Set<string>();
  private readonly roles = new Map<string, { role: Auth0Role; permissions: Auth0Permission[] }>();
  private readonly clients = new Map<string, { secret: string; scopes: string[] }>();
  /** Tokens issued and not revoked: a token the tenant never issued is refused. */
  private readonly liveManagementTokens = new Set<string>();
  /** Published keys, oldest first; the last one signs. */
  private readonly keys: { kid: string; privateKey: CryptoKey; publicJwk: JWK }[] = [];
  /** One key set for all verifications, so jose imports each published key once, not per request. */
  private publishedKeys = createLocalJWKSet({ keys: [] });
  private readonly managementTokenVerdicts = new TokenVerdicts<JWTPayload>();
  private readonly bucket = new TokenBucket();

  /** The `iss` of every token the tenant signs (note the trailing slash). */
  get issuer(): string {
    return `${this.url}/`;
  }

  /**
   * Set to model a tenant reached at a custom domain (this fake's URL): the tenant signs as the
   * domain its tokens were asked at, and is called there, but its Management API keeps the
   * canonical domain's identifier (`https://{canonicalDomain}/api/v2/`). Null: no custom domain.
   */
  canonicalDomain: string | null = null;

  /** The audience a Management API token must be requested for. */
  get managementAudience(): string {
    return this.canonicalDomain ? `https://${this.canonicalDomain}/api/v2/` : `${this.url}/api/v2/`;
  }

  override async start(port?: number, host?: string): Promise<string> {
    if (this.keys.length === 0) await this.rotateKey();
    return super.start(port, host);
  }

  addOrganization(organization: Auth0Organization): Auth0Organization {
    if (!/^org_[A-Za-z0-9]+$/.test(organization.id) || organization.id.length > 50) {
      throw new Error(`FakeAuth0: Auth0 would not issue the organization id ${organization.id}`);
    }
    if (!/^[a-z0-9](?:[a-z0-9_-]{0,48}[a-z0-9])?$/.test(organization.name)) {
      throw new Error(`FakeAuth0: Auth0 would refuse the organization name ${organization.name}`);
    }
    this.organizations.set(organization.id, organization);
    if (!this.members.has(organization.id)) this.members.set(organization.id, new Map());
    return organization;
  }

  addUser(userId: string): void {
    this.users.add(userId);
  }

  addRole(role: Auth0Role, permissions: Auth0Permission[] = []): Auth0Role {
    if (!role.id.startsWith('rol_')) throw new Error(`FakeAuth0: Auth0 would not issue the role id ${role.id}`);
    this.roles.set(role.id, { role, permissions });
    return role;
  }

  /** Makes the user a member of the organization, with these roles there. */
  addMember(organizationId: string, userId: string, roleIds: string[] = []): void {
    const members = this.members.get(organizationId);
    if (!members) throw new Error(`FakeAuth0: no organization ${organizationId}`);
    if (!this.users.has(userId)) throw new Error(`FakeAuth0: no user ${userId}`);
    const unknownRole = roleIds.find((id) => !this.roles.has(id));
    if (unknownRole) throw new Error(`FakeAuth0: no role ${unknownRole}`);
    members.set(userId, [...roleIds]);
  }

  /** A machine-to-machine application granted these Management API scopes. */
  addClient(clientId: string, secret: string, scopes: string[]): void {
    this.clients.set(clientId, { secret, scopes: [...scopes] });
  }

  /** Every Management API token issued so far is refused from now on (401 "Invalid token."). */
  revokeManagementTokens(): void {
    this.liveManagementTokens.clear();
  }

  /**
   * Signs with a new key and publishes it. Earlier keys stay published, as Auth0 keeps them
   * until they are revoked, unless `revokePrevious` drops them. Returns the new key id.
   */
  async rotateKey({ revokePrevious = false } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    if (revokePrevious) this.keys.length = 0;
    this.keys.push({ kid, privateKey, publicJwk: { ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' } });
    this.publishedKeys = createLocalJWKSet(this.jwks());
    this.managementTokenVerdicts.clear();
    return kid;
  }

  jwks(): JSONWebKeySet {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** An access token for the subgraph's own API, as the tenant would issue to a signed-in user. */
  async mintCallerToken(sub: string, options: CallerTokenOptions): Promise<string> {
    const iat = nowSeconds();
    const claims: JWTPayload = {
      iss: options.issuer ?? this.issuer,
      sub,
      aud: options.audience,
      iat,
      exp: options.expiresInSeconds === null ? undefined : iat + (options.expiresInSeconds ?? 3600),
      azp: options.azp ?? DEFAULT_CALLER_CLIENT_ID,
      scope: options.scope,
      permissions: options.permissions,
    };
    return this.sign(claims, options.algorithm, options.kid);
  }

  /** A 429 for the next Management API requests, with Auth0's body and rate-limit headers. */
  static rateLimited({ resetInSeconds = 1, retryAfterSeconds, times = 1 }: RateLimitedFaultOptions = {}): Fault {
    const headers = () => ({
      ...rateLimitHeaders(INJECTED_FAULT_LIMIT, 0, nowSeconds() + resetInSeconds),
      ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
    });
    return { path: MANAGEMENT_API_PATH, times, status: 429, body: AUTH0_ERRORS.tooManyRequests, headers };
  }

  protected routes(app: FastifyInstance): void {
    app.setErrorHandler((error, _request, reply) =>
      error instanceof HttpAnswer ? reply.code(error.status).send(error.body) : reply.send(error),
    );
    // Auth0's router answers unknown paths (e.g. an unencoded `/` inside a user id) like this.
    app.setNotFoundHandler((_request, reply) => reply.code(404).send(AUTH0_ERRORS.routeNotFound));
    app.post('/oauth/token', async (request) => this.grantManagementToken(request));
    app.get('/.well-known/jwks.json', async () => this.jwks());
    app.register(async (api) => this.managementApi(api), { prefix: '/api/v2' });
  }

  private managementApi(api: FastifyInstance): void {
    api.addHook('onRequest', async (_request, reply) => this.meter(reply));
    this.listRoute<{ id: string }>(api, '/users/:id/organizations', 'read:organizations', 'organizations', ({ id }) =>
      this.organizationsOf(id),
    );
    this.listRoute<{ id: string; userId: string }>(
      api,
      '/organizations/:id/members/:userId/roles',
      'read:organization_member_roles',
      'roles',
      ({ id, userId }) => this.rolesOf(id, userId),
    );
    this.listRoute<{ id: string }>(api, '/roles/:id/permissions', 'read:roles', 'permissions', ({ id }) =>
      this.roleEntry(id).permissions,
    );
    this.managementRoute<{ id: string }>(api, '/organizations/:id', 'read:organizations', ({ id }, query) => {
      rejectUnknownParams(query, []);
      return this.organization(id);
    });
  }

  /** A paged list route: validates `page`/`per_page`/`include_totals`, then slices `items`. */
  private listRoute<P extends Record<string, string>>(
    api: FastifyInstance,
    path: string,
    scope: string,
    totalsKey: string,
    items: (params: P) => readonly unknown[],
  ): void {
    this.managementRoute<P>(api, path, scope, (params, query) => {
      const paging = parsePaging(query);
      return paginate(items(params), paging, totalsKey);
    });
  }

  /** A Management API GET route: token and scope first, then the path, then the handler. */
  private managementRoute<P extends Record<string, string>>(
    api: FastifyInstance,
    path: string,
    scope: string,
    handler: (params: P, query: URLSearchParams) => unknown,
  ): void {
    api.get<{ Params: Record<string, string> }>(path, async (request) => {
      await this.authorize(request.headers.authorization, scope);
      // The router has percent-decoded each segment once; an empty one is not a valid path.
      if (Object.values(request.params).some((value) => value === '')) {
        throw new HttpAnswer(400, AUTH0_ERRORS.invalidUri);
      }
      // `path` names exactly P's parameters, so the router fills each of them.
      return handler(request.params as P, rawQuery(request));
    });
  }

  /** Spends one request from the tenant's bucket and says so in the headers, as Auth0 does. */
  private meter(reply: FastifyReply): FastifyReply | undefined {
    const { allowed, remaining, resetEpochSeconds } = this.bucket.take(this.rateLimit);
    reply.headers(rateLimitHeaders(this.rateLimit.limit, remaining, resetEpochSeconds));
    if (!allowed) return reply.code(429).send(AUTH0_ERRORS.tooManyRequests);
    return undefined;
  }

  private async authorize(authorization: string | undefined, scope: string): Promise<void> {
    const claims = await this.verifyManagementToken(bearerToken(authorization));
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!granted.includes(scope)) throw new HttpAnswer(403, AUTH0_ERRORS.insufficientScope(scope));
  }

  private async verifyManagementToken(token: string): Promise<JWTPayload> {
    const payload = await this.managementTokenVerdicts.verify(token, async () => {
      const { payload: claims } = await jwtVerify(token, this.publishedKeys, {
        issuer: this.issuer,
        audience: this.managementAudience,
        algorithms: [SIGNING_ALGORITHM],
      }).catch((error: unknown) => {
        throw tokenRejection(error);
      });
      return { value: claims, exp: claims.exp };
    });
    if (!this.liveManagementTokens.has(token)) throw new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
    return payload;
  }

  private async grantManagementToken(request: FastifyRequest): Promise<object> {
    const grantType = field(request.body, 'grant_type');
    if (grantType === undefined) throw oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== 'client_credentials') {
      throw oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    }
    const { clientId, scopes } = this.authenticateClient(request.body);
    const audience = field(request.body, 'audience');
    if (audience === undefined) {
      throw oauthError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    }
    if (audience !== this.managementAudience) {
      throw oauthError(403, 'access_denied', `Service not enabled within domain: ${audience}`);
    }
    return this.issueManagementToken(clientId, scopes);
  }

  /** Client credentials in the body (`client_secret_post`), as the official SDK sends them. */
  private authenticateClient(body: unknown): { clientId: string; scopes: string[] } {
    const clientId = field(body, 'client_id');
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (clientId === undefined || !client || client.secret !== field(body, 'client_secret')) {
      throw oauthError(401, 'access_denied', 'Unauthorized');
    }
    return { clientId, scopes: client.scopes };
  }

  private async issueManagementToken(clientId: string, scopes: string[]): Promise<object> {
    const iat = nowSeconds();
    const scope = scopes.join(' ');
    const token = await this.sign({
      iss: this.issuer,
      sub: `${clientId}@clients`,
      aud: this.managementAudience,
      iat,
      exp: iat + this.tokenLifetimeSeconds,
      scope,
      gty: 'client-credentials',
      azp: clientId,
    });
    this.liveManagementTokens.add(token);
    this.issuedManagementTokens += 1;
    return { access_token: token, expires_in: this.tokenLifetimeSeconds, scope, token_type: 'Bearer' };
  }

  private async sign(claims: JWTPayload, algorithm = SIGNING_ALGORITHM, kid?: string): Promise<string> {
    const current = this.keys.at(-1);
    if (!current) throw new Error('FakeAuth0 has no signing key until it is started');
    const key = algorithm === SIGNING_ALGORITHM ? current.privateKey : await signingKey(current.privateKey, algorithm);
    return new SignJWT(claims).setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: kid ?? current.kid }).sign(key);
  }

  /** Auth0 lists a user's organizations ordered by organization id. */
  private organizationsOf(userId: string): Auth0Organization[] {
    if (!this.users.has(userId)) throw new HttpAnswer(404, AUTH0_ERRORS.userNotFound);
    return [...this.organizations.values()].filter((org) => this.membersOf(org.id).has(userId)).sort(byId);
  }

  /** A user who is not a member has no roles there: an empty list, not an error. */
  private rolesOf(organizationId: string, userId: string): Auth0Role[] {
    const roleIds = this.membersOf(organizationId).get(userId) ?? [];
    return roleIds.map((id) => this.roleEntry(id).role).sort(byId);
  }

  private organization(id: string): Auth0Organization {
    const organization = this.organizations.get(id);
    if (!organization) throw new HttpAnswer(404, AUTH0_ERRORS.organizationNotFound);
    return organization;
  }

  private membersOf(organizationId: string): Map<string, string[]> {
    const members = this.members.get(organizationId);
    if (!members) throw new HttpAnswer(404, AUTH0_ERRORS.organizationNotFound);
    return members;
  }

  private roleEntry(id: string): { role: Auth0Role; permissions: Auth0Permission[] } {
    const entry = this.roles.get(id);
    if (!entry) throw new HttpAnswer(404, AUTH0_ERRORS.roleNotFound);
    return entry;
  }
}

/** Auth0's per-tenant bucket: each request takes one; it refills continuously. */
class TokenBucket {
  private tokens = Number.POSITIVE_INFINITY;
  private updatedAt = Date.now();

  take(policy: RateLimitPolicy): { allowed: boolean; remaining: number; resetEpochSeconds: number } {
    const now = Date.now();
    // Clamping to the policy's limit also applies a policy a test has just lowered.
    this.tokens = Math.min(policy.limit, this.tokens + ((now - this.updatedAt) / 1000) * policy.refillPerSecond);
    this.updatedAt = now;
    const allowed = this.tokens >= 1;
    if (allowed) this.tokens -= 1;
    const secondsUntilFull = (policy.limit - this.tokens) / policy.refillPerSecond;
    return { allowed, remaining: Math.floor(this.tokens), resetEpochSeconds: Math.ceil(now / 1000 + secondsUntilFull) };
  }
}

interface Paging {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

interface IntegerParam {
  name: string;
  minimum: number;
  maximum: number;
  description: string;
}

/** Auth0 names each property in its validation messages by its documented description. */
const PAGE: IntegerParam = {
  name: 'page',
  minimum: 0,
  maximum: 1000,
  description: 'Page index of the results to return. First page is 0.',
};
const PER_PAGE: IntegerParam = {
  name: 'per_page',
  minimum: 1,
  maximum: 100,
  description: 'Number of results per page. Defaults to 50.',
};
const INCLUDE_TOTALS = {
  name: 'include_totals',
  description:
    'Return results inside an object that contains the total result count (true) or as a direct array of results (false, default).',
};
const PAGING_PARAMS = [PAGE.name, PER_PAGE.name, INCLUDE_TOTALS.name];

function parsePaging(query: URLSearchParams): Paging {
  rejectUnknownParams(query, PAGING_PARAMS);
  const paging = {
    page: integerParam(query, PAGE) ?? 0,
    perPage: integerParam(query, PER_PAGE) ?? DEFAULT_PER_PAGE,
    includeTotals: booleanParam(query, INCLUDE_TOTALS.name, INCLUDE_TOTALS.description) ?? false,
  };
  if ((paging.page + 1) * paging.perPage > MAX_REACHABLE_RECORDS) {
    throw new HttpAnswer(
      400,
      AUTH0_ERRORS.invalidQueryString(
        `You can only page through the first ${MAX_REACHABLE_RECORDS} records: (page + 1) * per_page must not exceed ${MAX_REACHABLE_RECORDS}.`,
      ),
    );
  }
  return paging;
}

/** `include_totals=false`: the bare array; `true`: `{start, limit, total, <totalsKey>}`. */
function paginate(items: readonly unknown[], paging: Paging, totalsKey: string): unknown {
  const start = paging.page * paging.perPage;
  const slice = items.slice(start, start + paging.perPage);
  return paging.includeTotals ? { start, limit: paging.perPage, total: items.length, [totalsKey]: slice } : slice;
}

function rejectUnknownParams(query: URLSearchParams, allowed: readonly string[]): void {
  const unknown = [...query.keys()].find((name) => !allowed.includes(name));
  if (unknown !== undefined) throw queryError(`Additional properties not allowed: ${unknown}`, 'query', 'Query parameters');
}

function integerParam(query: URLSearchParams, param: IntegerParam): number | undefined {
  const raw = singleValue(query, param.name, 'integer', param.description);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    throw queryError(`Expected type integer but found type ${jsonTypeOf(raw)}`, param.name, param.description);
  }
  const value = Number(raw);
  if (value < param.minimum) {
    throw queryError(`Value ${value} is less than minimum ${param.minimum}`, param.name, param.description);
  }
  if (value > param.maximum) {
    throw queryError(`Value ${value} is greater than maximum ${param.maximum}`, param.name, param.description);
  }
  return value;
}

function booleanParam(query: URLSearchParams, name: string, description: string): boolean | undefined {
  const raw = singleValue(query, name, 'boolean', description);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') {
    throw queryError(`Expected type boolean but found type ${jsonTypeOf(raw)}`, name, description);
  }
  return raw === 'true';
}

/** A repeated parameter arrives as an array, which no paging parameter accepts. */
function singleValue(query: URLSearchParams, name: string, type: string, description: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw queryError(`Expected type ${type} but found type array`, name, description);
  return values[0];
}

/** How Auth0's validator, after coercing the query string, names a value it cannot use. */
function jsonTypeOf(raw: string): string {
  return raw.trim() !== '' && Number.isFinite(Number(raw)) ? 'number' : 'string';
}

function queryError(problem: string, property: string, description: string): HttpAnswer {
  return new HttpAnswer(
    400,
    AUTH0_ERRORS.invalidQueryString(`Query validation error: '${problem}' on property ${property} (${description})`),
  );
}

/** The query exactly as sent (Fastify's parsed one would hide repeated or odd parameters). */
function rawQuery(request: FastifyRequest): URLSearchParams {
  const rawUrl = request.raw.url ?? '';
  const queryStart = rawUrl.indexOf('?');
  return new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new HttpAnswer(401, AUTH0_ERRORS.missingAuthentication);
  const token = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
  if (!token) throw new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
  return token;
}

function tokenRejection(error: unknown): HttpAnswer {
  if (error instanceof joseErrors.JWTExpired) return new HttpAnswer(401, AUTH0_ERRORS.expiredToken);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new HttpAnswer(401, AUTH0_ERRORS.invalidSignature);
  }
  return new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
}

/** A form field or JSON property of the token request, when it is a single string. */
function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The tenant's RSA key for another RSA algorithm (a CryptoKey is bound to one); for any other
 * family, a key no one publishes.
 */
async function signingKey(tenantKey: CryptoKey, algorithm: string): Promise<CryptoKey | Uint8Array> {
  if (/^(RS|PS)\d{3}$/.test(algorithm)) return (await importJWK(await exportJWK(tenantKey), algorithm)) as CryptoKey;
  if (algorithm.startsWith('HS')) return generateSecret(algorithm);
  return (await generateKeyPair(algorithm)).privateKey;
}

function rateLimitHeaders(limit: number, remaining: number, resetEpochSeconds: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(resetEpochSeconds),
  };
}

function byId(a: { id: string }, b: { id: string }): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
