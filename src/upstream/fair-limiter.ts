/**
 * A provider's concurrency limit, shared fairly between the GraphQL requests that wait for it.
 *
 * First come, first served (cockatiel's bulkhead) would let one request's burst (an admin's
 * `_entities` of a hundred users, each with aliases) take every connection until all of it has
 * been sent: a caller arriving just after it would wait seconds for a single call, or run out
 * of its budget. Here the calls waiting are grouped by the request they work for (the owner
 * object), and a connection that frees up goes to the requests in turn (round robin), each
 * request's calls in the order they came. A request alone still gets every connection, so a
 * batch of fifty users runs at once. The queue's bound is shared the same way: when it is full,
 * the request with the most calls waiting gives up its newest, so a burst that fills it does
 * not get the next caller refused.
 */

/** Every connection is taken, `queueLimit` calls already wait, and this request has the most of them. */
export class LimiterFull extends Error {
  constructor() {
    super('too many calls waiting for a connection');
  }
}

/** How a limit's connections are used at one moment. */
export interface ConnectionUse {
  /** Calls holding a connection. */
  inFlight: number;
  /** Calls waiting for one. */
  waiting: number;
}

/** A call waiting for its turn: told to start, or refused. */
interface Waiting {
  start: () => void;
  refuse: (error: LimiterFull) => void;
}

export class FairLimiter {
  private running = 0;
  private waiting = 0;
  /**
   * The requests with calls waiting, in the order of their next turn (a Map keeps insertion
   * order): served from the front, and moved to the back when calls of theirs still wait.
   */
  private readonly turns = new Map<object, Waiting[]>();

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  get use(): ConnectionUse {
    return { inFlight: this.running, waiting: this.waiting };
  }

  /** Runs `work` once a connection is free and it is `party`'s turn; LimiterFull when the queue is full (see makeRoom). */
  async run<T>(party: object, work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running += 1;
    else await this.turn(party);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private turn(party: object): Promise<void> {
    if (this.waiting >= this.queueLimit && !this.makeRoom(party)) return Promise.reject(new LimiterFull());
    this.waiting += 1;
    return new Promise((start, refuse) => {
      const calls = this.turns.get(party);
      if (calls) calls.push({ start, refuse });
      else this.turns.set(party, [{ start, refuse }]);
    });
  }

  /**
   * The queue is full: the request with the most calls waiting, the newcomer counted, gives one
   * up. When that is another request, its newest call is refused to make room (true); when it
   * is the newcomer's own, the newcomer is (false).
   */
  private makeRoom(party: object): boolean {
    const own = (this.turns.get(party)?.length ?? 0) + 1;
    let largest: Waiting[] = [];
    for (const calls of this.turns.values()) if (calls.length > largest.length) largest = calls;
    if (largest.length <= own) return false;
    // Never its last: a request with the most calls waiting has more than the newcomer's one.
    largest.pop()!.refuse(new LimiterFull());
    this.waiting -= 1;
    return true;
  }

  /** Hands the connection to the next request's oldest call, or frees it. */
  private release(): void {
    const next = this.turns.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [party, calls] = next.value;
    const { start } = calls.shift()!;
    this.waiting -= 1;
    this.turns.delete(party);
    if (calls.length > 0) this.turns.set(party, calls);
    start();
  }
}
