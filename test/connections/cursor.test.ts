import fc from 'fast-check';
import type { IdentityProvider } from '../../src/graphql/generated';
import { AppError } from '../../src/errors';
import { decodeCursor, encodeCursor, fingerprint, lazyFingerprint } from '../../src/connections/cursor';
import { caughtSync, expectAppError } from './support';

const FP = fingerprint({ list: 'me', filter: {}, direction: 'ASC', providers: null });
const OTHER_FP = fingerprint({ list: 'me', filter: {}, direction: 'DESC', providers: null });
const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function rejects(cursor: string, mentions: string | RegExp = 'after: not a cursor of this connection') {
  expectAppError(
    caughtSync(() => decodeCursor(cursor, FP, 'after')),
    'BAD_USER_INPUT',
    mentions,
  );
}

describe('lazyFingerprint', () => {
  it('is the fingerprint of its binding, the same on every call', () => {
    const lazy = lazyFingerprint({ list: 'me', filter: {}, direction: 'ASC', providers: null });
    expect(lazy()).toBe(FP);
    expect(lazy()).toBe(FP);
  });

  it('reads its binding only on the first call, and only once', () => {
    let reads = 0;
    const binding = { list: 'me', filter: {}, providers: null };
    Object.defineProperty(binding, 'direction', {
      enumerable: true,
      get: () => {
        reads += 1;
        return 'ASC';
      },
    });
    const lazy = lazyFingerprint(binding);
    expect(reads).toBe(0);
    expect(lazy()).toBe(FP);
    expect(lazy()).toBe(FP);
    expect(reads).toBe(1);
  });
});

describe('fingerprint', () => {
  it('is 11 base64url characters', () => {
    expect(FP).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });

  it('is equal for equal arguments whatever the key order', () => {
    const a = fingerprint({ list: 'user', userId: 'u', filter: { name: { eq: 'a', gt: 'b' }, status: { eq: 'ACTIVE' } }, direction: 'ASC' });
    const b = fingerprint({ direction: 'ASC', filter: { status: { eq: 'ACTIVE' }, name: { gt: 'b', eq: 'a' } }, userId: 'u', list: 'user' });
    expect(a).toBe(b);
  });

  it('ignores null and undefined members', () => {
    const a = fingerprint({ filter: { name: { eq: 'a' } }, providers: null });
    const b = fingerprint({ filter: { name: { eq: 'a', in: null, gt: undefined }, spaceGuid: null }, providers: undefined });
    const c = fingerprint({ filter: { name: { eq: 'a' } } });
    expect(a).toBe(b);
    expect(a).toBe(c);
  });

  it('differs when anything the list depends on differs', () => {
    const base = { list: 'me', filter: { name: { eq: 'a' } }, direction: 'ASC', providers: ['AUTH0'] };
    const variants = [
      base,
      { ...base, list: 'user' },
      { ...base, filter: { name: { eq: 'A' } } },
      { ...base, filter: { name: { gt: 'a' } } },
      { ...base, direction: 'DESC' },
      { ...base, providers: ['WACHT'] },
      { ...base, providers: ['AUTH0', 'WACHT'] },
      { ...base, providers: null },
      { ...base, userId: 'u1' },
      { ...base, userId: 'u2' },
    ];
    expect(new Set(variants.map(fingerprint)).size).toBe(variants.length);
  });

  it('keeps list order significant', () => {
    expect(fingerprint({ in: ['a', 'b'] })).not.toBe(fingerprint({ in: ['b', 'a'] }));
  });

  it('keeps list items apart', () => {
    expect(fingerprint({ n: [1, 23] })).not.toBe(fingerprint({ n: [12, 3] }));
  });

  it('is the same in every release, so cursors survive a rolling deploy across replicas', () => {
    const binding = { list: 'user', userId: 'u1', filter: { name: { in: ['a', 'b'] }, status: null }, direction: 'ASC', providers: ['AUTH0', 'WACHT'] };
    expect(fingerprint(binding)).toBe('svfalY2RS23');
  });
});

describe('encodeCursor / decodeCursor', () => {
  it('round-trips positions and provider', () => {
    const position = { before: [3, 0, 9_999_999], provider: 'CLOUD_FOUNDRY' as const };
    const cursor = encodeCursor(FP, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, FP, 'after')).toEqual(position);
  });

  it('round-trips any positions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9_999_999 }), { minLength: 3, maxLength: 3 }),
        fc.constantFrom<IdentityProvider>('AUTH0', 'CLOUD_FOUNDRY', 'WACHT'),
        fc.string({ unit: 'binary' }).map((binding) => fingerprint({ binding })),
        (before, provider, fp) => {
          expect(decodeCursor(encodeCursor(fp, { before, provider }), fp, 'before')).toEqual({ before, provider });
        },
      ),
    );
  });

  it('refuses garbage', () => {
    rejects('hello');
    rejects(raw('not a cursor'));
    rejects(raw(`c1:${FP}:0`));
    rejects(raw(`c1:${FP}:0:0.0.0:extra`));
  });

  it('refuses characters outside base64url', () => {
    const valid = encodeCursor(FP, { before: [1, 2, 3], provider: 'AUTH0' });
    rejects(`${valid}=`);
    rejects(valid.replace(/^./, '+'));
    rejects(Buffer.from(`c1:${FP}:0:1.2.3`).toString('base64'));
    rejects('');
    rejects(' ');
    rejects(`${valid}\n`);
  });

  it('refuses anything around a valid cursor (base64url decoding skips what it cannot read)', () => {
    const valid = encodeCursor(FP, { before: [1, 2, 3], provider: 'AUTH0' });
    rejects(`${valid}!`);
    rejects(`!${valid}`);
  });

  it('refuses positions that are not whole numbers of at most 7 digits', () => {
    rejects(raw(`c1:${FP}:0:1.x.3`));
    rejects(raw(`c1:${FP}:0:1.12345678.3`));
    rejects(raw(`c1:${FP}:0:1..3`));
  });

  it('refuses another version', () => {
    rejects(raw(`c2:${FP}:0:0.0.0`));
    rejects(raw(`:${FP}:0:0.0.0`));
  });

  it('refuses a cursor of other arguments, saying so', () => {
    const cursor = encodeCursor(OTHER_FP, { before: [0, 0, 0], provider: 'AUTH0' });
    expectAppError(
      caughtSync(() => decodeCursor(cursor, FP, 'before')),
      'BAD_USER_INPUT',
      'before: the cursor belongs to other arguments',
    );
  });

  it('refuses a malformed fingerprint as not a cursor', () => {
    rejects(raw(`c1:short:0:0.0.0`));
    rejects(raw(`c1:${FP}x:0:0.0.0`));
  });

  it('refuses the wrong number of positions', () => {
    rejects(encodeCursor(FP, { before: [1, 2], provider: 'AUTH0' }));
    rejects(encodeCursor(FP, { before: [1, 2, 3, 4], provider: 'AUTH0' }));
    rejects(encodeCursor(FP, { before: [], provider: 'AUTH0' }));
    rejects(raw(`c1:${FP}:0:1..2`));
  });

  it('refuses negative, fractional, non-decimal and over-large positions', () => {
    rejects(raw(`c1:${FP}:0:-1.0.0`));
    rejects(raw(`c1:${FP}:0:0.1.5.0`));
    rejects(raw(`c1:${FP}:0:0.0x1.0`));
    rejects(raw(`c1:${FP}:0:0.1e3.0`));
    rejects(raw(`c1:${FP}:0:0.0. 1`));
    rejects(raw(`c1:${FP}:0:0.0.10000000`));
    rejects(raw(`c1:${FP}:0:0.0.99999999999999999999`));
    expect(decodeCursor(raw(`c1:${FP}:0:0.0.9999999`), FP, 'after').before).toEqual([0, 0, 9_999_999]);
  });

  it('refuses an unknown provider', () => {
    rejects(raw(`c1:${FP}:3:0.0.0`));
    rejects(raw(`c1:${FP}:-1:0.0.0`));
    rejects(raw(`c1:${FP}::0.0.0`));
    rejects(raw(`c1:${FP}:01:0.0.0`));
    rejects(raw(`c1:${FP}:A:0.0.0`));
  });

  it('refuses overly long input without decoding it', () => {
    const valid = encodeCursor(FP, { before: [0, 0, 0], provider: 'AUTH0' });
    rejects(valid + 'A'.repeat(201 - valid.length));
    rejects('A'.repeat(100_000));
  });

  it('names the argument in its message', () => {
    expectAppError(
      caughtSync(() => decodeCursor('garbage!', FP, 'before')),
      'BAD_USER_INPUT',
      /^before: /,
    );
  });

  it('never throws anything but BAD_USER_INPUT, and what it accepts is well-formed (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 250 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,220}$/),
      // Texts close to a real cursor, encoded properly.
      fc
        .tuple(
          fc.constantFrom('c1', 'c2', ''),
          fc.constantFrom(FP, OTHER_FP, ''),
          fc.string({ unit: 'binary-ascii', maxLength: 3 }),
          fc.array(fc.oneof(fc.nat().map(String), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 5 }),
        )
        .map(([version, fp, provider, positions]) => raw(`${version}:${fp}:${provider}:${positions.join('.')}`)),
    );
    fc.assert(
      fc.property(text, (cursor) => {
        let decoded;
        try {
          decoded = decodeCursor(cursor, FP, 'after');
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('BAD_USER_INPUT');
          return;
        }
        expect(decoded.before).toHaveLength(3);
        for (const position of decoded.before) {
          expect(Number.isInteger(position) && position >= 0 && position <= 9_999_999).toBe(true);
        }
        expect(['AUTH0', 'CLOUD_FOUNDRY', 'WACHT']).toContain(decoded.provider);
      }),
      { numRuns: 2000 },
    );
  });
});
