/**
 * A faithful Auth0 tenant on loopback: the client-credentials token endpoint that issues
 * Management API tokens, the Management API routes the organizations provider reads (with
 * Auth0's offset paging, strict query validation, error bodies and rate-limit headers), and the
 * tenant's signing keys (JWKS) with a way to mint caller access tokens for the subgraph's API.
 * This server holds the tenant's directory and its Management API routes; its authorization
 * server, paging and rate limiter are modules of their own beside it.
 */
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import { FakeServer, rawQuery, type Fault } from '../fake-server';
import { AuthorizationServer, type CallerTokenOptions } from './authorization-server';
import { AUTH0_ERRORS, HttpAnswer } from './errors';
import { paginate, parsePaging, rejectUnknownParams } from './paging';
import { TokenBucket, rateLimitedFault, type RateLimitPolicy, type RateLimitedFaultOptions } from './rate-limiter';

export type { CallerTokenOptions } from './authorization-server';
export { AUTH0_ERRORS, type Auth0ErrorBody } from './errors';
export type { RateLimitPolicy, RateLimitedFaultOptions } from './rate-limiter';

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

const MANAGEMENT_API_PATH = /^\/api\/v2\//;

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
  private readonly authorizationServer = new AuthorizationServer(this);
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
    await this.authorizationServer.ensureSigningKey();
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
    this.authorizationServer.addClient(clientId, secret, scopes);
  }

  /** Every Management API token issued so far is refused from now on (401 "Invalid token."). */
  revokeManagementTokens(): void {
    this.authorizationServer.revokeManagementTokens();
  }

  /**
   * Signs with a new key and publishes it. Earlier keys stay published, as Auth0 keeps them
   * until they are revoked, unless `revokePrevious` drops them. Returns the new key id.
   */
  rotateKey(options: { revokePrevious?: boolean } = {}): Promise<string> {
    return this.authorizationServer.rotateKey(options);
  }

  jwks(): JSONWebKeySet {
    return this.authorizationServer.jwks();
  }

  /** An access token for the subgraph's own API, as the tenant would issue to a signed-in user. */
  mintCallerToken(sub: string, options: CallerTokenOptions): Promise<string> {
    return this.authorizationServer.mintCallerToken(sub, options);
  }

  /** A 429 for the next Management API requests, with Auth0's body and rate-limit headers. */
  static rateLimited(options: RateLimitedFaultOptions = {}): Fault {
    return rateLimitedFault(MANAGEMENT_API_PATH, options);
  }

  protected routes(app: FastifyInstance): void {
    app.setErrorHandler((error, _request, reply) =>
      error instanceof HttpAnswer ? reply.code(error.status).send(error.body) : reply.send(error),
    );
    // Auth0's router answers unknown paths (e.g. an unencoded `/` inside a user id) like this.
    app.setNotFoundHandler((_request, reply) => reply.code(404).send(AUTH0_ERRORS.routeNotFound));
    this.authorizationServer.routes(app);
    app.register(async (api) => this.managementApi(api), { prefix: '/api/v2' });
  }

  private managementApi(api: FastifyInstance): void {
    api.addHook('onRequest', async (_request, reply) => this.bucket.meter(this.rateLimit, reply));
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
      await this.authorizationServer.authorize(request.headers.authorization, scope);
      // The router has percent-decoded each segment once; an empty one is not a valid path.
      if (Object.values(request.params).some((value) => value === '')) {
        throw new HttpAnswer(400, AUTH0_ERRORS.invalidUri);
      }
      // `path` names exactly P's parameters, so the router fills each of them.
      return handler(request.params as P, rawQuery(request));
    });
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

function byId(a: { id: string }, b: { id: string }): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
