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

/**
 * The items (organizations, roles, permissions) kept in one cache at most, beside its entries:
 * ~0.45 KB an item, so ~45 MB. By entries alone, one caller asking for many distinct pages of
 * 100 (a Cloud Foundry filter per alias) could fill 5 000 entries with 500 000 items.
 */
const MAX_ITEMS = 100_000;

/** How many items a kept value holds: a list's length, else one. */
const itemsOf = (value: unknown): number => (Array.isArray(value) ? value.length : 1);

export class TtlCache {
  private readonly entries: LRUCache<string, { value: unknown }> | null;

  /** A TTL of 0 turns the cache off. */
  constructor(
    private readonly name: string,
    ttlSeconds: number,
    private readonly observer?: CacheObserver,
    max = 5_000,
  ) {
    this.entries = ttlSeconds > 0 ? new LRUCache({ max, maxSize: MAX_ITEMS, ttl: ttlSeconds * 1000 }) : null;
  }

  /**
   * The kept value, else what `fetch` gives (kept). A key that is costly to make may be a
   * function; `items` counts a value that is not a plain list.
   */
  async through<V>(key: string | (() => Promise<string>), fetch: () => Promise<V>, items: (value: V) => number = itemsOf): Promise<V> {
    if (!this.entries) return fetch();
    if (typeof key !== 'string') key = await key();
    const hit = this.entries.get(key);
    this.observer?.cacheLookup(this.name, hit !== undefined);
    if (hit) return hit.value as V;
    const value = await fetch();
    // Larger than the whole cache (no list the providers send is): answered, not kept.
    this.entries.set(key, { value }, { size: 1 + items(value) });
    return value;
  }
}

/** Stands for a caller's credential in a cache key: never the credential itself. */
export function credentialKey(credential: string): string {
  return createHash('sha256').update(credential).digest('base64url');
}
