/**
 * Answers kept across requests for a short time, bounded (LRU). Used where that is safe:
 * - role permissions (tenant-wide, the same for every caller);
 * - membership lists and members' roles, only when MEMBERSHIP_CACHE_TTL_SECONDS is set (off by
 *   default), read only after the request's own authorization check and keyed by the caller's
 *   credential wherever they were fetched with it, so no caller ever sees what they could not
 *   have fetched themselves.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Told about every lookup (metrics: cache hits). */
export interface CacheObserver {
  cacheLookup(cache: string, hit: boolean): void;
}

export class TtlCache {
  private readonly entries: LRUCache<string, { value: unknown }> | null;

  /** A TTL of 0 turns the cache off. */
  constructor(
    private readonly name: string,
    ttlSeconds: number,
    private readonly observer?: CacheObserver,
    max = 5_000,
  ) {
    this.entries = ttlSeconds > 0 ? new LRUCache({ max, ttl: ttlSeconds * 1000 }) : null;
  }

  /** The kept value, else what `fetch` gives (kept). A key that is costly to make may be a function. */
  async through<V>(key: string | (() => Promise<string>), fetch: () => Promise<V>): Promise<V> {
    if (!this.entries) return fetch();
    if (typeof key !== 'string') key = await key();
    const hit = this.entries.get(key);
    this.observer?.cacheLookup(this.name, hit !== undefined);
    if (hit) return hit.value as V;
    const value = await fetch();
    this.entries.set(key, { value });
    return value;
  }
}

/** Stands for a caller's credential in a cache key: never the credential itself. */
export function credentialKey(credential: string): string {
  return createHash('sha256').update(credential).digest('base64url');
}
