/**
 * The resilience policies around one provider's calls, with attempts that answer as a provider
 * would: rate limits are waited out within the budget, and the budget's end is not the
 * provider's failure, while a provider that does not answer is.
 */
import { AppError } from '../../src/errors';
import type { UpstreamResponse } from '../../src/upstream/http-client';
import { ProviderResilience, type CircuitStateName, type ResilienceSettings } from '../../src/upstream/resilience';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const refusal: UpstreamResponse = { status: 429, headers: { 'retry-after': '0' }, body: '{}' };
const unavailable: UpstreamResponse = { status: 503, headers: { 'retry-after': '0' }, body: '{}' };
const ok: UpstreamResponse = { status: 200, headers: {}, body: '{}' };

/** An attempt that never answers: it times out when its time is up, as the HTTP client's do. */
async function hang(timeoutMs: number): Promise<UpstreamResponse> {
  await sleep(timeoutMs);
  throw new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 did not answer in time', { provider: 'AUTH0' });
}

/** A policy for AUTH0 (threshold 1 unless told), the circuit states it went through and the retries it decided on. */
function watched(settings: Partial<ResilienceSettings>) {
  const circuit: CircuitStateName[] = [];
  const retries = { count: 0 };
  const policy = new ProviderResilience(
    'AUTH0',
    { maxRetries: 2, budgetMs: 3_000, concurrency: 10, breakerThreshold: 1, halfOpenAfterMs: 60_000, ...settings },
    { retried: () => (retries.count += 1), circuitChanged: (_provider, state) => circuit.push(state) },
  );
  return { policy, circuit, retries };
}

/**
 * A call holding the one connection for `busyMs`, and a call queued behind it whose attempts
 * hang: the second's refusal, and the time each of its attempts was given.
 */
function queuedBehind(policy: ProviderResilience, busyMs: number) {
  const first = policy.run(() => sleep(busyMs).then(() => ok));
  const given: number[] = [];
  const second = policy.run((timeoutMs) => {
    given.push(timeoutMs);
    return hang(timeoutMs);
  });
  const refusal = async (message: RegExp) => {
    await expect(second).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(message), details: { provider: 'AUTH0' } });
    expect(await first).toBe(ok);
  };
  return { refusal, given };
}

describe('ProviderResilience', () => {
  it('an attempt the budget cuts short, while waiting out a rate limit, answers the last refusal and opens no circuit', async () => {
    const { policy, circuit } = watched({ budgetMs: 4_000 });
    const timeouts: number[] = [];
    // Refuses (after 400 ms) while it has time; an attempt given less than 3 s hangs, as a slow
    // provider would, to the very end of the budget. (A refusal with more than 3 s left, plus
    // its wait of at most 1 s, leaves 1.5 s for that attempt: room for a loaded machine's stalls,
    // where 2 s of a 3 s budget left 0.5 s.)
    const answer = await policy.run(async (timeoutMs) => {
      if (timeoutMs >= 3_000) return sleep(400).then(() => refusal);
      timeouts.push(timeoutMs);
      return hang(timeoutMs);
    });
    expect(timeouts).toHaveLength(1);
    expect(answer).toBe(refusal);
    // With a threshold of one failure, a counted timeout would have opened the circuit.
    expect(circuit).toEqual([]);
    expect(await policy.run(async () => ok)).toBe(ok);
  });

  it('a wait after a refusal that ends late, leaving less than 100 ms, answers the refusal without another attempt and opens no circuit', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.99); // a wait of 990 ms after the refusal
    try {
      const { policy, circuit, retries } = watched({ budgetMs: 2_000 });
      // The machine stalls from 950 ms to 1960 ms: the wait, planned with 910 ms to spare, ends
      // with ~40 ms of the budget left, too little for an attempt.
      const started = Date.now();
      setTimeout(() => {
        while (Date.now() < started + 1_960);
      }, 950);
      let calls = 0;
      const answer = await policy.run(async (timeoutMs) => ((calls += 1) === 1 ? refusal : hang(timeoutMs)));
      expect(answer).toBe(refusal);
      // The retry was planned (the call waited through the stall), but its attempt never went
      // out, nor was it counted as a retry.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_960);
      expect(calls).toBe(1);
      expect(retries.count).toBe(0);
      expect(circuit).toEqual([]);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it.each([2, 5])('a provider refusing every time is asked at most six times (five retries), whatever maxRetries (%i)', async (maxRetries) => {
    const { policy } = watched({ maxRetries, budgetMs: 30_000 });
    let attempts = 0;
    const answer = await policy.run(async () => ((attempts += 1), refusal));
    expect(answer).toBe(refusal);
    expect(attempts).toBe(6);
  });

  it('a call whose budget ran out while it queued for a free connection is not sent, and opens no circuit', async () => {
    const { policy, circuit } = watched({ concurrency: 1, budgetMs: 500 });
    // The one connection is busy for 450 ms of the second call's 500 ms budget.
    const { refusal, given } = queuedBehind(policy, 450);
    await refusal(/ran out while it waited its turn/);
    // Sent with the ~50 ms left, it would have timed out, and with a threshold of one failure
    // opened the circuit for every other caller.
    expect(given).toEqual([]);
    expect(circuit).toEqual([]);
    expect(await policy.run(async () => ok)).toBe(ok);
  });

  it('an attempt the budget left less than half a whole attempt, that times out, is UPSTREAM_UNAVAILABLE and opens no circuit', async () => {
    const { policy, circuit } = watched({ concurrency: 1, budgetMs: 600, attemptTimeoutMs: 500 });
    // The one connection is busy for 420 ms: the queued call is left ~180 ms, under half its 500.
    const { refusal, given } = queuedBehind(policy, 420);
    await refusal(/little time left in the call's budget/);
    expect(given).toHaveLength(1);
    expect(given[0]).toBeGreaterThanOrEqual(100);
    expect(given[0]).toBeLessThan(250);
    // A provider answering in its usual time could not have: with a threshold of one failure,
    // counting it would have opened the circuit for every other caller.
    expect(circuit).toEqual([]);
    // A whole attempt that times out is the provider's failure.
    await expect(policy.run(hang)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'AUTH0 did not answer in time' });
    expect(circuit).toEqual(['open']);
  });

  it('a retry left at least half a whole attempt, that times out, is the provider failing: counted', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.1); // a backoff of 40 ms after the first timeout
    try {
      // The first attempt times out at 500 ms; the retry is left ~460 ms of its 500.
      const { policy, circuit } = watched({ budgetMs: 1_000, attemptTimeoutMs: 500, breakerThreshold: 2 });
      const given: number[] = [];
      await expect(
        policy.run((timeoutMs) => {
          given.push(timeoutMs);
          return hang(timeoutMs);
        }),
      ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'AUTH0 did not answer in time' });
      expect(given[0]).toBe(500);
      expect(given[1]).toBeGreaterThanOrEqual(250);
      expect(circuit).toEqual(['open']);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it("after a refusal, a whole attempt that times out is the provider's failure, not the old refusal", async () => {
    const { policy, circuit } = watched({ budgetMs: 5_000, attemptTimeoutMs: 500 });
    const answers = [refusal];
    await expect(policy.run(async (timeoutMs) => answers.shift() ?? hang(timeoutMs))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(circuit).toEqual(['open']);
  });

  it.each([
    ['UPSTREAM_TIMEOUT_MS', { attemptTimeoutMs: 50 }, 50],
    ['UPSTREAM_RETRY_BUDGET_MS', { budgetMs: 80 }, 80],
  ] as const)('a %s under 100 ms still sends the call, with that time', async (_setting, settings, expected) => {
    const { policy } = watched(settings);
    const given: number[] = [];
    expect(await policy.run(async (timeoutMs) => (given.push(timeoutMs), ok))).toBe(ok);
    expect(given).toHaveLength(1);
    expect(given[0]).toBeLessThanOrEqual(expected);
    expect(given[0]).toBeGreaterThan(expected - 10);
  });

  it('a provider that hangs, when the timeout is the whole budget, is a failure the circuit counts', async () => {
    const { policy, circuit } = watched({ budgetMs: 200 });
    await expect(policy.run(hang)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(circuit).toEqual(['open']);
  });

  it('after a refusal then a server error, a timeout of a whole attempt is that failure, counted, not the old refusal', async () => {
    // Room for the refusal's wait (≤ 1 s) and the 503's backoff (≤ 0.8 s) before the hanging
    // attempt, which still gets its whole second.
    const { policy, circuit } = watched({ budgetMs: 3_000, breakerThreshold: 2, attemptTimeoutMs: 1_000 });
    const answers = [refusal, unavailable];
    await expect(policy.run(async (timeoutMs) => answers.shift() ?? hang(timeoutMs))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    // The 503 and the timeout: two consecutive failures, the threshold.
    expect(circuit).toEqual(['open']);
  });

  it('a half-open probe that hangs until the budget is spent opens the circuit again', async () => {
    // The circuit half-opens 2 s after opening: the last call below, made right after the probe,
    // must meet the reopened circuit even on a loaded machine (100 ms was not enough in CI).
    const { policy, circuit } = watched({ maxRetries: 0, budgetMs: 300, halfOpenAfterMs: 2_000 });
    const failure = new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 answered 500', { provider: 'AUTH0' });
    await expect(policy.run(() => Promise.reject(failure))).rejects.toBe(failure);
    await sleep(2_100);
    await expect(policy.run(hang)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(circuit).toEqual(['open', 'half-open', 'open']);
    let asked = false;
    await expect(policy.run(async () => ((asked = true), ok))).rejects.toMatchObject({ message: expect.stringMatching(/circuit open/) });
    expect(asked).toBe(false);
  });

  it('a provider failing within the budget is a failure the circuit counts', async () => {
    const { policy, circuit } = watched({ maxRetries: 0 });
    const failure = new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 did not answer in time', { provider: 'AUTH0' });
    await expect(policy.run(() => sleep(50).then(() => Promise.reject(failure)))).rejects.toBe(failure);
    expect(circuit).toEqual(['open']);
  });

  it("gives a connection to the requests owning the calls in turn, and calls no request owns a turn of their own", async () => {
    const { policy } = watched({ concurrency: 1 });
    const started: string[] = [];
    const call = (name: string, owner?: { connection: { destroyed: boolean } }) =>
      policy.run(async () => (started.push(name), sleep(20).then(() => ok)), owner);
    const [burst, next] = [{ connection: { destroyed: false } }, { connection: { destroyed: false } }];
    const calls = [...['a1', 'a2', 'a3', 'a4'].map((name) => call(name, burst)), call('b1', next), call('token'), call('a5', burst)];
    await Promise.all(calls);
    expect(started).toEqual(['a1', 'a2', 'b1', 'token', 'a3', 'a4', 'a5']);
  });

  describe('for a client that has gone', () => {
    const gone = { connection: { destroyed: true } };

    it('makes no attempt, and counts nothing against the circuit', async () => {
      const { policy, circuit } = watched({});
      let asked = false;
      await expect(policy.run(async () => ((asked = true), ok), gone)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'AUTH0 was not asked: the client has gone',
      });
      expect(asked).toBe(false);
      expect(circuit).toEqual([]);
      expect(await policy.run(async () => ok, { connection: { destroyed: false } })).toBe(ok);
    });

    it('stops waiting its turn after a refusal once the client hangs up', async () => {
      const { policy, retries } = watched({});
      const connection = { destroyed: false };
      let attempts = 0;
      const outcome = policy.run(async () => {
        attempts += 1;
        connection.destroyed = true;
        return refusal;
      }, { connection });
      await expect(outcome).rejects.toMatchObject({ message: 'AUTH0 was not asked: the client has gone' });
      expect([attempts, retries.count]).toEqual([1, 0]);
    });

    it("still sends a half-open circuit's probe (an attempt not made would read as a success)", async () => {
      const { policy, circuit } = watched({ maxRetries: 0, halfOpenAfterMs: 200 });
      const failure = new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 answered 500', { provider: 'AUTH0' });
      await expect(policy.run(() => Promise.reject(failure))).rejects.toBe(failure);
      await sleep(300);
      let asked = false;
      await expect(policy.run(async () => ((asked = true), Promise.reject(failure)), gone)).rejects.toBe(failure);
      expect(asked).toBe(true);
      expect(circuit).toEqual(['open', 'half-open', 'open']);
    });
  });
});
