/**
 * Auth0 Management API data source, one per request, always called with the subgraph's
 * Management API token. Every id goes into the path as one encoded segment.
 */
import type { z } from 'zod';
import { AppError } from '../../errors';
import type { AccessToken } from '../../upstream/access-token';
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import { auth0Failure, isInexistent } from './errors';
import {
  organizationSchema,
  organizationsPage,
  permissionsPage,
  rolesPage,
  type Auth0Organization,
  type Auth0Role,
  type Page,
} from './wire';

/** The reachable items of a list, and how many it has in all (more, past the paging wall). */
export interface Auth0List<T> {
  items: T[];
  total: number;
}

/** The most `per_page` allows. */
const PER_PAGE = 100;
/** Offset paging stops here: Auth0 refuses a page with `(page + 1) * per_page > 1000`. */
export const REACHABLE_RECORDS = 1000;

export class Auth0DataSource {
  constructor(
    private readonly http: UpstreamClient,
    private readonly baseUrl: string,
    private readonly token: AccessToken,
  ) {}

  /**
   * The user's organizations, as far as offset paging reaches (the first 1000), and how many
   * Auth0 says there are; a user Auth0 does not know belongs to none.
   */
  async organizationsOf(userId: string): Promise<Auth0List<Auth0Organization>> {
    const path = apiPath`/users/${userId}/organizations`;
    return (await this.everyPage('GET /api/v2/users/{id}/organizations', path, organizationsPage)) ?? { items: [], total: 0 };
  }

  /** The member's roles in the organization; none once the organization is gone. */
  async memberRoles(organizationId: string, userId: string): Promise<Auth0Role[]> {
    const path = apiPath`/organizations/${organizationId}/members/${userId}/roles`;
    return (await this.everyPage('GET /api/v2/organizations/{id}/members/{user_id}/roles', path, rolesPage))?.items ?? [];
  }

  /** The names of the role's permissions; none once the role is gone. */
  async rolePermissions(roleId: string): Promise<string[]> {
    const path = apiPath`/roles/${roleId}/permissions`;
    const permissions = await this.everyPage('GET /api/v2/roles/{id}/permissions', path, permissionsPage);
    return (permissions?.items ?? []).map((permission) => permission.permission_name);
  }

  /** One organization; null when Auth0 does not know it. */
  organization(id: string): Promise<Auth0Organization | null> {
    return this.get('GET /api/v2/organizations/{id}', apiPath`/organizations/${id}`, organizationSchema);
  }

  /**
   * Every reachable item of a list route, one page after another (not all at once: the rate
   * limit is the tenant's, shared with every replica and every other client), and the total
   * the last page gave. Null when the thing the path names does not exist.
   */
  private async everyPage<T>(route: string, path: string, schema: z.ZodType<Page<T>>): Promise<Auth0List<T> | null> {
    const items: T[] = [];
    let total = 0;
    for (let page = 0; (page + 1) * PER_PAGE <= REACHABLE_RECORDS; page += 1) {
      const answer = await this.get(route, `${path}?page=${page}&per_page=${PER_PAGE}&include_totals=true`, schema);
      if (!answer) return null;
      items.push(...answer.items);
      total = answer.total;
      // Beyond the wall, the rest is unreachable: what was read is the list.
      if (answer.items.length < PER_PAGE || items.length >= answer.total) break;
    }
    return { items, total };
  }

  private async get<T>(route: string, pathAndQuery: string, schema: z.ZodType<T>): Promise<T | null> {
    const response = await this.token.send((token) =>
      this.http.send({
        provider: 'AUTH0',
        route,
        url: `${this.baseUrl}/api/v2${pathAndQuery}`,
        headers: { authorization: `Bearer ${token}` },
        abandonable: true,
      }),
    );
    if (response.status === 200) return parseBody('AUTH0', response, schema);
    if (isInexistent(response)) return null;
    throw auth0Failure(response, route);
  }
}

/** A Management API path in which each interpolated id is exactly one encoded segment. */
function apiPath(parts: TemplateStringsArray, ...ids: string[]): string {
  return parts.reduce((path, part, index) => `${path}${segment(ids[index - 1]!)}${part}`);
}

function segment(id: string): string {
  // `.` and `..` stay dot segments however they are encoded; ids checked by ids.ts never are.
  if (id === '' || id === '.' || id === '..') {
    throw new AppError('UPSTREAM_ERROR', 'AUTH0 named something by an id that cannot be a path segment', {
      provider: 'AUTH0',
    });
  }
  return encodeURIComponent(id);
}
