/**
 * A provider's concurrency limit, shared fairly between the GraphQL requests that wait for it.
 *
 * First come, first served (cockatiel's bulkhead) would let one request's burst (an admin's
 * `_entities` of a hundred users, each with aliases) take every connection until all of it has
 * been sent: a caller arriving just after it would wait seconds for a single call, or run out
 * of its budget. Here the calls waiting are grouped by the request they work for (the owner
 * object), and a connection that frees up goes to the requests in turn (round robin), each
 * request's calls in the order they came. A request alone still gets every connection, so a
 * batch of fifty users runs at once.
 */

/** Every connection is taken and `queueLimit` calls already wait. */
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

export class FairLimiter {
  private running = 0;
  private waiting = 0;
  /**
   * The requests with calls waiting, in the order of their next turn (a Map keeps insertion
   * order): served from the front, and moved to the back when calls of theirs still wait.
   */
  private readonly turns = new Map<object, Array<() => void>>();

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  get use(): ConnectionUse {
    return { inFlight: this.running, waiting: this.waiting };
  }

  /** Runs `work` once a connection is free and it is `party`'s turn; LimiterFull when the queue is full. */
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
    if (this.waiting >= this.queueLimit) return Promise.reject(new LimiterFull());
    this.waiting += 1;
    return new Promise((start) => {
      const calls = this.turns.get(party);
      if (calls) calls.push(start);
      else this.turns.set(party, [start]);
    });
  }

  /** Hands the connection to the next request's oldest call, or frees it. */
  private release(): void {
    const next = this.turns.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [party, calls] = next.value;
    const start = calls.shift()!;
    this.waiting -= 1;
    this.turns.delete(party);
    if (calls.length > 0) this.turns.set(party, calls);
    start();
  }
}
