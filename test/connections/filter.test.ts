import type { OrganizationFilter, OrganizationStatus } from '../../src/graphql/generated';
import {
  MAX_IN_VALUES,
  MAX_VALUE_LENGTH,
  matchesFilter,
  matchesNothing,
  usesAssociationFilters,
  validateFilter,
} from '../../src/connections/filter';
import { caughtSync, expectAppError, membership } from './support';

const GUID_FIELDS = ['spaceGuid', 'userGuid', 'managerGuid', 'billingManagerGuid', 'auditorGuid'] as const;
const NAME_OPERATORS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const;

const values = (count: number, prefix = 'v') => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const tooLong = 'x'.repeat(MAX_VALUE_LENGTH + 1);
const longest = 'x'.repeat(MAX_VALUE_LENGTH);

describe('validateFilter', () => {
  const invalid: [string, OrganizationFilter, string][] = [
    ["a ',' inside a name `in` value", { name: { in: ['acme', 'a,b'] } }, 'filter.name.in'],
    ['a name `in` list over 100 values', { name: { in: values(MAX_IN_VALUES + 1) } }, 'filter.name.in'],
    ['an over-long name `in` value', { name: { in: ['ok', tooLong] } }, 'filter.name.in'],
    ...NAME_OPERATORS.map(
      (operator): [string, OrganizationFilter, string] => [
        `an over-long name \`${operator}\``,
        { name: { [operator]: tooLong } },
        `filter.name.${operator}`,
      ],
    ),
    [
      'a status `in` list over 100 values',
      { status: { in: Array.from({ length: MAX_IN_VALUES + 1 }, (): OrganizationStatus => 'ACTIVE') } },
      'filter.status.in',
    ],
    ...GUID_FIELDS.flatMap((field): [string, OrganizationFilter, string][] => [
      [`a ',' inside a ${field} \`in\` value`, { [field]: { in: ['g1', 'g2,g3'] } }, `filter.${field}.in`],
      [`a ${field} \`in\` list over 100 values`, { [field]: { in: values(MAX_IN_VALUES + 1, 'g') } }, `filter.${field}.in`],
      [`an empty ${field} \`eq\``, { [field]: { eq: '' } }, `filter.${field}.eq`],
      [`a blank ${field} \`eq\``, { [field]: { eq: ' \t ' } }, `filter.${field}.eq`],
      [`an empty ${field} \`in\` value`, { [field]: { in: ['g1', ''] } }, `filter.${field}.in`],
      [`a blank ${field} \`in\` value`, { [field]: { in: ['  '] } }, `filter.${field}.in`],
      [`an over-long ${field} \`eq\``, { [field]: { eq: tooLong } }, `filter.${field}.eq`],
      [`an over-long ${field} \`in\` value`, { [field]: { in: [tooLong] } }, `filter.${field}.in`],
    ]),
    [
      'a bad condition next to good ones',
      { name: { eq: 'acme' }, status: { eq: 'ACTIVE' }, auditorGuid: { eq: '' } },
      'filter.auditorGuid.eq',
    ],
  ];

  it.each(invalid)('refuses %s with BAD_USER_INPUT naming the field', (_, filter, field) => {
    expectAppError(
      caughtSync(() => validateFilter(filter)),
      'BAD_USER_INPUT',
      `${field}:`,
    );
  });

  it("says why a ',' is refused", () => {
    expectAppError(
      caughtSync(() => validateFilter({ name: { in: ['a,b'] } })),
      'BAD_USER_INPUT',
      "filter.name.in: a value may not contain ','",
    );
  });

  const valid: [string, OrganizationFilter][] = [
    ['no condition', {}],
    ['null members', { name: null, status: null, spaceGuid: null, userGuid: null }],
    ['null operators', { name: { eq: null, in: null }, spaceGuid: { eq: null, in: null } }],
    ["a ',' in a name `eq` (no `in` to split)", { name: { eq: 'Acme, Inc.' } }],
    ["';' and other punctuation in `in` values", { name: { in: ['a;b', 'a&b', 'a+b#c', "o'hara"] } }],
    ['exactly 100 name `in` values', { name: { in: values(MAX_IN_VALUES) } }],
    ['a name of exactly the maximum length', { name: { eq: longest, in: [longest], gt: longest } }],
    ['an empty name `eq`', { name: { eq: '' } }],
    ['an empty `in` list', { name: { in: [] }, spaceGuid: { in: [] }, status: { in: [] } }],
    ['exactly 100 guids', { spaceGuid: { in: values(MAX_IN_VALUES, 'g') } }],
    ['a guid of exactly the maximum length', { managerGuid: { eq: longest } }],
    ['a guid padded with spaces', { userGuid: { eq: ' g1 ' } }],
    [
      'every condition at once',
      {
        name: { eq: 'a', in: ['a', 'b'], gt: '0', gte: '0', lt: 'z', lte: 'z' },
        status: { eq: 'ACTIVE', in: ['ACTIVE', 'SUSPENDED', 'DELETING'] },
        spaceGuid: { eq: 's', in: ['s'] },
        userGuid: { eq: 'u' },
        managerGuid: { in: ['m'] },
        billingManagerGuid: { eq: 'b' },
        auditorGuid: { in: ['a1', 'a2'] },
      },
    ],
  ];

  it.each(valid)('accepts %s', (_, filter) => {
    expect(() => validateFilter(filter)).not.toThrow();
  });
});

describe('matchesNothing', () => {
  const nothing: [string, OrganizationFilter][] = [
    ['name.in: []', { name: { in: [] } }],
    ['name.in: [] next to eq', { name: { eq: 'a', in: [] } }],
    ['status.in: []', { status: { in: [] } }],
    ...GUID_FIELDS.map((field): [string, OrganizationFilter] => [`${field}.in: []`, { [field]: { in: [] } }]),
    ['one empty list among full ones', { name: { in: ['a'] }, spaceGuid: { in: ['s'] }, auditorGuid: { in: [] } }],
  ];
  it.each(nothing)('is true for %s', (_, filter) => {
    expect(matchesNothing(filter)).toBe(true);
  });

  const something: [string, OrganizationFilter][] = [
    ['no condition', {}],
    ['null lists', { name: { in: null }, status: { in: null }, spaceGuid: { in: null } }],
    ['non-empty lists', { name: { in: ['a'] }, status: { in: ['ACTIVE'] }, userGuid: { in: ['u'] } }],
    ['eq only', { name: { eq: '' }, spaceGuid: { eq: 's' } }],
  ];
  it.each(something)('is false for %s', (_, filter) => {
    expect(matchesNothing(filter)).toBe(false);
  });
});

describe('usesAssociationFilters', () => {
  it.each(GUID_FIELDS)('is true when %s is set', (field) => {
    expect(usesAssociationFilters({ [field]: { eq: 'g' } })).toBe(true);
    expect(usesAssociationFilters({ name: { eq: 'a' }, [field]: { in: [] } })).toBe(true);
  });

  it('is false without a guid condition', () => {
    expect(usesAssociationFilters({})).toBe(false);
    expect(usesAssociationFilters({ name: { eq: 'a' }, status: { eq: 'ACTIVE' } })).toBe(false);
    expect(
      usesAssociationFilters({ spaceGuid: null, userGuid: null, managerGuid: null, billingManagerGuid: null, auditorGuid: null }),
    ).toBe(false);
  });
});

describe('matchesFilter', () => {
  const acme = membership('AUTH0', 'org_1', 'Acme Corp', { status: 'SUSPENDED' }).organization;
  const zeta = membership('AUTH0', 'org_2', 'Zeta').organization;
  const angstrom = membership('AUTH0', 'org_3', 'Ångström').organization;

  const cases: [string, typeof acme, OrganizationFilter, boolean][] = [
    ['no condition', acme, {}, true],
    ['eq, same case', acme, { name: { eq: 'Acme Corp' } }, true],
    ['eq, other case', acme, { name: { eq: 'aCME cORP' } }, true],
    ['eq, prefix only', acme, { name: { eq: 'acme' } }, false],
    ['eq, trailing space', acme, { name: { eq: 'acme corp ' } }, false],
    ['in, one matches in another case', acme, { name: { in: ['other', 'ACME CORP'] } }, true],
    ['in, none matches', acme, { name: { in: ['other', 'acme'] } }, false],
    ['gt below', acme, { name: { gt: 'ACME' } }, true],
    ['gt equal (other case)', acme, { name: { gt: 'ACME CORP' } }, false],
    ['gte equal (other case)', acme, { name: { gte: 'ACME CORP' } }, true],
    ['gte above', acme, { name: { gte: 'acme corq' } }, false],
    ['lt above', acme, { name: { lt: 'B' } }, true],
    ['lt equal', acme, { name: { lt: 'acme corp' } }, false],
    ['lte equal (other case)', acme, { name: { lte: 'Acme CORP' } }, true],
    ['lte below', acme, { name: { lte: 'acme' } }, false],
    // Case-insensitive order: 'Zeta' is above 'a' only once lowercased ('Z' < 'a' < 'z').
    ['gt compares lowercase forms', zeta, { name: { gt: 'a' } }, true],
    ['lt compares lowercase forms', zeta, { name: { lt: 'a' } }, false],
    ['gt compares lowercase forms (upper bound)', zeta, { name: { gt: 'ZETA' } }, false],
    // Code units, not locale: 'å' (U+00E5) is above 'z'.
    ['code-unit order, not locale', angstrom, { name: { lt: 'z' } }, false],
    ['code-unit order, not locale (gt)', angstrom, { name: { gt: 'zzz' } }, true],
    ['eq lowercases non-ASCII', angstrom, { name: { eq: 'ångström' } }, true],
    ['range, inside (ANDed)', acme, { name: { gte: 'a', lt: 'b' } }, true],
    ['range, below its upper bound only', acme, { name: { gte: 'acme d', lt: 'b' } }, false],
    ['range, above its lower bound only', acme, { name: { gte: 'a', lt: 'acme' } }, false],
    ['eq and in both hold', acme, { name: { eq: 'acme corp', in: ['ACME CORP'] } }, true],
    ['eq holds, in does not', acme, { name: { eq: 'acme corp', in: ['other'] } }, false],
    ['in holds, gt does not', acme, { name: { in: ['acme corp'], gt: 'b' } }, false],
    ['every operator holds', acme, { name: { eq: 'acme corp', in: ['x', 'acme corp'], gt: 'a', gte: 'acme corp', lt: 'b', lte: 'acme corp' } }, true],
    ['status eq holds', acme, { status: { eq: 'SUSPENDED' } }, true],
    ['status eq does not hold', acme, { status: { eq: 'ACTIVE' } }, false],
    ['status in holds', acme, { status: { in: ['DELETING', 'SUSPENDED'] } }, true],
    ['status in does not hold', acme, { status: { in: ['ACTIVE', 'DELETING'] } }, false],
    ['status eq and in ANDed', acme, { status: { eq: 'SUSPENDED', in: ['ACTIVE'] } }, false],
    ['default status is ACTIVE', zeta, { status: { eq: 'ACTIVE' } }, true],
    ['name holds, status does not', acme, { name: { eq: 'acme corp' }, status: { eq: 'ACTIVE' } }, false],
    ['status holds, name does not', acme, { name: { eq: 'zeta' }, status: { eq: 'SUSPENDED' } }, false],
    ['both hold', acme, { name: { eq: 'acme corp' }, status: { in: ['SUSPENDED'] } }, true],
    ['null operators are no conditions', acme, { name: { eq: null, in: null, gt: null }, status: { eq: null } }, true],
    ['association filters are left to the provider', acme, { spaceGuid: { eq: 'no-such-space' } }, true],
  ];

  it.each(cases)('%s', (_, organization, filter, expected) => {
    expect(matchesFilter(organization, filter)).toBe(expected);
  });
});
