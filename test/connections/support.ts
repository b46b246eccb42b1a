/**
 * Shared fixtures of the connection-engine tests: a membership record factory, in-memory
 * provider streams that record every window they are asked for, and error capture.
 */
import type {
  IdentityProvider,
  OrganizationFilter,
  OrganizationStatus,
  OrderDirection,
} from '../../src/graphql/generated';
import {
  globalId,
  type MembershipRecord,
  type WindowAnswer,
  type WindowRequest,
} from '../../src/providers/provider';
import { AppError, type ErrorCode } from '../../src/errors';
import { windowOfList } from '../../src/connections/whole-list';
import type { ConnectionPage, ProviderStream } from '../../src/connections/connection';

export interface RecordOptions {
  status?: OrganizationStatus;
  userId?: string | null;
}

/** A membership in `provider`'s organization `providerId` named `name`. */
export function membership(
  provider: IdentityProvider,
  providerId: string,
  name: string,
  options: RecordOptions = {},
): MembershipRecord {
  return {
    id: `${globalId(provider, providerId)}#member`,
    provider,
    userId: options.userId ?? null,
    organization: {
      id: globalId(provider, providerId),
      provider,
      providerId,
      name,
      displayName: null,
      slug: null,
      imageUrl: null,
      status: options.status ?? 'ACTIVE',
      createdAt: null,
      updatedAt: null,
    },
    createdAt: null,
    updatedAt: null,
  };
}

/** The global organization ids of records, which is what the tests compare. */
export function idsOf(records: readonly MembershipRecord[]): string[] {
  return records.map((record) => record.organization.id);
}

export interface RecordingStream extends ProviderStream {
  /** Every window asked for, in order. */
  requests: WindowRequest[];
}

/** A provider answering each window with `answer`, recording the windows asked for. */
function recordingStream(provider: IdentityProvider, answer: (request: WindowRequest) => Promise<WindowAnswer>): RecordingStream {
  const requests: WindowRequest[] = [];
  return {
    provider,
    requests,
    fetch: async (request) => {
      requests.push(request);
      return answer(request);
    },
  };
}

/** A provider that returns its whole list, filtered and sorted here (windowOfList). */
export function listStream(
  provider: IdentityProvider,
  records: readonly MembershipRecord[],
  direction: OrderDirection,
  filter: OrganizationFilter = {},
): RecordingStream {
  return recordingStream(provider, async (request) =>
    windowOfList(records, { subject: { userId: null, key: 'test' }, filter, direction }, request),
  );
}

/**
 * A provider that pages on its side in an order of its own (Cloud Foundry's database
 * collation): `ordered` is served as is, the same way on every call.
 */
export function fixedOrderStream(provider: IdentityProvider, ordered: readonly MembershipRecord[]): RecordingStream {
  return recordingStream(provider, async (request) => {
    const offset = request.from === 'end' ? Math.max(0, ordered.length - request.limit) : request.offset;
    return { items: ordered.slice(offset, offset + request.limit), offset, total: ordered.length };
  });
}

/** A provider whose every fetch rejects with `error`. */
export function failingStream(provider: IdentityProvider, error: unknown): RecordingStream {
  return recordingStream(provider, async () => {
    throw error;
  });
}

/** What `run` threw (or rejected with); fails the test when it did not throw. */
export async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** Synchronous `caught`. */
export function caughtSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** Asserts an AppError with that code whose message contains `mentions`. */
export function expectAppError(error: unknown, code: ErrorCode, mentions?: string | RegExp): AppError {
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe(code);
  if (typeof mentions === 'string') expect(appError.message).toContain(mentions);
  else if (mentions) expect(appError.message).toMatch(mentions);
  return appError;
}

/** The page info as GraphQL reads it (its cursors are getters, encoded when read). */
export function pageInfoOf(page: ConnectionPage): ConnectionPage['pageInfo'] {
  const { hasNextPage, hasPreviousPage, startCursor, endCursor } = page.pageInfo;
  return { hasNextPage, hasPreviousPage, startCursor, endCursor };
}
