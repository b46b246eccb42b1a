/**
 * The machine token the subgraph calls a provider with (Auth0 Management API, UAA client
 * credentials), on a clock of the test's own: kept while it has more than 10 s to live,
 * renewed before it lapses rather than only after a provider refuses it with 401.
 */
import { CachedAccessToken, type IssuedToken } from '../../src/upstream/access-token';
import type { UpstreamResponse } from '../../src/upstream/http-client';

const LIFETIME_SECONDS = 60;

/** A token endpoint that numbers its tokens and remembers when each one expires. */
function tokenEndpoint(clock: { now: number }) {
  const expiresAt = new Map<string, number>();
  const issue = jest.fn(async (): Promise<IssuedToken> => {
    const token = `t${issue.mock.calls.length}`;
    expiresAt.set(token, clock.now + LIFETIME_SECONDS * 1000);
    return { token, expiresInSeconds: LIFETIME_SECONDS };
  });
  return { issue, expiresAt };
}

/** A provider that takes a token until it expires and answers 401 after. */
function provider(clock: { now: number }, expiresAt: Map<string, number>) {
  const sent: string[] = [];
  const attempt = async (token: string): Promise<UpstreamResponse> => {
    sent.push(token);
    const valid = clock.now < (expiresAt.get(token) ?? -Infinity);
    return { status: valid ? 200 : 401, headers: {}, body: valid ? '{}' : '{"statusCode":401}' };
  };
  return { sent, attempt };
}

describe('CachedAccessToken', () => {
  it('keeps a token while it has more than 10 s to live, then renews it before it expires, not after a 401', async () => {
    const clock = { now: 1_000_000 };
    const { issue, expiresAt } = tokenEndpoint(clock);
    const { sent, attempt } = provider(clock, expiresAt);
    const token = new CachedAccessToken(issue, () => clock.now);

    expect((await token.send(attempt)).status).toBe(200);
    clock.now += 49_000; // 11 s left: still kept
    expect((await token.send(attempt)).status).toBe(200);
    expect(issue).toHaveBeenCalledTimes(1);

    clock.now += 2_000; // 9 s left: t1 would still be taken, but it is renewed first
    expect((await token.send(attempt)).status).toBe(200);
    expect(issue).toHaveBeenCalledTimes(2);
    expect(sent).toEqual(['t1', 't1', 't2']);
    expect(await token.get()).toBe('t2');
  });

  it('counts the renewed token’s 60 s from when it was issued', async () => {
    const clock = { now: 1_000_000 };
    const { issue } = tokenEndpoint(clock);
    const token = new CachedAccessToken(issue, () => clock.now);

    expect(await token.get()).toBe('t1');
    clock.now += 51_000;
    expect(await token.get()).toBe('t2'); // issued at 51 s, expires at 111 s
    clock.now += 49_000; // 100 s: 11 s left
    expect(await token.get()).toBe('t2');
    clock.now += 2_000; // 102 s: 9 s left
    expect(await token.get()).toBe('t3');
    expect(issue).toHaveBeenCalledTimes(3);
  });
});
