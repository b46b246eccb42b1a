/**
 * A Cloud Controller v2 and its UAA on one loopback server (the UAA under `/uaa`), faithful to
 * what the subgraph relies on: the user's organization lists with `q`, paging and order,
 * `GET /v2/organizations/:guid`, `/v2/info` discovery, bearer-token checks with Cloud
 * Controller's error bodies, client-credentials tokens and the token keys. Tokens are real
 * RS256 JWTs signed with a key pair the fake makes for itself.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  SignJWT,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { FakeServer, type Fault } from '../fake-server';
import { TokenVerdicts } from '../token-verdicts';
import {
  CloudControllerError,
  codeUnitOrder,
  matches,
  parseQ,
  type AssociationKey,
  type Collation,
} from './q-parser';

/** nginx's default header buffer, which a request line must fit. */
const NGINX_REQUEST_LINE_BYTES = 8 * 1024;
const NGINX_URI_TOO_LARGE =
  '<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export type OrganizationStatus = 'active' | 'suspended' | 'deleting';
export type OrganizationRole = 'user' | 'manager' | 'billing_manager' | 'auditor';

export interface CfOrganization {
  guid: string;
  name: string;
  status: OrganizationStatus;
  created_at: string;
  /** Null for a row never updated since it was created. */
  updated_at: string | null;
  billing_enabled: boolean;
  quota_definition_guid: string;
  default_isolation_segment_guid: string | null;
}

export type NewOrganization = Partial<CfOrganization> & Pick<CfOrganization, 'name'>;

export interface UserTokenOptions {
  scopes?: string[];
  /** Negative for a token that has already expired. */
  expiresInSeconds?: number;
  /** A `kid` header other than the signing key's, e.g. one the UAA does not list. */
  kid?: string;
  /** An `iss` other than this UAA's. */
  issuer?: string;
  /** The user's refresh token instead (UAA's JWT refresh tokens: a `jti` ending in `-r`). */
  refresh?: boolean;
}

/** UAA marks its JWT refresh tokens so: Cloud Controller takes only access tokens. */
const REFRESH_TOKEN_JTI = /-r$/;

/** Cloud Controller's row for an organization, with everything `q` can filter on. */
interface OrganizationRow {
  /** The primary key: `order-by=id` is insertion order. */
  id: number;
  org: CfOrganization;
  associations: Record<AssociationKey, Set<string>>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** As `GET /token_keys` lists it. */
  publicJwk: JWK;
  /** The public key as jose verifies with it, imported once (not per request). */
  verificationKeys: ReturnType<typeof createLocalJWKSet>;
}

/** Who a verified token speaks for. */
interface Caller {
  /** `user_id`, or for a client token its `client_id` (Cloud Controller does the same). */
  guid: string | undefined;
  scopes: string[];
}

type OrderBy = 'id' | 'name';

interface Paging {
  page: number;
  resultsPerPage: number;
  orderDirection: 'asc' | 'desc';
  /** As given: `next_url` repeats it only then. */
  orderBy: OrderBy | undefined;
  q: string[];
}

type GuidRequest = FastifyRequest<{ Params: { guid: string } }>;

const ROLE_ROUTES = [
  ['organizations', 'user'],
  ['managed_organizations', 'manager'],
  ['audited_organizations', 'auditor'],
  ['billing_managed_organizations', 'billing_manager'],
] as const satisfies ReadonlyArray<readonly [string, OrganizationRole]>;

const ROLE_ASSOCIATION: Record<OrganizationRole, AssociationKey> = {
  user: 'user_guid',
  manager: 'manager_guid',
  billing_manager: 'billing_manager_guid',
  auditor: 'auditor_guid',
};

/** The `…_url` links of an organization entity, each `/v2/organizations/{guid}/{link}`. */
const ORGANIZATION_LINKS = [
  'spaces',
  'domains',
  'private_domains',
  'users',
  'managers',
  'billing_managers',
  'auditors',
  'app_events',
  'space_quota_definitions',
];

/** Cloud Controller's UAA resource id: the audience its tokens must name. */
const RESOURCE_ID = 'cloud_controller';
const READ_SCOPE = 'cloud_controller.read';
/**
 * Scopes that may read any user (Cloud Controller's UserAccess: admin and admin_read_only, not
 * global_auditor; reference: 403 NotAuthorized "reading another user without admin /
 * admin_read_only").
 */
const USER_READ_SCOPES = ['cloud_controller.admin', 'cloud_controller.admin_read_only'];
/** Scopes that may read any organization: a global auditor reads everything but secrets. */
const ORGANIZATION_READ_SCOPES = [...USER_READ_SCOPES, 'cloud_controller.global_auditor'];
const DEFAULT_RESULTS_PER_PAGE = 50;
const MAX_RESULTS_PER_PAGE = 100;
/** UAA's default access-token validity for a client (12 hours less a second). */
const CLIENT_TOKEN_SECONDS = 43_199;
/** The client the cf CLI logs users in with. */
const CLI_CLIENT_ID = 'cf';

export class FakeCloudFoundry extends FakeServer {
  private readonly organizations = new Map<string, OrganizationRow>();
  /** Cloud Controller's users by guid, with the UAA user name their tokens carry. */
  private readonly users = new Map<string, string>();
  private readonly clients = new Map<string, { secret: string; scopes: string[] }>();
  /** `expires_in` of the client-credentials tokens the UAA issues (UAA's default unless a test shortens it, until reset). */
  clientTokenLifetimeSeconds = CLIENT_TOKEN_SECONDS;
  private readonly defaultQuotaGuid = randomUUID();
  private keyGeneration = 1;
  private signingKey: Promise<SigningKey> = createSigningKey(`key-${this.keyGeneration}`);
  private readonly tokenVerdicts = new TokenVerdicts<Caller>();
  /**
   * The database collation `order-by=name` sorts by and `q`'s `name>`, `name<` (and `>=`, `<=`)
   * compare by. The name column is CITEXT, compared in lower case by the database's collation:
   * null is the C collation (code units); a locale (such as 'en-US', a PostgreSQL created with
   * en_US.UTF-8) orders as that locale does, so `école` comes before `zeta`. The subgraph's
   * own order is code units, so with a locale set Cloud Foundry's order, and its range
   * filters, differ from it.
   */
  nameCollation: string | null = null;

  /**
   * A 429 as Cloud Controller's v2 rate limiter sends it, for `fail()`: its JSON error labelled
   * `text/plain`, and `Retry-After` as older releases write it, the UNIX time the window resets
   * (`valid_until.to_i`); `retryAfter: 'seconds'` writes the seconds left, as later releases do.
   * Each answer names a reset `retryAfterSeconds` after it: a fault that keeps refusing stands
   * for windows that keep filling up.
   */
  static rateLimited(retryAfterSeconds = 1, { retryAfter = 'epoch' }: { retryAfter?: 'epoch' | 'seconds' } = {}): Fault {
    return {
      status: 429,
      headers: () => {
        const resetsAt = String(Math.floor(Date.now() / 1000) + retryAfterSeconds);
        return {
          'X-RateLimit-Limit-V2-API': '2000',
          'X-RateLimit-Remaining-V2-API': '0',
          'X-RateLimit-Reset-V2-API': resetsAt,
          'Retry-After': retryAfter === 'epoch' ? resetsAt : String(retryAfterSeconds),
          'Content-Type': 'text/plain; charset=utf-8',
        };
      },
      rawBody: JSON.stringify({
        description: 'Rate Limit of V2 API Exceeded. Please consider using the V3 API',
        error_code: 'CF-RateLimitV2APIExceeded',
        code: 10018,
      }),
    };
  }

  override reset(): void {
    super.reset();
    this.clientTokenLifetimeSeconds = CLIENT_TOKEN_SECONDS;
  }

  addOrganization(input: NewOrganization): CfOrganization {
    const now = timestamp(new Date());
    const org: CfOrganization = {
      guid: randomUUID(),
      status: 'active',
      created_at: now,
      updated_at: null, // Cloud Controller's for a row never updated since it was created
      billing_enabled: false,
      quota_definition_guid: this.defaultQuotaGuid,
      default_isolation_segment_guid: null,
      ...input,
    };
    if (this.organizations.has(org.guid)) throw new Error(`organization ${org.guid} exists`);
    // The name column is CITEXT with a unique index.
    const lower = org.name.toLowerCase();
    if ([...this.organizations.values()].some((row) => row.org.name.toLowerCase() === lower)) {
      throw new Error(`organization name ${org.name} is taken`);
    }
    this.organizations.set(org.guid, {
      id: this.organizations.size + 1,
      org,
      associations: {
        space_guid: new Set(),
        user_guid: new Set(),
        manager_guid: new Set(),
        billing_manager_guid: new Set(),
        auditor_guid: new Set(),
      },
    });
    return org;
  }

  addUser(guid: string, userName = guid): void {
    this.users.set(guid, userName);
  }

  grant(userGuid: string, orgGuid: string, role: OrganizationRole): void {
    if (!this.users.has(userGuid)) throw new Error(`unknown user ${userGuid}`);
    this.row(orgGuid).associations[ROLE_ASSOCIATION[role]].add(userGuid);
  }

  addSpace(orgGuid: string, spaceGuid: string = randomUUID()): string {
    this.row(orgGuid).associations.space_guid.add(spaceGuid);
    return spaceGuid;
  }

  /** A UAA client that may use the client-credentials grant. */
  addClient(id: string, secret: string, scopes: string[]): void {
    this.clients.set(id, { secret, scopes });
  }

  /** A UAA user token, as the cf CLI's login would get (`client_id` `cf`). */
  async mintUserToken(userGuid: string, options: UserTokenOptions = {}): Promise<string> {
    const { scopes = [READ_SCOPE, 'openid'], expiresInSeconds = 3600, kid, issuer, refresh = false } = options;
    const userName = this.users.get(userGuid) ?? userGuid;
    const claims = {
      sub: userGuid,
      user_id: userGuid,
      user_name: userName,
      origin: 'uaa',
      email: userName,
      scope: scopes,
      client_id: CLI_CLIENT_ID,
      cid: CLI_CLIENT_ID,
      azp: CLI_CLIENT_ID,
      grant_type: 'password',
      aud: audience(scopes, CLI_CLIENT_ID),
      ...(refresh ? { jti: `${randomUUID().replaceAll('-', '')}-r` } : {}),
    };
    return (await this.sign(claims, expiresInSeconds, { kid, issuer })).token;
  }

  /** Signs from now on with a new key; `token_keys` lists only the new one. */
  async rotateKey(): Promise<void> {
    this.keyGeneration += 1;
    this.signingKey = createSigningKey(`key-${this.keyGeneration}`);
    this.tokenVerdicts.clear();
    await this.signingKey;
  }

  /** The UAA's base URL, as `/v2/info` gives it. */
  get uaaUrl(): string {
    return `${this.url}/uaa`;
  }

  protected routes(app: FastifyInstance): void {
    // nginx in front of Cloud Controller (capi-release's nginx_cc, with nginx's default
    // `large_client_header_buffers 4 8k`): a request line that does not fit one buffer is
    // refused, with nginx's page, before Cloud Controller sees it.
    app.addHook('onRequest', async (request, reply) => {
      if (`${request.method} ${request.raw.url ?? ''} HTTP/1.1\r\n`.length > NGINX_REQUEST_LINE_BYTES) {
        return reply.code(414).type('text/html').send(NGINX_URI_TOO_LARGE);
      }
      return undefined;
    });
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof CloudControllerError) return reply.code(error.status).send(error.body);
      return reply.code(500).send(unknownError().body);
    });
    app.setNotFoundHandler((_request, reply) =>
      reply
        .code(404)
        .send({ description: 'Unknown request', error_code: 'CF-NotFound', code: 10000 }),
    );
    app.get('/v2/info', async () => this.info());
    for (const [path, role] of ROLE_ROUTES) {
      app.get(`/v2/users/:guid/${path}`, async (request: GuidRequest) =>
        this.listOrganizations(request, role),
      );
    }
    app.get('/v2/organizations/:guid', async (request: GuidRequest) =>
      this.showOrganization(request),
    );
    app.post('/uaa/oauth/token', async (request, reply) => this.issueClientToken(request, reply));
    app.get('/uaa/token_keys', async () => ({ keys: [(await this.signingKey).publicJwk] }));
  }

  private info(): Record<string, unknown> {
    return {
      name: '',
      build: '',
      support: '',
      version: 0,
      description: '',
      authorization_endpoint: this.uaaUrl,
      token_endpoint: this.uaaUrl,
      min_cli_version: null,
      min_recommended_cli_version: null,
      app_ssh_endpoint: 'ssh.example.com:2222',
      app_ssh_host_key_fingerprint: null,
      app_ssh_oauth_client: 'ssh-proxy',
      doppler_logging_endpoint: 'wss://doppler.example.com:443',
      api_version: '2.164.0',
      osbapi_version: '2.15',
    };
  }

  /**
   * `GET /v2/users/:guid/<role>_organizations`. Checks run in Cloud Controller's order:
   * token, the path's user, scope, access, then the query parameters.
   */
  private async listOrganizations(request: GuidRequest, role: OrganizationRole) {
    const caller = await this.authenticate(request);
    const userGuid = request.params.guid;
    if (!this.users.has(userGuid)) throw userNotFound(userGuid);
    authorize(caller, caller.guid === userGuid, USER_READ_SCOPES);
    const query = rawQuery(request);
    const conditions = parseQ(query.getAll('q'));
    const paging = readPaging(query);
    const collation = this.nameCollation === null ? codeUnitOrder : new Intl.Collator(this.nameCollation).compare;
    const rows = [...this.organizations.values()].filter(
      (row) =>
        row.associations[ROLE_ASSOCIATION[role]].has(userGuid) &&
        conditions.every((condition) => matches(row.org, condition, row.associations, collation)),
    );
    return pageOf(sortRows(rows, paging, collation), paging, rawPath(request));
  }

  private async showOrganization(request: GuidRequest) {
    const caller = await this.authenticate(request);
    const row = this.organizations.get(request.params.guid);
    if (!row) throw organizationNotFound(request.params.guid);
    authorize(caller, caller.guid !== undefined && isMember(row, caller.guid), ORGANIZATION_READ_SCOPES);
    return organizationResource(row.org);
  }

  /**
   * `Authorization: bearer <token>` (scheme in any case), verified against this UAA. No header,
   * another scheme or no token is CF-NotAuthenticated; a token that does not verify,
   * CF-InvalidAuthToken.
   */
  private async authenticate(request: FastifyRequest): Promise<Caller> {
    const token = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) throw notAuthenticated();
    const caller = await this.verify(token);
    // Cloud Controller creates the user of any valid token on first sight.
    if (caller.guid !== undefined && !this.users.has(caller.guid)) this.addUser(caller.guid);
    return caller;
  }

  private verify(token: string): Promise<Caller> {
    return this.tokenVerdicts.verify(token, async () => {
      try {
        // Cloud Controller's UaaTokenDecoder decodes with `audience_ids: resource_id`: a token
        // whose `aud` lacks `cloud_controller` is an invalid token (401), before any scope check.
        const { payload } = await jwtVerify(token, (await this.signingKey).verificationKeys, {
          issuer: this.issuer,
          audience: RESOURCE_ID,
          algorithms: ['RS256'],
        });
        // UaaTokenDecoder's access_token? check: a refresh token is a bad token.
        if (typeof payload.jti === 'string' && REFRESH_TOKEN_JTI.test(payload.jti)) throw invalidAuthToken();
        const guid = [payload.user_id, payload.client_id].find((id) => typeof id === 'string');
        const scopes = Array.isArray(payload.scope) ? payload.scope.filter(isString) : [];
        return { value: { guid, scopes }, exp: payload.exp };
      } catch {
        throw invalidAuthToken();
      }
    });
  }

  /** `POST /uaa/oauth/token`: the client-credentials grant with HTTP Basic client auth. */
  private async issueClientToken(request: FastifyRequest, reply: FastifyReply) {
    const clientId = this.authenticateClient(request.headers.authorization);
    if (clientId === undefined) {
      return reply.code(401).send({ error: 'unauthorized', error_description: 'Bad credentials' });
    }
    const grantType = formField(request.body, 'grant_type');
    if (grantType !== 'client_credentials') {
      return reply.code(400).send({
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${grantType ?? ''}`,
      });
    }
    const scopes = this.clients.get(clientId)?.scopes ?? [];
    const claims = {
      sub: clientId,
      authorities: scopes,
      scope: scopes,
      client_id: clientId,
      cid: clientId,
      azp: clientId,
      grant_type: 'client_credentials',
      aud: audience(scopes, clientId),
    };
    const { token, jti } = await this.sign(claims, this.clientTokenLifetimeSeconds, {});
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.clientTokenLifetimeSeconds,
      scope: scopes.join(' '),
      jti,
    };
  }

  /** The client id when `Authorization: Basic` names a known client with its secret. */
  private authenticateClient(header: string | undefined): string | undefined {
    const match = /^basic\s+(\S+)$/i.exec(header ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return colon >= 0 && this.clients.get(id)?.secret === secret ? id : undefined;
  }

  private async sign(
    claims: Record<string, unknown>,
    expiresInSeconds: number,
    { kid, issuer }: { kid?: string | undefined; issuer?: string | undefined },
  ): Promise<{ token: string; jti: string }> {
    const key = await this.signingKey;
    const jti = randomUUID().replaceAll('-', '');
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      jti,
      ...claims,
      iat: issuedAt,
      auth_time: issuedAt,
      exp: issuedAt + expiresInSeconds,
      iss: issuer ?? this.issuer,
      zid: 'uaa',
    })
      .setProtectedHeader({
        alg: 'RS256',
        kid: kid ?? key.kid,
        typ: 'JWT',
        jku: `${this.uaaUrl}/token_keys`,
      })
      .sign(key.privateKey);
    return { token, jti };
  }

  /** UAA's `iss`: its token endpoint. */
  private get issuer(): string {
    return `${this.uaaUrl}/oauth/token`;
  }

  private row(orgGuid: string): OrganizationRow {
    const row = this.organizations.get(orgGuid);
    if (!row) throw new Error(`unknown organization ${orgGuid}`);
    return row;
  }
}

async function createSigningKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk = { ...jwk, kid, alg: 'RS256', use: 'sig', value: await exportSPKI(publicKey) };
  return { kid, privateKey, publicJwk, verificationKeys: createLocalJWKSet({ keys: [publicJwk] }) };
}

/** UAA's `aud`: the resource of each scope (the part before its last `.`), and the client. */
function audience(scopes: string[], clientId: string): string[] {
  const resources = scopes.map((scope) =>
    scope.includes('.') ? scope.slice(0, scope.lastIndexOf('.')) : scope,
  );
  return [...new Set([...resources, clientId])];
}

/**
 * Checks the scope (403 InsufficientScope: every global scope reads), then the object (403
 * NotAuthorized): `readAll` are the scopes that read any such object.
 */
function authorize(caller: Caller, ownsIt: boolean, readAll: readonly string[]): void {
  const reads = (scopes: readonly string[]) => caller.scopes.some((scope) => scopes.includes(scope));
  if (!reads(ORGANIZATION_READ_SCOPES) && !caller.scopes.includes(READ_SCOPE)) throw insufficientScope();
  if (!reads(readAll) && !ownsIt) throw notAuthorized();
}

function isMember(row: OrganizationRow, userGuid: string): boolean {
  return Object.values(ROLE_ASSOCIATION).some((key) => row.associations[key].has(userGuid));
}

/**
 * The paging parameters, checked in Cloud Controller's order. A non-integer, or a `page` or
 * `results-per-page` below 1, fails in its database layer: a 500, not a 400.
 */
function readPaging(query: URLSearchParams): Paging {
  const page = integerParam(query, 'page', 1);
  const resultsPerPage = integerParam(query, 'results-per-page', DEFAULT_RESULTS_PER_PAGE);
  if (resultsPerPage > MAX_RESULTS_PER_PAGE) {
    throw CloudControllerError.badQueryParameter(
      `results_per_page must be <= ${MAX_RESULTS_PER_PAGE}`,
    );
  }
  const orderDirection = query.get('order-direction') ?? 'asc';
  if (orderDirection !== 'asc' && orderDirection !== 'desc') {
    throw CloudControllerError.badQueryParameter(
      `order_direction must be 'asc' or 'desc' but was '${orderDirection}'`,
    );
  }
  const orderBy = query.get('order-by') ?? undefined;
  if (orderBy !== undefined && orderBy !== 'id' && orderBy !== 'name') {
    throw CloudControllerError.badQueryParameter(orderBy);
  }
  if (page < 1 || resultsPerPage < 1) throw unknownError();
  return { page, resultsPerPage, orderDirection, orderBy, q: query.getAll('q') };
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^[+-]?\d+$/.test(value.trim())) throw unknownError();
  return Number(value);
}

type RowOrder = (a: OrganizationRow, b: OrganizationRow) => number;

function rowOrder(orderBy: OrderBy, collation: Collation): RowOrder {
  if (orderBy === 'id') return (a, b) => a.id - b.id;
  // CITEXT order; names are unique case-insensitively, so there are no ties.
  return (a, b) => collation(a.org.name.toLowerCase(), b.org.name.toLowerCase());
}

function sortRows(rows: OrganizationRow[], paging: Paging, collation: Collation): OrganizationRow[] {
  const sorted = rows.toSorted(rowOrder(paging.orderBy ?? 'id', collation));
  return paging.orderDirection === 'desc' ? sorted.reverse() : sorted;
}

/** The v2 list envelope (Sequel's pagination: at least one page, even when empty). */
function pageOf(rows: OrganizationRow[], paging: Paging, path: string) {
  const { page, resultsPerPage } = paging;
  const totalPages = Math.max(1, Math.ceil(rows.length / resultsPerPage));
  const start = (page - 1) * resultsPerPage;
  return {
    total_results: rows.length,
    total_pages: totalPages,
    prev_url: page > 1 ? pageUrl(path, paging, page - 1) : null,
    next_url: page < totalPages ? pageUrl(path, paging, page + 1) : null,
    resources: rows
      .slice(start, start + resultsPerPage)
      .map((row) => organizationResource(row.org)),
  };
}

/**
 * As Cloud Controller builds it with Addressable: keys sorted, `q` repeated as given,
 * `order-direction` always, `order-by` only when it was asked for.
 */
function pageUrl(path: string, paging: Paging, page: number): string {
  const params: Array<[string, string]> = [
    ['page', String(page)],
    ['results-per-page', String(paging.resultsPerPage)],
    ['order-direction', paging.orderDirection],
    ...paging.q.map((value): [string, string] => ['q', value]),
    ...(paging.orderBy ? [['order-by', paging.orderBy] as [string, string]] : []),
  ];
  // Array sort is stable, so repeated `q` keep their order.
  params.sort(([a], [b]) => codeUnitOrder(a, b));
  return `${path}?${params.map(([key, value]) => `${key}=${encodeQueryValue(value)}`).join('&')}`;
}

/**
 * Addressable's normalized query: what RFC 3986 allows literally in a query stays literal
 * (`:`, `,`, `=`, `@`, `/`, `?`, `$`), `+` stays `%2B`, everything else is percent-encoded.
 */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%(24|2C|2F|3A|3D|3F|40)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

function organizationResource(org: CfOrganization) {
  const url = `/v2/organizations/${org.guid}`;
  const links = Object.fromEntries(
    ORGANIZATION_LINKS.map((link) => [`${link}_url`, `${url}/${link}`]),
  );
  return {
    metadata: { guid: org.guid, url, created_at: org.created_at, updated_at: org.updated_at },
    entity: {
      name: org.name,
      billing_enabled: org.billing_enabled,
      quota_definition_guid: org.quota_definition_guid,
      status: org.status,
      default_isolation_segment_guid: org.default_isolation_segment_guid,
      quota_definition_url: `/v2/quota_definitions/${org.quota_definition_guid}`,
      ...links,
    },
  };
}

function rawPath(request: FastifyRequest): string {
  return (request.raw.url ?? '/').split('?')[0]!;
}

/** The query as Rack reads it (`+` is a space), not as fastify's parser does. */
function rawQuery(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? '';
  const start = url.indexOf('?');
  return new URLSearchParams(start < 0 ? '' : url.slice(start + 1));
}

function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Cloud Controller's timestamp format: seconds, UTC, `Z`. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function notAuthenticated(): CloudControllerError {
  return new CloudControllerError(401, {
    description: 'Authentication error',
    error_code: 'CF-NotAuthenticated',
    code: 10002,
  });
}

function invalidAuthToken(): CloudControllerError {
  return new CloudControllerError(401, {
    description: 'Invalid Auth Token',
    error_code: 'CF-InvalidAuthToken',
    code: 1000,
  });
}

function insufficientScope(): CloudControllerError {
  return new CloudControllerError(403, {
    description: 'Your token lacks the necessary scopes to access this resource.',
    error_code: 'CF-InsufficientScope',
    code: 10007,
  });
}

function notAuthorized(): CloudControllerError {
  return new CloudControllerError(403, {
    description: 'You are not authorized to perform the requested action',
    error_code: 'CF-NotAuthorized',
    code: 10003,
  });
}

function userNotFound(guid: string): CloudControllerError {
  return new CloudControllerError(404, {
    description: `The user could not be found: ${guid}`,
    error_code: 'CF-UserNotFound',
    code: 20003,
  });
}

function organizationNotFound(guid: string): CloudControllerError {
  return new CloudControllerError(404, {
    description: `The organization could not be found: ${guid}`,
    error_code: 'CF-OrganizationNotFound',
    code: 30003,
  });
}

/** Cloud Controller's answer to an unexpected exception (its body lists `error_code` first). */
function unknownError(): CloudControllerError {
  return new CloudControllerError(500, {
    error_code: 'UnknownError',
    description: 'An unknown error occurred.',
    code: 10001,
  });
}
