/**
 * The concurrency limit shared by the requests waiting for it: never more calls at once than
 * allowed, each request's calls in order, and the requests waiting served in turn, so that a
 * call queued behind another request's burst waits for one call of each request ahead, not for
 * the whole burst.
 */
import fc from 'fast-check';
import { FairLimiter, LimiterFull } from '../../src/upstream/fair-limiter';

/** Lets every settled promise's reactions run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Calls that run until told to finish, and the order they started in. */
function calls(limiter: FairLimiter) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const outcomes = new Map<string, Promise<string>>();
  const call = (party: object, name: string) => {
    const outcome = limiter.run(party, () => {
      started.push(name);
      return new Promise<string>((resolve) => finishers.set(name, () => resolve(name)));
    });
    outcomes.set(name, outcome);
    return outcome;
  };
  const finish = async (name: string) => {
    finishers.get(name)!();
    expect(await outcomes.get(name)).toBe(name);
    await settle();
  };
  return { call, finish, started };
}

describe('FairLimiter', () => {
  it('gives a request alone every connection at once, and queues the next call', async () => {
    const limiter = new FairLimiter(3, 100);
    const { call, finish, started } = calls(limiter);
    const request = {};
    for (const name of ['a1', 'a2', 'a3', 'a4']) void call(request, name);
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    expect(limiter.use).toEqual({ inFlight: 3, waiting: 1 });
    await finish('a2');
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(limiter.use).toEqual({ inFlight: 3, waiting: 0 });
    for (const name of ['a1', 'a3', 'a4']) await finish(name);
    expect(limiter.use).toEqual({ inFlight: 0, waiting: 0 });
  });

  it("serves a request that arrives behind another's burst at the next turn, not after the burst", async () => {
    const { call, finish, started } = calls(new FairLimiter(2, 100));
    const burst = {};
    const next = {};
    for (let index = 1; index <= 10; index += 1) void call(burst, `a${index}`);
    await settle();
    void call(next, 'b1');
    void call(next, 'b2');
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    // Each freed connection goes to the requests in turn, each request's calls in order.
    for (const name of ['a1', 'a2', 'a3', 'b1', 'a4']) await finish(name);
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'a4', 'b2', 'a5']);
  });

  it('frees the connection of a call that fails', async () => {
    const limiter = new FairLimiter(1, 100);
    const failure = new Error('no answer');
    await expect(limiter.run({}, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(limiter.run({}, async () => 'answered')).resolves.toBe('answered');
  });

  it('refuses a call at once when the queue is full, and still serves those waiting', async () => {
    const { call, finish, started } = calls(new FairLimiter(1, 2));
    const request = {};
    for (const name of ['a1', 'a2', 'a3']) void call(request, name);
    await expect(call({}, 'refused')).rejects.toBeInstanceOf(LimiterFull);
    await settle();
    for (const name of ['a1', 'a2', 'a3']) await finish(name);
    expect(started).toEqual(['a1', 'a2', 'a3']);
  });

  it('under any arrivals and finishes: at most `concurrency` at once, every call runs, each request in order, and a waiting call is passed by at most one call of each other request per call of its own ahead of it', async () => {
    const step = fc.oneof(
      fc.record({ arrive: fc.nat({ max: 3 }) }),
      fc.record({ finish: fc.nat({ max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 60 }), async (concurrency, steps) => {
        const limiter = new FairLimiter(concurrency, 1_000);
        const parties = [{}, {}, {}, {}];
        const running: Array<() => void> = [];
        /** Per call: its request, how many calls of its request waited ahead of it, and how many calls had started when it came. */
        const made: Array<{ party: number; ahead: number; startsBefore: number }> = [];
        const order: number[] = [];
        const outcomes: Promise<void>[] = [];
        let most = 0;
        const arrive = (party: number) => {
          const id = made.length;
          const ahead = made.filter((other, index) => other.party === party && !order.includes(index)).length;
          made.push({ party, ahead, startsBefore: order.length });
          outcomes.push(
            limiter.run(parties[party]!, () => {
              order.push(id);
              most = Math.max(most, running.length + 1);
              return new Promise<void>((resolve) => running.push(resolve));
            }),
          );
        };
        for (const next of steps) {
          if ('arrive' in next) arrive(next.arrive);
          else if (running.length > 0) running.splice(next.finish % running.length, 1)[0]!();
          await settle();
          expect(limiter.use).toEqual({ inFlight: running.length, waiting: made.length - order.length });
        }
        while (running.length > 0) {
          running.shift()!();
          await settle();
        }
        await Promise.all(outcomes);
        expect(most).toBeLessThanOrEqual(concurrency);
        expect([...order].sort((a, b) => a - b)).toEqual(made.map((_, id) => id));
        for (let party = 0; party < parties.length; party += 1) {
          const own = order.filter((id) => made[id]!.party === party);
          expect(own).toEqual([...own].sort((a, b) => a - b));
        }
        // Between a call's arrival and its start, each other request starts at most one call
        // per turn of the call's request, which needs a turn for each call waiting ahead of it
        // and one for itself. (First come, first served, a call behind a burst waits for all of it.)
        const others = parties.length - 1;
        made.forEach(({ party, ahead, startsBefore }, id) => {
          const passedBy = order.slice(startsBefore, order.indexOf(id)).filter((other) => made[other]!.party !== party);
          expect(passedBy.length).toBeLessThanOrEqual((ahead + 1) * others);
        });
      }),
      { numRuns: 300 },
    );
  });
});
