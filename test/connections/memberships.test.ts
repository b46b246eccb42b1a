import type { IdentityProvider } from '../../src/graphql/generated';
import type { Caller, VerifiedToken } from '../../src/auth/caller';
import { AppError } from '../../src/errors';
import { listCallerMemberships, listUserOrganizations, type ProviderBinding } from '../../src/connections/memberships';
import { windowOfList } from '../../src/connections/whole-list';
import type {
  ListQuery,
  MembershipRecord,
  Provider,
  ProviderSource,
  Subject,
  WindowAnswer,
  WindowRequest,
} from '../../src/providers/provider';
import { caught, expectAppError, idsOf, membership, pageInfoOf } from './support';

const AUTH0_USER = 'google-oauth2|42';
const CF_USER = '0f3a1c2e-8d4b-4f6a-9c1e-2b3d4e5f6a7b';

interface FakeBinding extends ProviderBinding {
  provider: Provider & {
    ownsUserId: jest.Mock<boolean, [string]>;
    mayRead: jest.Mock<boolean, [VerifiedToken, string]>;
    createSource: jest.Mock;
  };
  source: ProviderSource & {
    self: jest.Mock<Promise<Subject | null>, []>;
    window: jest.Mock<Promise<WindowAnswer>, [ListQuery, WindowRequest]>;
  };
}

interface FakeOptions {
  records?: MembershipRecord[];
  owns?: (userId: string) => boolean;
  mayRead?: boolean;
  supportsAssociationFilters?: boolean;
  self?: Subject | null;
}

function fakeBinding(name: IdentityProvider, options: FakeOptions = {}): FakeBinding {
  const records = options.records ?? [];
  const source = {
    self: jest.fn(async () => (options.self === undefined ? { userId: `${name}-me`, key: `self:${name}` } : options.self)),
    window: jest.fn(async (query: ListQuery, request: WindowRequest) => windowOfList(records, query, request)),
  };
  const provider = {
    name,
    supportsAssociationFilters: options.supportsAssociationFilters ?? name === 'CLOUD_FOUNDRY',
    ownsUserId: jest.fn((userId: string) => (options.owns ? options.owns(userId) : false)),
    mayRead: jest.fn((_token: VerifiedToken, _userId: string) => options.mayRead ?? true),
    createSource: jest.fn(() => source),
  };
  return { provider, source };
}

function fakeCaller(options: { token?: VerifiedToken | null; wachtSession?: string | null; hasCredential?: boolean } = {}) {
  const token = options.token ?? null;
  const wachtSession = options.wachtSession ?? null;
  return {
    wachtSession,
    hasCredential: options.hasCredential ?? (token != null || wachtSession != null),
    bearer: jest.fn(async () => token),
    claimedSubject: () => (token ? `${token.provider} ${token.userId}` : null),
  } satisfies Caller;
}

const auth0Token: VerifiedToken = { provider: 'AUTH0', userId: AUTH0_USER, scopes: new Set(), raw: 'raw-token' };

const auth0Records = [membership('AUTH0', 'org_b', 'Beta'), membership('AUTH0', 'org_a', 'alpha')];
const cfRecords = [membership('CLOUD_FOUNDRY', 'g2', 'delta'), membership('CLOUD_FOUNDRY', 'g1', 'Charlie', { status: 'SUSPENDED' })];
const wachtRecords = [membership('WACHT', 'w1', 'echo'), membership('WACHT', 'w0', 'ALPHA')];

function threeProviders(options: { mayRead?: boolean } = {}) {
  const auth0 = fakeBinding('AUTH0', { records: auth0Records, owns: (id) => id.includes('|'), ...options });
  const cf = fakeBinding('CLOUD_FOUNDRY', { records: cfRecords, owns: (id) => /^[0-9a-f-]{36}$/.test(id), ...options });
  const wacht = fakeBinding('WACHT', { records: wachtRecords, owns: () => false, ...options });
  return { auth0, cf, wacht, all: [auth0, cf, wacht] };
}

const nodeIds = (result: { page: { edges: { node: MembershipRecord }[] } }) =>
  idsOf(result.page.edges.map((edge) => edge.node));

function expectNoUpstreamCall(bindings: FakeBinding[]) {
  for (const binding of bindings) expect(binding.source.window).not.toHaveBeenCalled();
}

function expectEmpty(result: Awaited<ReturnType<typeof listCallerMemberships>>) {
  expect(result.failures).toEqual([]);
  expect(result.page.edges).toEqual([]);
  expect(pageInfoOf(result.page)).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  expect(result.page.totalCount).toBe(0);
  expect(result.page.unavailableProviders).toEqual([]);
}

describe('listUserOrganizations', () => {
  it('asks the provider that owns the id, as that user, and returns its page', async () => {
    const { auth0, cf, wacht, all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    const result = await listUserOrganizations(all, caller, AUTH0_USER, { first: 10 });
    expect(nodeIds(result)).toEqual(['auth0:org_a', 'auth0:org_b']);
    expect(result.page.totalCount).toBe(2);
    expect(auth0.provider.mayRead).toHaveBeenCalledWith(auth0Token, AUTH0_USER);
    expect(auth0.source.window).toHaveBeenCalledTimes(1);
    expect(auth0.source.window).toHaveBeenCalledWith(
      { subject: { userId: AUTH0_USER, key: `user:${AUTH0_USER}` }, filter: {}, direction: 'ASC' },
      { from: 'start', offset: 0, limit: 10 },
    );
    expectNoUpstreamCall([cf, wacht]);
    expect(cf.provider.mayRead).not.toHaveBeenCalled();
  });

  it('returns an empty page, asking no source, for an id no provider owns', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    const result = await listUserOrganizations(all, caller, 'no-provider-owns-this', {});
    expectEmpty(result);
    expectNoUpstreamCall(all);
    for (const binding of all) {
      expect(binding.source.self).not.toHaveBeenCalled();
      expect(binding.provider.mayRead).not.toHaveBeenCalled();
    }
  });

  it('refuses a caller without a bearer token (UNAUTHENTICATED), with no window call', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ wachtSession: 'session' });
    expectAppError(await caught(() => listUserOrganizations(all, caller, CF_USER, {})), 'UNAUTHENTICATED');
    expectNoUpstreamCall(all);
  });

  it('refuses a caller who may not read the user (FORBIDDEN), with no window call', async () => {
    const { cf, all } = threeProviders({ mayRead: false });
    const caller = fakeCaller({ token: auth0Token });
    expectAppError(await caught(() => listUserOrganizations(all, caller, CF_USER, {})), 'FORBIDDEN');
    expect(cf.provider.mayRead).toHaveBeenCalledWith(auth0Token, CF_USER);
    expectNoUpstreamCall(all);
  });

  it('passes on a token that does not verify', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    caller.bearer.mockRejectedValue(new AppError('UNAUTHENTICATED', 'bad token'));
    expectAppError(await caught(() => listUserOrganizations(all, caller, AUTH0_USER, {})), 'UNAUTHENTICATED');
    expectNoUpstreamCall(all);
  });

  it('`providers:` narrows: an owner left out gives an empty page', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    const result = await listUserOrganizations(all, caller, AUTH0_USER, { providers: ['CLOUD_FOUNDRY', 'WACHT'] });
    expectEmpty(result);
    expectNoUpstreamCall(all);
  });

  it('`providers:` narrows among several owners', async () => {
    const auth0 = fakeBinding('AUTH0', { records: auth0Records, owns: () => true });
    const cf = fakeBinding('CLOUD_FOUNDRY', { records: cfRecords, owns: () => true });
    const caller = fakeCaller({ token: auth0Token });
    const both = await listUserOrganizations([auth0, cf], caller, 'x', {});
    expect(nodeIds(both)).toEqual(['auth0:org_a', 'auth0:org_b', 'cloudfoundry:g1', 'cloudfoundry:g2']);
    auth0.source.window.mockClear();
    cf.source.window.mockClear();
    const narrowed = await listUserOrganizations([auth0, cf], caller, 'x', { providers: ['CLOUD_FOUNDRY'] });
    expect(nodeIds(narrowed)).toEqual(['cloudfoundry:g1', 'cloudfoundry:g2']);
    expect(auth0.source.window).not.toHaveBeenCalled();
    expect(cf.source.window).toHaveBeenCalledTimes(1);
  });

  it('an association filter leaves out providers that cannot satisfy it', async () => {
    const auth0 = fakeBinding('AUTH0', { records: auth0Records, owns: () => true, supportsAssociationFilters: false });
    const cf = fakeBinding('CLOUD_FOUNDRY', { records: cfRecords, owns: () => true, supportsAssociationFilters: true });
    const caller = fakeCaller({ token: auth0Token });
    const filter = { spaceGuid: { eq: 'space-1' } };
    const result = await listUserOrganizations([auth0, cf], caller, 'x', { filter });
    expect(nodeIds(result)).toEqual(['cloudfoundry:g1', 'cloudfoundry:g2']);
    expect(auth0.source.window).not.toHaveBeenCalled();
    expect(cf.source.window).toHaveBeenCalledWith(
      { subject: { userId: 'x', key: 'user:x' }, filter, direction: 'ASC' },
      { from: 'start', offset: 0, limit: 20 },
    );
  });

  it('an association filter with only unsupporting owners gives an empty page', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    expectEmpty(await listUserOrganizations(all, caller, AUTH0_USER, { filter: { userGuid: { in: ['u1'] } } }));
    expectNoUpstreamCall(all);
  });

  it('`in: []` gives an empty page with no window call', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    expectEmpty(await listUserOrganizations(all, caller, AUTH0_USER, { filter: { name: { in: [] } } }));
    expectEmpty(await listUserOrganizations(all, caller, CF_USER, { filter: { status: { in: [] } } }));
    expectNoUpstreamCall(all);
  });

  it.each([
    ['first and last', { first: 1, last: 1 }],
    ['first over 100', { first: 101 }],
    ['negative last', { last: -1 }],
    ['a cursor that does not decode', { after: 'not-a-cursor' }],
    ['an invalid filter', { filter: { name: { in: ['a,b'] } } }],
    ['an empty guid', { filter: { spaceGuid: { eq: '' } } }],
  ])('refuses %s with BAD_USER_INPUT before any call', async (_, args) => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    expectAppError(await caught(() => listUserOrganizations(all, caller, AUTH0_USER, args)), 'BAD_USER_INPUT');
    expect(caller.bearer).not.toHaveBeenCalled();
    expectNoUpstreamCall(all);
    for (const binding of all) {
      expect(binding.source.self).not.toHaveBeenCalled();
      expect(binding.provider.mayRead).not.toHaveBeenCalled();
    }
  });

  it("refuses another user's cursor", async () => {
    const auth0 = fakeBinding('AUTH0', { records: auth0Records, owns: () => true });
    const caller = fakeCaller({ token: auth0Token });
    const first = await listUserOrganizations([auth0], caller, 'a|1', { first: 1 });
    expect(nodeIds(first)).toEqual(['auth0:org_a']);
    const next = await listUserOrganizations([auth0], caller, 'a|1', { first: 1, after: first.page.pageInfo.endCursor });
    expect(nodeIds(next)).toEqual(['auth0:org_b']);
    expectAppError(
      await caught(() => listUserOrganizations([auth0], caller, 'a|2', { first: 1, after: first.page.pageInfo.endCursor })),
      'BAD_USER_INPUT',
      'belongs to other arguments',
    );
  });
});

/** The page's items as every window has them (no roles loaded beforehand). */
const withoutRoles = { roles: false, permissions: false };

describe('listCallerMemberships', () => {
  it('merges every provider the caller is signed in to', async () => {
    const { auth0, cf, wacht, all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    const result = await listCallerMemberships(all, caller, { first: 4 }, withoutRoles);
    expect(nodeIds(result)).toEqual(['auth0:org_a', 'wacht:w0', 'auth0:org_b', 'cloudfoundry:g1']);
    expect(result.page.totalCount).toBe(6);
    expect(result.page.pageInfo.hasNextPage).toBe(true);
    expect(wacht.source.window).toHaveBeenCalledWith(
      { subject: { userId: 'WACHT-me', key: 'self:WACHT' }, filter: {}, direction: 'ASC' },
      { from: 'start', offset: 0, limit: 4 },
    );
    expect(auth0.source.window).toHaveBeenCalledTimes(1);
    expect(cf.source.window).toHaveBeenCalledTimes(1);
  });

  it('asks only providers where the caller has a subject', async () => {
    const auth0 = fakeBinding('AUTH0', { records: auth0Records, self: null });
    const wacht = fakeBinding('WACHT', { records: wachtRecords });
    const caller = fakeCaller({ wachtSession: 'session' });
    const result = await listCallerMemberships([auth0, wacht], caller, { orderDirection: 'DESC' }, withoutRoles);
    expect(nodeIds(result)).toEqual(['wacht:w1', 'wacht:w0']);
    expect(result.page.totalCount).toBe(2);
    expect(auth0.source.self).toHaveBeenCalledTimes(1);
    expect(auth0.source.window).not.toHaveBeenCalled();
  });

  it('refuses a caller without any credential (UNAUTHENTICATED), asking nobody', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller();
    expectAppError(await caught(() => listCallerMemberships(all, caller, {}, withoutRoles)), 'UNAUTHENTICATED');
    expectNoUpstreamCall(all);
    for (const binding of all) expect(binding.source.self).not.toHaveBeenCalled();
  });

  it('refuses a bearer token that does not verify, even with a Wacht session', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ wachtSession: 'session', hasCredential: true });
    caller.bearer.mockRejectedValue(new AppError('UNAUTHENTICATED', 'bad token'));
    expectAppError(await caught(() => listCallerMemberships(all, caller, {}, withoutRoles)), 'UNAUTHENTICATED');
    expectNoUpstreamCall(all);
  });

  it('`providers:` narrows: others are not even asked who the caller is', async () => {
    const { auth0, cf, wacht, all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    const result = await listCallerMemberships(all, caller, { providers: ['WACHT', 'CLOUD_FOUNDRY'] }, withoutRoles);
    expect(nodeIds(result)).toEqual(['wacht:w0', 'cloudfoundry:g1', 'cloudfoundry:g2', 'wacht:w1']);
    expect(auth0.source.self).not.toHaveBeenCalled();
    expect(auth0.source.window).not.toHaveBeenCalled();
    expect(cf.source.window).toHaveBeenCalledTimes(1);
    expect(wacht.source.window).toHaveBeenCalledTimes(1);
  });

  it('`providers: []` asks nobody', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token });
    expectEmpty(await listCallerMemberships(all, caller, { providers: [] }, withoutRoles));
    expectNoUpstreamCall(all);
  });

  it('an association filter leaves out providers that cannot satisfy it', async () => {
    const { auth0, cf, wacht, all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    const filter = { managerGuid: { in: ['m1', 'm2'] } };
    const result = await listCallerMemberships(all, caller, { filter, orderDirection: 'DESC' }, withoutRoles);
    expect(nodeIds(result)).toEqual(['cloudfoundry:g2', 'cloudfoundry:g1']);
    expect(cf.source.window).toHaveBeenCalledWith(
      { subject: { userId: 'CLOUD_FOUNDRY-me', key: 'self:CLOUD_FOUNDRY' }, filter, direction: 'DESC' },
      { from: 'start', offset: 0, limit: 20 },
    );
    expectNoUpstreamCall([auth0, wacht]);
  });

  it('passes name and status filters to every provider', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    const result = await listCallerMemberships(all, caller, { filter: { name: { in: ['ALPHA', 'charlie'] } } }, withoutRoles);
    expect(nodeIds(result)).toEqual(['auth0:org_a', 'wacht:w0', 'cloudfoundry:g1']);
    const suspended = await listCallerMemberships(all, caller, { filter: { status: { eq: 'SUSPENDED' } } }, withoutRoles);
    expect(nodeIds(suspended)).toEqual(['cloudfoundry:g1']);
  });

  it('`in: []` gives an empty page with no window call', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    expectEmpty(await listCallerMemberships(all, caller, { filter: { auditorGuid: { in: [] } } }, withoutRoles));
    expectEmpty(await listCallerMemberships(all, caller, { filter: { name: { eq: 'alpha', in: [] } } }, withoutRoles));
    expectNoUpstreamCall(all);
  });

  it.each([
    ['first and last together', { first: 2, last: 2 }],
    ['first not an integer', { first: 1.5 }],
    ['a cursor that does not decode', { before: '***' }],
    ['an in list over 100 values', { filter: { status: { in: Array.from({ length: 101 }, () => 'ACTIVE' as const) } } }],
    ['a blank guid in a list', { filter: { billingManagerGuid: { in: ['ok', ' '] } } }],
  ])('refuses %s with BAD_USER_INPUT before any call', async (_, args) => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    expectAppError(await caught(() => listCallerMemberships(all, caller, args, withoutRoles)), 'BAD_USER_INPUT');
    expect(caller.bearer).not.toHaveBeenCalled();
    expectNoUpstreamCall(all);
    for (const binding of all) expect(binding.source.self).not.toHaveBeenCalled();
  });

  it('walks pages with its own cursors, and refuses them after the filter changes', async () => {
    const { all } = threeProviders();
    const caller = fakeCaller({ token: auth0Token, wachtSession: 'session' });
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const result: Awaited<ReturnType<typeof listCallerMemberships>> = await listCallerMemberships(all, caller, { first: 4, after }, withoutRoles);
      ids.push(...nodeIds(result));
      if (!result.page.pageInfo.hasNextPage) break;
      after = result.page.pageInfo.endCursor;
    }
    expect(ids).toEqual(['auth0:org_a', 'wacht:w0', 'auth0:org_b', 'cloudfoundry:g1', 'cloudfoundry:g2', 'wacht:w1']);
    expectAppError(
      await caught(() => listCallerMemberships(all, caller, { first: 4, after, filter: { name: { gt: 'a' } } }, withoutRoles)),
      'BAD_USER_INPUT',
      'belongs to other arguments',
    );
    expectAppError(
      await caught(() => listCallerMemberships(all, caller, { first: 4, after, providers: ['AUTH0'] }, withoutRoles)),
      'BAD_USER_INPUT',
      'belongs to other arguments',
    );
  });

  it('reports an unavailable provider and keeps the others', async () => {
    const { auth0, cf, all } = threeProviders();
    const outage = new AppError('UPSTREAM_UNAVAILABLE', 'Cloud Foundry is down', { provider: 'CLOUD_FOUNDRY' });
    cf.source.window.mockRejectedValue(outage);
    const caller = fakeCaller({ token: auth0Token });
    const result = await listCallerMemberships(all, caller, {}, withoutRoles);
    expect(nodeIds(result)).toEqual(['auth0:org_a', 'wacht:w0', 'auth0:org_b', 'wacht:w1']);
    expect(result.page.unavailableProviders).toEqual(['CLOUD_FOUNDRY']);
    expect(result.failures).toEqual([outage]);
    expect(auth0.source.window).toHaveBeenCalledTimes(1);
  });
});
