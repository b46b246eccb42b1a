/**
 * The resilience policies around one provider's calls, with attempts that answer as a provider
 * would: the budget's end is not the provider's failure.
 */
import { AppError } from '../../src/errors';
import type { UpstreamResponse } from '../../src/upstream/http-client';
import { ProviderResilience, type CircuitStateName } from '../../src/upstream/resilience';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const refusal: UpstreamResponse = { status: 429, headers: { 'retry-after': '0' }, body: '{}' };
const ok: UpstreamResponse = { status: 200, headers: {}, body: '{}' };

describe('ProviderResilience', () => {
  it('an attempt the budget cuts short, while waiting out a rate limit, answers the last refusal and opens no circuit', async () => {
    const circuit: CircuitStateName[] = [];
    const policy = new ProviderResilience(
      'AUTH0',
      { maxRetries: 2, budgetMs: 3_000, concurrency: 10, breakerThreshold: 1, halfOpenAfterMs: 60_000 },
      { retried: () => undefined, circuitChanged: (_provider, state) => circuit.push(state) },
    );
    const timeouts: number[] = [];
    // Refuses (after 400 ms) while it has time; an attempt given less than 1.5 s times out, as a
    // slow provider's would, at the very end of the budget.
    const answer = await policy.run(async (timeoutMs) => {
      if (timeoutMs >= 1_500) return sleep(400).then(() => refusal);
      timeouts.push(timeoutMs);
      await sleep(timeoutMs);
      throw new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 did not answer in time', { provider: 'AUTH0' });
    });
    expect(timeouts).toHaveLength(1);
    expect(answer).toBe(refusal);
    // With a threshold of one failure, a counted timeout would have opened the circuit.
    expect(circuit).toEqual([]);
    expect(await policy.run(async () => ok)).toBe(ok);
  });

  it('a provider timing out within the budget is still a failure the circuit counts', async () => {
    const circuit: CircuitStateName[] = [];
    const policy = new ProviderResilience(
      'AUTH0',
      { maxRetries: 0, budgetMs: 3_000, concurrency: 10, breakerThreshold: 1, halfOpenAfterMs: 60_000 },
      { retried: () => undefined, circuitChanged: (_provider, state) => circuit.push(state) },
    );
    const failure = new AppError('UPSTREAM_UNAVAILABLE', 'AUTH0 did not answer in time', { provider: 'AUTH0' });
    await expect(policy.run(() => sleep(50).then(() => Promise.reject(failure)))).rejects.toBe(failure);
    expect(circuit).toEqual(['open']);
  });
});
