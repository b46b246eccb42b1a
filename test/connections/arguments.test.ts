import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  readPageRequest,
  validateArgs,
  type ConnectionArgs,
} from '../../src/connections/arguments';
import { UNKNOWN_POSITION, encodeCursor, fingerprint } from '../../src/connections/cursor';
import { caughtSync, expectAppError } from './support';

const FP = fingerprint({ list: 'me', filter: {}, direction: 'ASC', providers: null });
const OTHER_FP = fingerprint({ list: 'me', filter: {}, direction: 'DESC', providers: null });
const cursor = encodeCursor(FP, { before: [2, 5, 1], provider: 'CLOUD_FOUNDRY' });

function refused(args: ConnectionArgs, mentions: string | RegExp) {
  expectAppError(
    caughtSync(() => readPageRequest(args, () => FP)),
    'BAD_USER_INPUT',
    mentions,
  );
}

describe('readPageRequest', () => {
  it('computes the fingerprint only to read a cursor', () => {
    const fingerprintOfList = jest.fn(() => FP);
    readPageRequest({ first: 5 }, fingerprintOfList);
    readPageRequest({ last: 5 }, fingerprintOfList);
    expect(fingerprintOfList).not.toHaveBeenCalled();
    readPageRequest({ first: 5, after: cursor }, fingerprintOfList);
    expect(fingerprintOfList).toHaveBeenCalledTimes(1);
  });

  it('defaults to the first 20 from the start', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(readPageRequest({}, () => FP)).toEqual({ paging: 'forward', size: 20, from: [0, 0, 0], to: null });
    expect(readPageRequest({ first: null, last: null, after: null, before: null }, () => FP)).toEqual({
      paging: 'forward',
      size: 20,
      from: [0, 0, 0],
      to: null,
    });
  });

  it.each([0, 1, 37, MAX_PAGE_SIZE])('takes first: %i', (first) => {
    expect(readPageRequest({ first }, () => FP)).toEqual({ paging: 'forward', size: first, from: [0, 0, 0], to: null });
  });

  it.each([0, 1, 37, MAX_PAGE_SIZE])('takes last: %i, from the end', (last) => {
    expect(readPageRequest({ last }, () => FP)).toEqual({ paging: 'backward', size: last, from: [0, 0, 0], to: null });
  });

  it.each([-1, -100, MAX_PAGE_SIZE + 1, 1000, 2.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses first: %p and last: %p',
    (size) => {
      refused({ first: size }, '`first` must be between 0 and 100');
      refused({ last: size }, '`last` must be between 0 and 100');
    },
  );

  it('refuses first and last together', () => {
    refused({ first: 5, last: 5 }, /`first` or `last`/);
    refused({ first: 0, last: 0 }, /`first` or `last`/);
  });

  it('reads `before` alone as `first: 20` (the contract): the first 20 of the slice before it', () => {
    expect(readPageRequest({ before: cursor }, () => FP)).toEqual({ paging: 'forward', size: 20, from: [0, 0, 0], to: [2, 5, 1] });
  });

  // Relay's pagination algorithm: the cursors bound the slice, `first` or `last` take from it.
  it('bounds the slice by both cursors, the page taken by `first` from its start', () => {
    const later = encodeCursor(FP, { before: [4, 9, 3], provider: 'WACHT' });
    expect(readPageRequest({ after: cursor, before: later, first: 3 }, () => FP)).toEqual({
      paging: 'forward',
      size: 3,
      from: [2, 6, 1],
      to: [4, 9, 3],
    });
    expect(readPageRequest({ after: cursor, before: later }, () => FP)).toEqual({
      paging: 'forward',
      size: 20,
      from: [2, 6, 1],
      to: [4, 9, 3],
    });
  });

  it('takes `last` from the end of the slice after `after`, and `first` from the start of the slice before `before`', () => {
    expect(readPageRequest({ after: cursor, last: 4 }, () => FP)).toEqual({ paging: 'backward', size: 4, from: [2, 6, 1], to: null });
    expect(readPageRequest({ before: cursor, first: 4 }, () => FP)).toEqual({ paging: 'forward', size: 4, from: [0, 0, 0], to: [2, 5, 1] });
  });

  it('reads `after` alone as the 20 after it', () => {
    expect(readPageRequest({ after: cursor }, () => FP)).toEqual({ paging: 'forward', size: 20, from: [2, 6, 1], to: null });
  });

  it("starts after the cursor's own item: its provider's position moves by one", () => {
    const positions = [4, 0, 7];
    expect(readPageRequest({ first: 3, after: encodeCursor(FP, { before: positions, provider: 'AUTH0' }) }, () => FP)).toEqual({
      paging: 'forward',
      size: 3,
      from: [5, 0, 7],
      to: null,
    });
    expect(readPageRequest({ first: 3, after: encodeCursor(FP, { before: positions, provider: 'WACHT' }) }, () => FP)).toEqual({
      paging: 'forward',
      size: 3,
      from: [4, 0, 8],
      to: null,
    });
  });

  it('reads an unknown position (a provider that failed where its end was not known) as no bound: the start in `after`, the end in `before`', () => {
    const unknown = encodeCursor(FP, { before: [4, UNKNOWN_POSITION, 7], provider: 'AUTH0' });
    expect(readPageRequest({ first: 3, after: unknown }, () => FP)).toMatchObject({ from: [5, 0, 7], to: null });
    expect(readPageRequest({ last: 3, before: unknown }, () => FP)).toMatchObject({ from: [0, 0, 0], to: [4, UNKNOWN_POSITION, 7] });
  });

  it("ends before the cursor's own item: positions as they are", () => {
    expect(
      readPageRequest({ last: 7, before: encodeCursor(FP, { before: [4, 0, 7], provider: 'AUTH0' }) }, () => FP),
    ).toEqual({ paging: 'backward', size: 7, from: [0, 0, 0], to: [4, 0, 7] });
  });

  it('refuses a cursor of other arguments', () => {
    const foreign = encodeCursor(OTHER_FP, { before: [0, 0, 0], provider: 'AUTH0' });
    refused({ after: foreign }, 'after: the cursor belongs to other arguments');
    refused({ before: foreign }, 'before: the cursor belongs to other arguments');
  });

  it('refuses a cursor that does not decode', () => {
    refused({ after: 'nope' }, 'after: not a cursor of this connection');
    refused({ before: 'nope!', last: 1 }, 'before: not a cursor of this connection');
  });

  it('checks the page size even with a valid cursor', () => {
    refused({ after: cursor, first: 101 }, '`first` must be between 0 and 100');
    refused({ before: cursor, last: -1 }, '`last` must be between 0 and 100');
  });
});

describe('validateArgs', () => {
  it('defaults: no filter, ASC, providers not narrowed', () => {
    expect(validateArgs({})).toEqual({ filter: {}, direction: 'ASC', providers: null });
    expect(validateArgs({ filter: null, orderDirection: null, providers: null })).toEqual({
      filter: {},
      direction: 'ASC',
      providers: null,
    });
  });

  it('keeps the direction and filter', () => {
    const filter = { name: { eq: 'acme' } };
    expect(validateArgs({ filter, orderDirection: 'DESC' })).toEqual({ filter, direction: 'DESC', providers: null });
  });

  it('puts providers in provider order without duplicates', () => {
    expect(validateArgs({ providers: ['WACHT', 'AUTH0', 'WACHT'] }).providers).toEqual(['AUTH0', 'WACHT']);
    expect(validateArgs({ providers: ['CLOUD_FOUNDRY'] }).providers).toEqual(['CLOUD_FOUNDRY']);
  });

  it('keeps an empty providers list as "none" (not "all")', () => {
    expect(validateArgs({ providers: [] }).providers).toEqual([]);
  });

  it('validates the filter', () => {
    expectAppError(
      caughtSync(() => validateArgs({ filter: { spaceGuid: { eq: '' } } })),
      'BAD_USER_INPUT',
      'filter.spaceGuid.eq',
    );
    expectAppError(
      caughtSync(() => validateArgs({ filter: { name: { in: ['a,b'] } } })),
      'BAD_USER_INPUT',
      'filter.name.in',
    );
  });

  it('gives equal fingerprints for equal lists however providers are spelled', () => {
    const a = validateArgs({ providers: ['WACHT', 'AUTH0'] });
    const b = validateArgs({ providers: ['AUTH0', 'WACHT', 'AUTH0'], orderDirection: 'ASC', filter: {} });
    expect(fingerprint({ list: 'me', ...a })).toBe(fingerprint({ list: 'me', ...b }));
  });
});
