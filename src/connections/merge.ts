/**
 * The k-way merge of the providers' sorted streams. Each stream is consumed strictly in
 * its own order (a queue), so every item is taken exactly once even where a provider's
 * order differs slightly from ours (Cloud Foundry's database collation).
 */
import type { Comparator } from './order';
import type { MembershipRecord } from '../providers/provider';

export interface Pick {
  item: MembershipRecord;
  /** Index of the stream it came from. */
  stream: number;
}

/** Up to `size` items from the heads of the streams, smallest first. */
export function mergeHeads(streams: MembershipRecord[][], size: number, compare: Comparator): Pick[] {
  const heads = streams.map(() => 0);
  const picks: Pick[] = [];
  while (picks.length < size) {
    let best = -1;
    streams.forEach((items, stream) => {
      const head = items[heads[stream]!];
      if (head && (best < 0 || compare(head, streams[best]![heads[best]!]!) < 0)) best = stream;
    });
    if (best < 0) break;
    picks.push({ item: streams[best]![heads[best]!]!, stream: best });
    heads[best]! += 1;
  }
  return picks;
}

/** Up to `size` items from the tails of the streams, largest first taken, returned in list order. */
export function mergeTails(streams: MembershipRecord[][], size: number, compare: Comparator): Pick[] {
  const reversed = streams.map((items) => [...items].reverse());
  return mergeHeads(reversed, size, (a, b) => compare(b, a)).reverse();
}
