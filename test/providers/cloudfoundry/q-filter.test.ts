import fc from 'fast-check';
import type { OrganizationFilter, StringFilter } from '../../../src/graphql/generated';
import {
  assertExpressible,
  MAX_Q_LENGTH,
  toQueryFilters,
  toQueryString,
} from '../../../src/providers/cloudfoundry/q-filter';
import { matches, parseQ, type Condition } from '../../../src/fakes/cloudfoundry/q-parser';

describe('toQueryFilters', () => {
  it.each<[string, OrganizationFilter, string[]]>([
    ['no filter', {}, []],
    ['null fields', { name: null, status: null, spaceGuid: { eq: null, in: null } }, []],
    ['name eq', { name: { eq: 'acme' } }, ['name:acme']],
    ['name gte', { name: { gte: 'b' } }, ['name>=b']],
    ['name in', { name: { in: ['a', 'b'] } }, ['name IN a,b']],
    [
      'every name condition, each its own q',
      { name: { eq: 'e', gt: 'a', gte: 'b', lt: 'y', lte: 'z', in: ['e', 'f'] } },
      ['name:e', 'name>a', 'name>=b', 'name<y', 'name<=z', 'name IN e,f'],
    ],
    ['status lowercased', { status: { eq: 'ACTIVE' } }, ['status:active']],
    [
      'status in',
      { status: { in: ['ACTIVE', 'SUSPENDED'] } },
      ['status IN active,suspended'],
    ],
    ['space guid', { spaceGuid: { eq: 'g1' } }, ['space_guid:g1']],
    ['user guid in', { userGuid: { in: ['g1', 'g2'] } }, ['user_guid IN g1,g2']],
    ['guids in lower case', { managerGuid: { eq: 'A1B2' }, auditorGuid: { in: ['C3', 'd4'] } }, ['manager_guid:a1b2', 'auditor_guid IN c3,d4']],
    [
      'each association key',
      {
        managerGuid: { eq: 'm' },
        billingManagerGuid: { eq: 'b' },
        auditorGuid: { in: ['a'] },
      },
      ['manager_guid:m', 'billing_manager_guid:b', 'auditor_guid IN a'],
    ],
    ['a ; escaped as ;;', { name: { eq: 'team;status:active' } }, ['name:team;;status:active']],
    ['; inside in values', { name: { in: ['a;b', 'c'] } }, ['name IN a;;b,c']],
    ['other characters as they are', { name: { eq: 'R&D + #1 100%' } }, ['name:R&D + #1 100%']],
    [
      'fields in a fixed order',
      { auditorGuid: { eq: 'a' }, status: { eq: 'DELETING' }, name: { lt: 'm' } },
      ['name<m', 'status:deleting', 'auditor_guid:a'],
    ],
  ])('%s', (_, filter, expected) => {
    expect(toQueryFilters(filter)).toEqual(expected);
  });

  it.each<[string, OrganizationFilter, string[]]>([
    ['name', { name: { in: [] } }, ['name IN ']],
    ['status', { status: { in: [] } }, ['status IN ']],
    [
      'a guid, beside other conditions',
      { name: { eq: 'acme' }, spaceGuid: { in: [] } },
      ['name:acme', 'space_guid IN '],
    ],
  ])('an empty in list (%s) is an IN that Cloud Controller matches against nothing', (_, filter, expected) => {
    const q = toQueryFilters(filter);
    expect(q).toEqual(expected);
    const acme = { name: 'acme', status: 'active' };
    const everything = new Set(['s']);
    const relations = {
      space_guid: everything,
      user_guid: everything,
      manager_guid: everything,
      billing_manager_guid: everything,
      auditor_guid: everything,
    };
    expect(parseQ(q).every((condition) => matches(acme, condition, relations))).toBe(false);
  });

  it.each<[string, OrganizationFilter, string]>([
    [
      "gt '=…' (would read as >=)",
      { name: { gt: '=b' } },
      "filter.name.gt: a value may not start with '='",
    ],
    [
      "lt '=…' (would read as <=)",
      { name: { lt: '=b' } },
      "filter.name.lt: a value may not start with '='",
    ],
    [
      'a lone surrogate',
      { name: { eq: 'bad \ud800' } },
      'filter.name.eq: a value must be well-formed Unicode',
    ],
    [
      'a lone surrogate in a guid list',
      { auditorGuid: { in: ['g', '\udc00'] } },
      'filter.auditorGuid.in: a value must be well-formed Unicode',
    ],
    [
      'a lone surrogate in a guid',
      { spaceGuid: { eq: '\ud800' } },
      'filter.spaceGuid.eq: a value must be well-formed Unicode',
    ],
    [
      'a lone surrogate in a name list',
      { name: { in: ['a', '\ud800'] } },
      'filter.name.in: a value must be well-formed Unicode',
    ],
  ])('rejects %s, before and while building q', (_, filter, message) => {
    for (const attempt of [() => assertExpressible(filter), () => toQueryFilters(filter)]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: {}, message }));
    }
  });

  it('leaves the rules every provider shares to the engine', () => {
    const values = Array.from({ length: 101 }, (_, i) => `n${i}`);
    expect(() => assertExpressible({ name: { in: values }, spaceGuid: { eq: 'g' } })).not.toThrow();
    expect(toQueryFilters({ name: { in: values } })).toEqual([`name IN ${values.join(',')}`]);
  });

  it("refuses a filter whose q would not fit Cloud Controller's request line, and takes one that just fits", () => {
    const guids = (seed: number) => Array.from({ length: 100 }, (_, i) => `${String(seed).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tooLong = { spaceGuid: { in: guids(1) }, managerGuid: { in: guids(2) }, auditorGuid: { in: guids(3) } };
    for (const attempt of [() => assertExpressible(tooLong), () => toQueryFilters(tooLong)]) {
      expect(attempt).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: {}, message: expect.stringMatching(/^filter: too long for Cloud Foundry's query string \(\d+ characters encoded, at most 7680\)$/) }),
      );
    }
    // Exactly at the limit: `q=name%3A` (9 characters) and the name; one more is over.
    const atLimit = { name: { eq: 'n'.repeat(MAX_Q_LENGTH - 9) } };
    expect(toQueryString(toQueryFilters(atLimit), {}).length).toBe(MAX_Q_LENGTH);
    expect(() => assertExpressible({ name: { eq: 'n'.repeat(MAX_Q_LENGTH - 8) } })).toThrow(/too long/);
  });

  it('accepts a surrogate pair (an emoji)', () => {
    expect(toQueryFilters({ name: { eq: 'team 😀' } })).toEqual(['name:team 😀']);
  });

  it("allows '=' at the start of eq, gte and lte values", () => {
    expect(toQueryFilters({ name: { eq: '=a', gte: '=b', lte: '=c' } })).toEqual([
      'name:=a',
      'name>==b',
      'name<==c',
    ]);
  });
});

describe('toQueryString', () => {
  it('repeats q first, then the other parameters by key, all percent-encoded', () => {
    const query = toQueryString(['name:R&D + #1', 'status:active'], {
      'results-per-page': 25,
      page: 2,
      'order-direction': 'asc',
      'order-by': 'name',
    });
    expect(query).toBe(
      'q=name%3AR%26D%20%2B%20%231&q=status%3Aactive' +
        '&order-by=name&order-direction=asc&page=2&results-per-page=25',
    );
  });

  it.each([
    ['+', '%2B'],
    ['&', '%26'],
    ['#', '%23'],
    ['%', '%25'],
    [' ', '%20'],
    [';', '%3B'],
    [':', '%3A'],
    [',', '%2C'],
    ['=', '%3D'],
    ['é', '%C3%A9'],
  ])('encodes %j as %s', (character, encoded) => {
    expect(toQueryString([`name:${character}`], {})).toBe(`q=name%3A${encoded}`);
  });

  it('gives an empty string for nothing', () => {
    expect(toQueryString([], {})).toBe('');
  });
});

describe('the fake Cloud Controller reads back what toQueryFilters sends', () => {
  const specials = [
    ';status:active',
    ';',
    ';;',
    '+',
    '&',
    '#',
    '%',
    '%2B',
    ' ',
    ' IN ',
    'IN',
    '>=',
    '<=',
    '>',
    '<',
    ':',
    '=',
    ',',
    'é',
    '😀',
  ];
  /** Strings built from the characters that matter to q and to the query string. */
  const text = fc
    .array(fc.oneof(fc.constantFrom(...specials), fc.string(), fc.string({ unit: 'grapheme' })), {
      maxLength: 6,
    })
    .map((parts) => parts.join(''));
  /** `in` values: Cloud Controller drops a trailing empty one, and none may hold a ','. */
  const listValue = text.filter((value) => value !== '' && !value.includes(','));
  const nameFilter = fc.record(
    {
      eq: text,
      gt: text,
      gte: text,
      lt: text,
      lte: text,
      in: fc.array(listValue, { minLength: 1, maxLength: 5 }),
    },
    { requiredKeys: [] },
  );

  it('for any name filter (round trip through the query string and parseQ)', () => {
    fc.assert(
      fc.property(nameFilter, (name) => {
        if (hasUnsendableComparison(name)) {
          expect(() => assertExpressible({ name })).toThrow("a value may not start with '='");
          return;
        }
        assertExpressible({ name });
        const sent = new URLSearchParams(toQueryString(toQueryFilters({ name }), { page: 1 }));
        expect(parseQ(sent.getAll('q'))).toEqual(expectedConditions(name));
      }),
    );
  });

  it('for names that look like other filters', () => {
    for (const eq of ['team;status:active', 'a;;b', 'x IN y', 'b>=a', 'c;', ';d']) {
      const q = toQueryFilters({ name: { eq } });
      const sent = new URLSearchParams(toQueryString(q, {}));
      expect(parseQ(sent.getAll('q'))).toEqual([{ key: 'name', operator: ':', values: [eq] }]);
    }
  });
});

/** `gt`/`lt` values starting with '=' would read back as `>=`/`<=`. */
function hasUnsendableComparison(name: StringFilter): boolean {
  return [name.gt, name.lt].some((value) => value?.startsWith('='));
}

function expectedConditions(name: StringFilter): Condition[] {
  const single = (
    [
      ['eq', ':'],
      ['gt', '>'],
      ['gte', '>='],
      ['lt', '<'],
      ['lte', '<='],
    ] as const
  ).flatMap(([field, operator]): Condition[] => {
    const value = name[field];
    return value == null ? [] : [{ key: 'name', operator, values: [value] }];
  });
  const list: Condition[] = name.in ? [{ key: 'name', operator: ' IN ', values: name.in }] : [];
  return [...single, ...list];
}
