/**
 * A Cloud Controller v2 and its UAA on one loopback server (the UAA under `/uaa`), faithful to
 * what the subgraph relies on: the user's organization lists with `q`, paging and order,
 * `GET /v2/organizations/:guid`, `/v2/info` discovery, bearer-token checks with Cloud
 * Controller's error bodies, client-credentials tokens and the token keys. This module is Cloud
 * Controller; the UAA is `FakeUaa` (uaa.ts) and the lists' paging is in v2-paging.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FakeServer, nowSeconds, rawPath, rawQuery, rfc3339Seconds, type Fault } from '../fake-server';
import {
  CloudControllerError,
  insufficientScope,
  notAuthenticated,
  notAuthorized,
  organizationNotFound,
  unknownError,
  userNotFound,
} from './errors';
import { codeUnitOrder, matches, parseQ, type AssociationKey, type Collation } from './q-parser';
import { FakeUaa, READ_SCOPE, type Caller, type UserTokenOptions } from './uaa';
import { pageOf, readPaging, sortRows, type OrderBy, type RowOrder } from './v2-paging';

export type { UserTokenOptions } from './uaa';

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

/** Cloud Controller's row for an organization, with everything `q` can filter on. */
interface OrganizationRow {
  /** The primary key: `order-by=id` is insertion order. */
  id: number;
  org: CfOrganization;
  associations: Record<AssociationKey, Set<string>>;
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

/**
 * Scopes that may read any user (Cloud Controller's UserAccess: admin and admin_read_only, not
 * global_auditor; reference: 403 NotAuthorized "reading another user without admin /
 * admin_read_only").
 */
const USER_READ_SCOPES = ['cloud_controller.admin', 'cloud_controller.admin_read_only'];
/** Scopes that may read any organization: a global auditor reads everything but secrets. */
const ORGANIZATION_READ_SCOPES = [...USER_READ_SCOPES, 'cloud_controller.global_auditor'];

export class FakeCloudFoundry extends FakeServer {
  private readonly organizations = new Map<string, OrganizationRow>();
  /** Cloud Controller's users by guid, with the UAA user name their tokens carry. */
  private readonly users = new Map<string, string>();
  private readonly uaa = new FakeUaa(() => this.uaaUrl);
  private readonly defaultQuotaGuid = randomUUID();
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
        const resetsAt = String(nowSeconds() + retryAfterSeconds);
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

  /** The UAA's `expires_in` for client-credentials tokens (see `FakeUaa`). */
  get clientTokenLifetimeSeconds(): number {
    return this.uaa.clientTokenLifetimeSeconds;
  }

  set clientTokenLifetimeSeconds(seconds: number) {
    this.uaa.clientTokenLifetimeSeconds = seconds;
  }

  override reset(): void {
    super.reset();
    this.uaa.reset();
  }

  addOrganization(input: NewOrganization): CfOrganization {
    const now = rfc3339Seconds(new Date());
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
    this.uaa.addClient(id, secret, scopes);
  }

  /** A UAA user token, as the cf CLI's login would get (`client_id` `cf`). */
  mintUserToken(userGuid: string, options: UserTokenOptions = {}): Promise<string> {
    return this.uaa.mintUserToken(userGuid, this.users.get(userGuid) ?? userGuid, options);
  }

  /** Signs from now on with a new key; `token_keys` lists only the new one. */
  rotateKey(): Promise<void> {
    return this.uaa.rotateKey();
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
    app.post('/uaa/oauth/token', async (request, reply) => this.uaa.issueClientToken(request, reply));
    app.get('/uaa/token_keys', async () => this.uaa.tokenKeys());
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
    return pageOf(sortRows(rows, paging, rowOrders(collation)), paging, rawPath(request), (row) =>
      organizationResource(row.org),
    );
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
    const caller = await this.uaa.verify(token);
    // Cloud Controller creates the user of any valid token on first sight.
    if (caller.guid !== undefined && !this.users.has(caller.guid)) this.addUser(caller.guid);
    return caller;
  }

  private row(orgGuid: string): OrganizationRow {
    const row = this.organizations.get(orgGuid);
    if (!row) throw new Error(`unknown organization ${orgGuid}`);
    return row;
  }
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

/** The orders `order-by` names, in the database collation `collation`. */
function rowOrders(collation: Collation): Record<OrderBy, RowOrder<OrganizationRow>> {
  return {
    id: (a, b) => a.id - b.id,
    // CITEXT order; names are unique case-insensitively, so there are no ties.
    name: (a, b) => collation(a.org.name.toLowerCase(), b.org.name.toLowerCase()),
  };
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
