/**
 * Cloud Controller v2 data source, one per request: the user's organization lists (`q`,
 * `page`, `results-per-page`, order by name) and single organizations, called with the
 * credentials the deployment uses (credentials.ts). Every guid goes into the path encoded.
 */
import type { z } from 'zod';
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import type { Credentials } from './credentials';
import { cloudFoundryFailure, isNotFound } from './errors';
import { MAX_RESULTS_PER_PAGE } from './paging';
import { toQueryString } from './q-filter';
import {
  organizationResource,
  organizationsPage,
  type CfOrganizationResource,
  type CfOrganizationsPage,
} from './wire';

/** The user's organization lists, one per organization role (`organizations` is the user role). */
export type UserOrganizationList =
  | 'organizations'
  | 'managed_organizations'
  | 'billing_managed_organizations'
  | 'audited_organizations';

export interface PageQuery {
  /** `q` filters, not yet encoded (q-filter.ts). */
  q: string[];
  page: number;
  resultsPerPage: number;
  /** By name in this direction; absent: Cloud Controller's default, by id (stable, for reading whole lists). */
  orderByName?: 'asc' | 'desc';
}

/** What Cloud Controller lists for a user it does not know: nothing. */
const NO_ORGANIZATIONS: CfOrganizationsPage = { total_results: 0, total_pages: 1, resources: [] };

export class CloudFoundryDataSource {
  constructor(
    private readonly http: UpstreamClient,
    private readonly apiUrl: string,
    private readonly credentials: Credentials,
  ) {}

  /** One page of one of the user's lists; a user Cloud Controller does not know has none. */
  async page(userGuid: string, list: UserOrganizationList, query: PageQuery): Promise<CfOrganizationsPage> {
    const { q, page, resultsPerPage, orderByName } = query;
    const params = {
      page,
      'results-per-page': resultsPerPage,
      ...(orderByName ? { 'order-by': 'name', 'order-direction': orderByName } : {}),
    };
    const path = `/v2/users/${encodeURIComponent(userGuid)}/${list}?${toQueryString(q, params)}`;
    const answer = await this.get(`GET /v2/users/{guid}/${list}`, path, organizationsPage, 'CF-UserNotFound');
    return answer ?? NO_ORGANIZATIONS;
  }

  /** Every organization of one of the user's lists, page after page (gentle on the rate limit). */
  async everyOrganization(userGuid: string, list: UserOrganizationList): Promise<CfOrganizationResource[]> {
    const resources: CfOrganizationResource[] = [];
    for (let page = 1, pages = 1; page <= pages; page++) {
      const answer = await this.page(userGuid, list, { q: [], page, resultsPerPage: MAX_RESULTS_PER_PAGE });
      resources.push(...answer.resources);
      pages = answer.total_pages;
    }
    return resources;
  }

  /** One organization; null when Cloud Controller does not know it. */
  organization(guid: string): Promise<CfOrganizationResource | null> {
    const path = `/v2/organizations/${encodeURIComponent(guid)}`;
    return this.get('GET /v2/organizations/{guid}', path, organizationResource, 'CF-OrganizationNotFound');
  }

  /** The answer as `schema` says; null for a 404 with `notFound` as its `error_code`. */
  private async get<T>(route: string, pathAndQuery: string, schema: z.ZodType<T>, notFound: string): Promise<T | null> {
    const response = await this.credentials.token.send((token) =>
      this.http.send({
        provider: 'CLOUD_FOUNDRY',
        route,
        url: `${this.apiUrl}${pathAndQuery}`,
        headers: { authorization: `bearer ${token}` },
        abandonable: true,
      }),
    );
    if (response.status === 200) return parseBody('CLOUD_FOUNDRY', response, schema);
    if (isNotFound(response, notFound)) return null;
    throw cloudFoundryFailure(response, route, this.credentials.kind);
  }
}
