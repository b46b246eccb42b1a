/**
 * What is kept across requests is bounded twice: by entries, and by the items the entries hold,
 * so that one caller's many large lists cannot fill memory (and evict everyone else's).
 */
import { TtlCache } from '../../src/providers/ttl-cache';

/** A fetch that counts its calls, answering `value`. */
function counted<V>(value: V): { fetch: () => Promise<V>; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      calls += 1;
      return value;
    },
    calls: () => calls,
  };
}

const items = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('TtlCache', () => {
  it('keeps a value for later lookups, and asks again for other keys', async () => {
    const cache = new TtlCache('lists', 60);
    const one = counted(['x']);
    expect(await cache.through('a', one.fetch)).toEqual(['x']);
    expect(await cache.through('a', one.fetch)).toEqual(['x']);
    expect(one.calls()).toBe(1);
    await cache.through('b', one.fetch);
    expect(one.calls()).toBe(2);
  });

  it('is off with a TTL of 0: every lookup fetches', async () => {
    const cache = new TtlCache('lists', 0);
    const one = counted(['x']);
    await cache.through('a', one.fetch);
    await cache.through('a', one.fetch);
    expect(one.calls()).toBe(2);
  });

  it('holds at most 100 000 items: large lists evict the least recently used, whatever the entry count', async () => {
    const cache = new TtlCache('lists', 60);
    const [a, b, c] = [counted(items(40_000)), counted(items(40_000)), counted(items(40_000))];
    await cache.through('a', a.fetch);
    await cache.through('b', b.fetch);
    await cache.through('c', c.fetch); // 120 003 > 100 000: `a` goes
    await cache.through('c', c.fetch);
    await cache.through('b', b.fetch);
    expect([b.calls(), c.calls()]).toEqual([1, 1]);
    await cache.through('a', a.fetch);
    expect(a.calls()).toBe(2);
  });

  it('counts what is not a plain list as it is told, and keeps nothing larger than the whole', async () => {
    const cache = new TtlCache('lists', 60);
    const page = counted({ resources: items(60_000) });
    const other = counted({ resources: items(60_000) });
    await cache.through('page', page.fetch, (value) => value.resources.length);
    await cache.through('other', other.fetch, (value) => value.resources.length); // 120 002: `page` goes
    await cache.through('page', page.fetch, (value) => value.resources.length);
    expect(page.calls()).toBe(2);

    const huge = counted(items(100_000)); // 100 001 with its entry: answered, never kept
    expect(await cache.through('huge', huge.fetch)).toHaveLength(100_000);
    await cache.through('huge', huge.fetch);
    expect(huge.calls()).toBe(2);
  });
});
