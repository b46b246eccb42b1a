/**
 * The checks made of a Wacht session before it is forwarded: its characters, and its `exp`
 * when it is a JWT (read unverified; Wacht verifies it).
 */
import { UnsecuredJWT } from 'jose';
import { checkedSession } from '../../../src/providers/wacht/session';

const now = Date.parse('2026-11-24T12:00:00Z');
const jwt = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();
const refused = (session: string) => {
  try {
    checkedSession(session, now);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('checkedSession', () => {
  it.each([
    ['an opaque token', 'sess_demo_7Qk2vN9xLp4Rt8Wz3Yb6Hc1M'],
    ['a JWT expiring in a minute', jwt({ sess: 1, exp: now / 1000 + 60 })],
    ['a JWT without exp', jwt({ sess: 1 })],
    ['a JWT whose exp is not a number', jwt({ sess: 1, exp: 'never' })],
    ['three dot-separated parts that are not a JWT', 'abc.def.ghi'],
  ])('forwards %s as it is', (_label, session) => {
    expect(checkedSession(session, now)).toBe(session);
  });

  it.each([
    ['expired a second ago', now / 1000 - 1],
    ['expiring now', now / 1000],
    ['expiring within the 30 s the clocks may differ by', now / 1000 + 29],
    ['expiring exactly 30 s from now', now / 1000 + 30],
  ])('refuses a JWT %s, as UNAUTHENTICATED for WACHT', (_label, exp) => {
    expect(refused(jwt({ sess: 1, exp }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { provider: 'WACHT' },
      message: 'The Wacht session has expired: refresh it with Wacht, then retry',
    });
  });

  it.each([
    ['a cookie riding along', 'abc; admin=1'],
    ['a space', 'abc def'],
    ['a comma', 'abc,def'],
    ['nothing', ''],
    ['more than 4096 characters', 'a'.repeat(4097)],
  ])('refuses a session with %s, as malformed', (_label, session) => {
    expect(refused(session)).toMatchObject({ code: 'UNAUTHENTICATED', details: { provider: 'WACHT' }, message: 'The Wacht session is malformed' });
  });
});
