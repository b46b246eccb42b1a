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

  it('frees the connection of a call that fails, or throws before it is under way', async () => {
    const limiter = new FairLimiter(1, 100);
    const failure = new Error('no answer');
    await expect(limiter.run({}, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      limiter.run({}, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(limiter.run({}, async () => 'answered')).resolves.toBe('answered');
    expect(limiter.use).toEqual({ inFlight: 0, waiting: 0 });
  });

  it("makes room in a full queue for another request's call: the request with the most calls waiting gives up its newest", async () => {
    const limiter = new FairLimiter(1, 2);
    const { call, finish, started } = calls(limiter);
    const burst = {};
    for (const name of ['a1', 'a2']) void call(burst, name);
    const newest = call(burst, 'a3');
    await settle();
    expect(limiter.use).toEqual({ inFlight: 1, waiting: 2 });
    void call({}, 'b1');
    await expect(newest).rejects.toBeInstanceOf(LimiterFull);
    expect(limiter.use).toEqual({ inFlight: 1, waiting: 2 });
    for (const name of ['a1', 'a2', 'b1']) await finish(name);
    expect(started).toEqual(['a1', 'a2', 'b1']);
  });

  it('refuses the newcomer when its own request has the most calls waiting, the newcomer counted (ties too)', async () => {
    const limiter = new FairLimiter(1, 2);
    const { call, finish, started } = calls(limiter);
    const [first, second] = [{}, {}];
    for (const [party, name] of [[first, 'a1'], [first, 'a2'], [second, 'b1']] as const) void call(party, name);
    await settle();
    // Each request has one call waiting: the newcomer's would make two.
    await expect(call(first, 'a3')).rejects.toBeInstanceOf(LimiterFull);
    await expect(call({}, 'c1')).rejects.toBeInstanceOf(LimiterFull);
    for (const name of ['a1', 'a2', 'b1']) await finish(name);
    expect(started).toEqual(['a1', 'a2', 'b1']);
  });

  it('counts every refusal and handover back: a queue filled and drained twice refuses the same', async () => {
    const limiter = new FairLimiter(1, 3);
    const { call, finish } = calls(limiter);
    for (const round of ['x', 'y']) {
      const party = {};
      const names = [1, 2, 3, 4].map((index) => `${round}${index}`);
      for (const name of names) void call(party, name);
      await expect(call(party, `${round}5`)).rejects.toBeInstanceOf(LimiterFull);
      await settle();
      expect(limiter.use).toEqual({ inFlight: 1, waiting: 3 });
      for (const name of names) await finish(name);
      expect(limiter.use).toEqual({ inFlight: 0, waiting: 0 });
    }
  });

  it('under any arrivals and finishes: at most `concurrency` at once, every call runs or is refused from a request with the most waiting, each request in order, and a waiting call is passed by at most one call of each other request per call of its own ahead of it', async () => {
    // Arrivals outnumber finishes, so that queues build up behind bursts and fill.
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ arrive: fc.nat({ max: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ finish: fc.nat({ max: 20 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 60 }), async (concurrency, queueLimit, steps) => {
        const limiter = new FairLimiter(concurrency, queueLimit);
        const parties = [{}, {}, {}, {}];
        const running: Array<() => void> = [];
        /** Per call: its request, how many calls of its request waited ahead of it, and how many calls had started when it came. */
        const made: Array<{ party: number; ahead: number; startsBefore: number }> = [];
        const order: number[] = [];
        const refused = new Set<number>();
        const outcomes: Promise<void>[] = [];
        let most = 0;
        const waitingOf = (party: number) =>
          made.filter((call, id) => call.party === party && !order.includes(id) && !refused.has(id)).length;
        const arrive = (party: number) => {
          const id = made.length;
          made.push({ party, ahead: waitingOf(party), startsBefore: order.length });
          outcomes.push(
            limiter
              .run(parties[party]!, () => {
                order.push(id);
                most = Math.max(most, running.length + 1);
                return new Promise<void>((resolve) => running.push(resolve));
              })
              .catch((error: unknown) => {
                expect(error).toBeInstanceOf(LimiterFull);
                refused.add(id);
              }),
          );
        };
        for (const next of steps) {
          // Calls waiting per request before this step, the newcomer counted.
          const before = parties.map((_, party) => waitingOf(party) + ('arrive' in next && next.arrive === party ? 1 : 0));
          const refusedBefore = refused.size;
          if ('arrive' in next) arrive(next.arrive);
          else if (running.length > 0) running.splice(next.finish % running.length, 1)[0]!();
          await settle();
          expect(limiter.use).toEqual({ inFlight: running.length, waiting: made.length - order.length - refused.size });
          expect(limiter.use.waiting).toBeLessThanOrEqual(queueLimit);
          // A refusal only when an arrival met a full queue, and only of a request that had the most calls waiting.
          const newlyRefused = [...refused].slice(refusedBefore);
          expect(newlyRefused.length).toBeLessThanOrEqual('arrive' in next ? 1 : 0);
          for (const id of newlyRefused) expect(before[made[id]!.party]).toBe(Math.max(...before));
        }
        while (running.length > 0) {
          running.shift()!();
          await settle();
        }
        await Promise.all(outcomes);
        expect(most).toBeLessThanOrEqual(concurrency);
        expect([...order, ...refused].sort((a, b) => a - b)).toEqual(made.map((_, id) => id));
        for (let party = 0; party < parties.length; party += 1) {
          const own = order.filter((id) => made[id]!.party === party);
          expect(own).toEqual([...own].sort((a, b) => a - b));
        }
        // Between a call's arrival and its start, each other request starts at most one call
        // per turn of the call's request, which needs a turn for each call waiting ahead of it
        // and one for itself. (First come, first served, a call behind a burst waits for all of it.)
        const others = parties.length - 1;
        order.forEach((id, position) => {
          const { party, ahead, startsBefore } = made[id]!;
          const passedBy = order.slice(startsBefore, position).filter((other) => made[other]!.party !== party);
          expect(passedBy.length).toBeLessThanOrEqual((ahead + 1) * others);
        });
      }),
      { numRuns: 300 },
    );
  });
});
