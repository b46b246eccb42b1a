/**
 * Opaque cursors. A cursor holds, for each provider, how many of its items precede the
 * edge in the merged list, which provider the edge came from, and a fingerprint of the
 * arguments that produced the list: used with other arguments, it is refused.
 */
import { createHash } from 'node:crypto';
import { PROVIDER_ORDER } from '../providers/provider';
import type { IdentityProvider } from '../graphql/generated';
import { badUserInput } from '../errors';

export interface CursorPosition {
  /** Items of each provider before the edge, indexed like PROVIDER_ORDER. */
  before: number[];
  /** The provider of the edge's own item. */
  provider: IdentityProvider;
}

const VERSION = 'c1';
const MAX_POSITION = 9_999_999;
/**
 * The position of a provider that failed on a `last` page without `before`, where its list
 * ends was not known: it bounds nothing, read in `after` as its list's start and in `before`
 * as its end, so that walking on either way shows all of its items (some perhaps twice).
 */
export const UNKNOWN_POSITION = MAX_POSITION;
const FINGERPRINT = /^[A-Za-z0-9_-]{11}$/;

/** A short digest of whatever the list depends on (filter, order, providers, subject). */
export function fingerprint(binding: unknown): string {
  return createHash('sha256').update(canonicalJson(binding)).digest('base64url').slice(0, 11);
}

/**
 * The fingerprint, computed on first use: most pages neither read nor make a cursor. The
 * binding is read then, not now, so it must not change in between (callers pass validated
 * arguments, which nothing mutates).
 */
export function lazyFingerprint(binding: unknown): () => string {
  let digest: string | undefined;
  return () => (digest ??= fingerprint(binding));
}

/** JSON with sorted keys and without null/undefined members, so equal arguments hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, member]) => member != null)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function encodeCursor(fingerprintOfList: string, position: CursorPosition): string {
  const provider = PROVIDER_ORDER.indexOf(position.provider);
  const text = `${VERSION}:${fingerprintOfList}:${provider}:${position.before.join('.')}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Throws BAD_USER_INPUT unless the cursor decodes and was made for these arguments. */
export function decodeCursor(cursor: string, fingerprintOfList: string, argument: string): CursorPosition {
  const invalid = () => badUserInput(`${argument}: not a cursor of this connection`);
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== 4 || parts[0] !== VERSION || !FINGERPRINT.test(parts[1]!)) throw invalid();
  if (parts[1] !== fingerprintOfList) {
    throw badUserInput(`${argument}: the cursor belongs to other arguments (field, user or caller, filter, order or providers)`);
  }
  const provider = PROVIDER_ORDER[Number(parts[2])];
  const before = parts[3]!.split('.').map((digits) => (/^\d{1,7}$/.test(digits) ? Number(digits) : NaN));
  if (!/^\d$/.test(parts[2]!) || !provider || before.length !== PROVIDER_ORDER.length) throw invalid();
  if (before.some((position) => !Number.isInteger(position) || position > MAX_POSITION)) throw invalid();
  return { before, provider };
}
