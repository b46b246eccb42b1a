/**
 * The seam every identity provider implements. The connection engine and the resolvers
 * know only this file; each provider folder knows its own REST API and the shared
 * upstream client, never GraphQL.
 */
import type {
  IdentityProvider,
  OrganizationFilter,
  OrderDirection,
  OrganizationStatus,
} from '../graphql/generated';
import type { BaseLogger } from 'pino';
import type { Caller, VerifiedToken } from '../auth/caller';

/** `Organization` as the schema shows it (codegen maps the GraphQL type onto this). */
export interface OrganizationRecord {
  id: string;
  provider: IdentityProvider;
  providerId: string;
  name: string;
  displayName: string | null;
  slug: string | null;
  imageUrl: string | null;
  status: OrganizationStatus;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: string[];
}

/** `OrganizationMembership`; `roles` is absent when the provider loads them only on demand. */
export interface MembershipRecord {
  id: string;
  provider: IdentityProvider;
  /** The member, in the provider's own id space (absent where the provider does not say). */
  userId: string | null;
  organization: OrganizationRecord;
  roles?: RoleRecord[];
  createdAt: string | null;
  updatedAt: string | null;
}

/** Whose memberships a source lists: a user id, or the caller's own credential. */
export interface Subject {
  /** The user id in the provider, when known. */
  userId: string | null;
  /** Identifies the subject within one request (DataLoader key); never logged. */
  key: string;
}

/** What the query reads of a membership's roles beyond their ids and names. */
export interface RoleNeeds {
  permissions: boolean;
}

/** What the engine asks a provider for: one filtered, sorted list. */
export interface ListQuery {
  subject: Subject;
  filter: OrganizationFilter;
  direction: OrderDirection;
}

/** A slice of the provider's filtered, sorted list. */
export type WindowRequest =
  | { from: 'start'; offset: number; limit: number }
  /** The last `limit` items: used for `last` without `before`, when the total is not known yet. */
  | { from: 'end'; limit: number };

export interface WindowAnswer {
  /** In list order (ascending or descending as asked). */
  items: MembershipRecord[];
  /** Index of `items[0]` in the whole list. */
  offset: number;
  /** Length of the whole filtered list. */
  total: number;
}

/**
 * A provider's per-request data source. Created for each GraphQL request, so that its
 * DataLoaders and credentials never outlive it.
 */
export interface ProviderSource {
  /** The caller's own subject in this provider, or null when the caller presents no credential for it. */
  self(): Promise<Subject | null>;
  /** A window of the subject's memberships, filtered and sorted by organization name. */
  window(query: ListQuery, request: WindowRequest): Promise<WindowAnswer>;
  /**
   * The member's roles, for providers that load them on demand; their permissions only when
   * `needs.permissions` (else empty: the query does not read them).
   */
  roles?(membership: MembershipRecord, needs: RoleNeeds): Promise<RoleRecord[]>;
  /** One organization by the provider's id (entity references); null when unknown. */
  organization?(providerId: string): Promise<OrganizationRecord | null>;
}

/** What a per-request source is made for. */
export interface RequestScope {
  caller: Caller;
  /** The request's log (its lines carry the request id). */
  logger: Pick<BaseLogger, 'warn'>;
}

/** A configured provider: long-lived, one per process. */
export interface Provider {
  readonly name: IdentityProvider;
  /** Can `User.organizations(id)` hold data here for this id? Pure: no I/O. */
  ownsUserId(userId: string): boolean;
  /**
   * May the holder of this verified token read `userId`'s memberships here? Pure: decided
   * before any upstream call.
   */
  mayRead(token: VerifiedToken, userId: string): boolean;
  /** Can it satisfy Cloud Foundry association filters (`spaceGuid`, `userGuid`, …)? */
  readonly supportsAssociationFilters: boolean;
  /**
   * Throws BAD_USER_INPUT for a filter its API cannot express faithfully, beyond what the
   * engine already refuses for every provider. Called before any provider is asked.
   */
  assertExpressible?(filter: OrganizationFilter): void;
  createSource(scope: RequestScope): ProviderSource;
}

/** Global ids carry the provider, so that `Organization` references can be routed. */
export const ID_PREFIX: Record<IdentityProvider, string> = {
  AUTH0: 'auth0',
  CLOUD_FOUNDRY: 'cloudfoundry',
  WACHT: 'wacht',
};

/** Provider order for ties and listings: AUTH0, CLOUD_FOUNDRY, WACHT. */
export const PROVIDER_ORDER: readonly IdentityProvider[] = ['AUTH0', 'CLOUD_FOUNDRY', 'WACHT'];

/**
 * The subject for a user id: keyed alike for `User.organizations(id)` and the caller's own
 * list, so both lists of one user in one request share a fetch.
 */
export function userSubject(userId: string): Subject {
  return { userId, key: `user:${userId}` };
}

export function globalId(provider: IdentityProvider, providerId: string): string {
  return `${ID_PREFIX[provider]}:${providerId}`;
}
