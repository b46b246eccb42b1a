/**
 * The two lists the schema offers, as the engine builds them: which providers take part,
 * whether the caller may see the list (decided before any upstream call), and the page.
 */
import type { Caller } from '../auth/caller';
import { AppError } from '../errors';
import {
  PROVIDER_ORDER,
  userSubject,
  type MembershipRecord,
  type Provider,
  type ProviderSource,
  type RoleNeeds,
  type Subject,
} from '../providers/provider';
import {
  readPageRequest,
  validateArgs,
  type ConnectionArgs,
  type PageRequest,
  type ValidatedArgs,
} from './arguments';
import { emptyPage, paginate, type PageResult, type ProviderStream } from './connection';
import { lazyFingerprint } from './cursor';
import { matchesNothing, usesAssociationFilters } from './filter';

/** A configured provider with its data source for the current request. */
export interface ProviderBinding {
  provider: Provider;
  source: ProviderSource;
}

/** What the query selects of the page's items beyond what every window has (permissions: of their roles). */
export interface PageNeeds extends RoleNeeds {
  /**
   * Roles: loaded for the items on the page before it is answered, so that a provider that
   * cannot load them is unavailable (contract: partial results) rather than a failed field.
   */
  roles: boolean;
}

/** `User.organizations(id)`: the providers that can own the id, if the caller may read it. */
export async function listUserOrganizations(
  bindings: readonly ProviderBinding[],
  caller: Caller,
  userId: string,
  args: ConnectionArgs,
): Promise<PageResult> {
  const validated = validateArgs(args);
  const listFingerprint = lazyFingerprint({ list: 'user', userId, ...validated });
  const request = readPageRequest(args, listFingerprint);
  // A bearer token presented must verify, even for an id no provider owns. If its issuer
  // cannot be reached and it is the provider asked, the connection is empty, with that failure;
  // another provider's token could not read this user anyway, so that stays the field's error.
  const token = await caller.bearer().catch((error: unknown) => providerFailure(error));
  const owners = narrow(bindings, validated).filter(({ provider }) => provider.ownsUserId(userId));
  if (owners.length === 0) return { page: emptyPage(), failures: [] };
  if (token instanceof AppError) {
    if (!owners.some(({ provider }) => provider.name === token.details.provider)) throw token;
    return withFailures({ page: emptyPage(), failures: [] }, [token]);
  }

  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in to read the organizations of a user');
  if (!owners.every(({ provider }) => provider.mayRead(token, userId))) {
    throw new AppError('FORBIDDEN', "Only the user themself or an administrator may read this user's organizations");
  }
  const subject = userSubject(userId);
  // Its page shows organizations, never roles.
  return page(owners.map((binding) => ({ binding, subject })), validated, request, listFingerprint, {
    roles: false,
    permissions: false,
  });
}

/** `Query.myOrganizationMemberships`: every provider the caller presents a credential for. */
export async function listCallerMemberships(
  bindings: readonly ProviderBinding[],
  caller: Caller,
  args: ConnectionArgs,
  needs: PageNeeds,
): Promise<PageResult> {
  const validated = validateArgs(args);
  // Before the cursors: a lost sign-in is UNAUTHENTICATED, not a cursor of someone else's.
  if (!caller.hasCredential) {
    throw new AppError('UNAUTHENTICATED', 'Sign in: present a bearer token or a Wacht session');
  }
  // Bound to who the bearer says it is, so that a cursor kept across an account switch is
  // refused rather than read against another caller's list (a Wacht session is opaque here and
  // binds nothing). Unverified on purpose: checked before the token is (bad arguments cost no
  // call, not even for signing keys), and an issuer outage must not invalidate cursors.
  const listFingerprint = lazyFingerprint({ list: 'me', caller: caller.claimedSubject(), ...validated });
  const request = readPageRequest(args, listFingerprint);
  // A bearer token presented must verify, whichever providers end up answering. If its issuer
  // cannot be reached, that provider is unavailable; the others still answer.
  const unreachableIssuer = await caller.bearer().then(
    () => undefined,
    (error: unknown) => providerFailure(error),
  );
  const candidates = narrow(bindings, validated);
  const subjects = await Promise.allSettled(candidates.map(({ source }) => source.self()));
  // Only a provider asked is missing: one left out by `providers:` or a filter is not.
  const failures =
    unreachableIssuer && candidates.some(({ provider }) => provider.name === unreachableIssuer.details.provider)
      ? [unreachableIssuer]
      : [];
  const signedIn = candidates.flatMap((binding, index) => {
    const outcome = subjects[index]!;
    if (outcome.status === 'fulfilled') return outcome.value ? [{ binding, subject: outcome.value }] : [];
    const failure = providerFailure(outcome.reason);
    if (!failures.some((known) => known.details.provider === failure.details.provider)) failures.push(failure);
    return [];
  });
  const result = await page(signedIn, validated, request, listFingerprint, needs);
  return withFailures(result, failures);
}

/** An error that makes one provider unavailable; any other is rethrown (the field fails). */
function providerFailure(error: unknown): AppError {
  if (error instanceof AppError && error.details.provider && error.code !== 'UNAUTHENTICATED') return error;
  throw error;
}

function withFailures(result: PageResult, failures: AppError[]): PageResult {
  if (failures.length === 0) return result;
  const all = [...failures, ...result.failures];
  const unavailable = new Set(all.map((failure) => failure.details.provider));
  return {
    page: { ...result.page, unavailableProviders: PROVIDER_ORDER.filter((name) => unavailable.has(name)) },
    failures: all,
  };
}

/** The `providers:` argument and the association filters narrow who takes part. */
function narrow(bindings: readonly ProviderBinding[], args: ValidatedArgs): ProviderBinding[] {
  const associations = usesAssociationFilters(args.filter);
  return bindings.filter(
    ({ provider }) =>
      (!args.providers || args.providers.includes(provider.name)) &&
      (!associations || provider.supportsAssociationFilters),
  );
}

async function page(
  participants: { binding: ProviderBinding; subject: Subject }[],
  args: ValidatedArgs,
  request: PageRequest,
  listFingerprint: () => string,
  needs: PageNeeds,
): Promise<PageResult> {
  if (matchesNothing(args.filter)) return { page: emptyPage(), failures: [] };
  participants.forEach(({ binding }) => binding.provider.assertExpressible?.(args.filter));
  const streams: ProviderStream[] = participants.map(({ binding: { provider, source }, subject }) => ({
    provider: provider.name,
    fetch: (window) => source.window({ subject, filter: args.filter, direction: args.direction }, window),
    // The roles field then finds them in the source's loaders, without asking again.
    ...(needs.roles && source.roles ? { complete: (items) => loadRoles(source, items, needs) } : {}),
  }));
  return paginate(streams, { request, direction: args.direction, fingerprint: listFingerprint });
}

/** The roles of those items that do not carry theirs. */
async function loadRoles(source: ProviderSource, items: MembershipRecord[], needs: RoleNeeds): Promise<void> {
  await Promise.all(items.map((item) => item.roles ?? source.roles!(item, needs)));
}
