import fc from 'fast-check';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { failureOf, parseBody, parseErrorBody, retryAfterSeconds, wireSchema } from '../../src/upstream/response';
import { organizationsPage } from '../../src/providers/auth0/wire';

/**
 * The kinds of schema the providers' wire shapes use (a loose page cut down by a transform, a
 * strict envelope whose unknown keys are dropped, a loose object that keeps them, nested
 * nullish objects and arrays, unions with a transform, ISO dates, URLs, enums), built anew each
 * time so one copy stays on the runtime parser.
 */
const item = () =>
  z.object({
    id: z.union([z.string().min(1), z.number().int()]).transform(String),
    name: z.string().min(1),
    created_at: z.iso.datetime({ offset: true }).nullish(),
    home: z.url({ protocol: /^https?$/ }).optional(),
    status: z.enum(['active', 'suspended']),
    branding: z.object({ logo_url: z.string().nullish() }).nullish(),
    roles: z.array(z.object({ id: z.string(), name: z.string() })).nullish(),
  });
const shapes = {
  'loose page with a transform': () =>
    z.looseObject({ total: z.number().int().nonnegative(), items: z.array(item()) }).transform((page) => ({ total: page.total, items: page.items })),
  'strict envelope': () => z.object({ status: z.number(), data: z.array(item()) }),
  'loose object': () => z.looseObject({ token_endpoint: z.string(), extra: z.looseObject({ a: z.number() }).optional() }),
};

/** Bodies near those shapes, valid or wrong in one field or another, with unknown keys at every level. */
const unknownKeys = fc.dictionary(fc.constantFrom('metadata', 'color', 'x'), fc.jsonValue(), { maxKeys: 2 });
const withUnknown = <T extends object>(record: fc.Arbitrary<T>) =>
  fc.tuple(record, unknownKeys).map(([known, unknown]) => ({ ...unknown, ...known }));
const itemBody = withUnknown(
  fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null)),
      name: fc.oneof(fc.string(), fc.integer()),
      created_at: fc.oneof(fc.constant('2024-05-01T10:00:00Z'), fc.constant('2024-05-01T10:00:00+02:00'), fc.string(), fc.constant(null)),
      home: fc.oneof(fc.constant('https://example.com/a'), fc.constant('ftp://example.com'), fc.string()),
      status: fc.constantFrom('active', 'suspended', 'deleted'),
      branding: fc.oneof(fc.constant(null), withUnknown(fc.record({ logo_url: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }))),
      roles: fc.oneof(fc.constant(null), fc.array(withUnknown(fc.record({ id: fc.string(), name: fc.oneof(fc.string(), fc.integer()) })), { maxLength: 2 })),
    },
    { requiredKeys: ['id', 'name', 'status'] },
  ),
);
const items = fc.oneof(fc.array(itemBody, { maxLength: 3 }), fc.string());
const body = fc.oneof(
  withUnknown(fc.record({ total: fc.oneof(fc.nat(), fc.integer(), fc.double()), items }, { requiredKeys: ['items'] })),
  withUnknown(fc.record({ status: fc.oneof(fc.nat(), fc.string()), data: items })),
  withUnknown(fc.record({ token_endpoint: fc.oneof(fc.string(), fc.nat()), extra: withUnknown(fc.record({ a: fc.oneof(fc.nat(), fc.string()) })) }, { requiredKeys: ['token_endpoint'] })),
  fc.jsonValue(),
);

it.each(Object.entries(shapes))('the compiled fast path answers exactly what the runtime parser answers (%s)', (_name, shape) => {
  const runtime = shape();
  const compiled = wireSchema(shape());
  fc.assert(
    fc.property(body, (input) => {
      const expected = runtime.safeParse(input);
      const actual = compiled.safeParse(input);
      expect(actual.success).toBe(expected.success);
      if (expected.success) expect(actual.data).toStrictEqual(expected.data);
      else expect(actual.error!.issues.map((issue) => issue.path)).toEqual(expected.error.issues.map((issue) => issue.path));
    }),
    { numRuns: 1000 },
  );
});

it('a schema the fast path cannot model fails when it is defined, not on the first request', () => {
  const asyncCheck = z.object({ name: z.string().refine(async () => true) });
  expect(() => wireSchema(asyncCheck)).toThrow(z.ZodCompileAsyncError);
});

describe('parseBody', () => {
  const answer = (body: string) => ({ status: 200, headers: {}, body });

  it('reads an Auth0 page through its compiled schema', () => {
    const page = parseBody('AUTH0', answer('{"start":0,"limit":50,"total":1,"organizations":[{"id":"org_1","name":"acme","metadata":{}}]}'), organizationsPage);
    expect(page).toEqual({ total: 1, items: [{ id: 'org_1', name: 'acme' }] });
  });

  it('names the field of a body in another shape, as UPSTREAM_ERROR', () => {
    const error = (() => {
      try {
        parseBody('AUTH0', answer('{"total":1,"organizations":[{"id":"org_1","name":""}]}'), organizationsPage);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UPSTREAM_ERROR');
    expect((error as AppError).message).toBe('AUTH0 answered in an unexpected shape (at organizations.0.name)');
    expect((error as AppError).details).toEqual({ provider: 'AUTH0' });
  });

  it('says "body" when the body as a whole is in another shape', () => {
    expect(() => parseBody('AUTH0', answer('[]'), organizationsPage)).toThrow('AUTH0 answered in an unexpected shape (at body)');
  });

  it('refuses a body that is not JSON, as UPSTREAM_ERROR for the provider', () => {
    expect(() => parseBody('AUTH0', answer('<html>'), organizationsPage)).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_ERROR', message: 'AUTH0 answered with a body that is not JSON', details: { provider: 'AUTH0' } }),
    );
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');

  it('reads Retry-After as seconds, as a UNIX time (Cloud Controller’s v2 rate limiter) or as an HTTP date', () => {
    expect(retryAfterSeconds({ 'retry-after': '7' }, now)).toBe(7);
    // A UNIX time truncated to the second: the window may last until that second's end.
    expect(retryAfterSeconds({ 'retry-after': String(now / 1000 + 17) }, now)).toBe(18);
    expect(retryAfterSeconds({ 'retry-after': String(now / 1000 + 17) }, now + 999)).toBe(18);
    expect(retryAfterSeconds({ 'retry-after': String(now / 1000) }, now + 500)).toBe(1);
    expect(retryAfterSeconds({ 'retry-after': String(now / 1000 - 3) }, now)).toBe(0);
    expect(retryAfterSeconds({ 'retry-after': new Date(now + 30_000).toUTCString() }, now)).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': 'Monday, 23-Nov-26 12:00:45 GMT' }, now)).toBe(45);
  });

  it('reads whole numbers from 1e9 (2001-09-09) up as UNIX times, below as seconds', () => {
    expect(retryAfterSeconds({ 'retry-after': '999999999' }, now)).toBe(999_999_999);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '999999999' }, now)).toBe(999_999_999);
    // 10 s before that time, 1e9 itself is the time 10 s away (Retry-After's to the end of its second).
    const before = 999_999_990_000;
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '1000000000' }, before)).toBe(10);
    expect(retryAfterSeconds({ 'retry-after': '1000000000' }, before)).toBe(11);
  });

  it('takes only a whole number from X-RateLimit-Reset', () => {
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '1.5' }, now)).toBeUndefined();
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '-5' }, now)).toBeUndefined();
  });

  it('reads X-RateLimit-Reset as a UNIX time (Auth0) or as the seconds left (Wacht’s Fiber limiter)', () => {
    expect(retryAfterSeconds({ 'x-ratelimit-reset': String(now / 1000 + 42) }, now)).toBe(42);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '42' }, now)).toBe(42);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': String(now / 1000 - 5) }, now)).toBe(0);
  });

  it('waits for the reset only once the allowance is spent (Fiber sends its headers on a 500 too)', () => {
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '58', 'x-ratelimit-remaining': '0' }, now)).toBe(58);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': '58', 'x-ratelimit-remaining': '12' }, now)).toBeUndefined();
  });

  it('prefers Retry-After, and says nothing when neither header is usable', () => {
    expect(retryAfterSeconds({ 'retry-after': '3', 'x-ratelimit-reset': '42' }, now)).toBe(3);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': 'soon' }, now)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after': 'soon', 'x-ratelimit-reset': '42' }, now)).toBe(42);
    // Neither seconds nor an HTTP date (Date.parse alone takes it for 2001-01-05).
    expect(retryAfterSeconds({ 'retry-after': '1.5', 'x-ratelimit-reset': '42' }, now)).toBe(42);
    expect(retryAfterSeconds({ 'retry-after': '-5' }, now)).toBeUndefined();
    expect(retryAfterSeconds({}, now)).toBeUndefined();
  });
});

describe('failureOf', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const refused = (headers: Record<string, string>) => ({ status: 429, headers, body: '' });

  it.each([
    ['the wait the provider names', { 'retry-after': '7' }, 7],
    ['a second when it names none', {}, 1],
    ['a second when its wait is already over (its clock ahead of ours)', { 'x-ratelimit-reset': String(now / 1000 - 5) }, 1],
    ['a second when it says 0', { 'retry-after': '0' }, 1],
  ])('tells a rate-limited client %s', (_what, headers, retryAfter) => {
    const error = failureOf('AUTH0', refused(headers), now);
    expect([error.code, error.details]).toEqual(['RATE_LIMITED', { provider: 'AUTH0', retryAfter }]);
  });

  it.each([
    [500, 'UPSTREAM_UNAVAILABLE', 'WACHT answered 500'],
    [503, 'UPSTREAM_UNAVAILABLE', 'WACHT answered 503'],
    [408, 'UPSTREAM_UNAVAILABLE', 'WACHT answered 408'],
    [418, 'UPSTREAM_ERROR', 'WACHT answered 418 unexpectedly'],
    [499, 'UPSTREAM_ERROR', 'WACHT answered 499 unexpectedly'],
  ])('makes %i %s, naming the provider', (status, code, message) => {
    const error = failureOf('WACHT', { status, headers: {}, body: '' });
    expect([error.code, error.message, error.details]).toEqual([code, message, { provider: 'WACHT' }]);
  });
});

describe('parseErrorBody', () => {
  const errorBody = z.object({ error: z.string() });
  const refusal = (body: string) => ({ status: 400, headers: {}, body });

  it('reads an error answer in the documented shape, and nothing else', () => {
    expect(parseErrorBody(refusal('{"error":"x"}'), errorBody)).toEqual({ error: 'x' });
    expect(parseErrorBody(refusal('{"e":1}'), errorBody)).toBeUndefined();
    expect(parseErrorBody(refusal('<html>'), errorBody)).toBeUndefined();
  });
});
