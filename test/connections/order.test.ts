import fc from 'fast-check';
import type { IdentityProvider } from '../../src/graphql/generated';
import { compareAscending, compareCodeUnits, comparatorFor } from '../../src/connections/order';
import type { MembershipRecord } from '../../src/providers/provider';
import { idsOf, membership } from './support';

const asc = comparatorFor('ASC');
const desc = comparatorFor('DESC');

function sortedIds(records: MembershipRecord[], direction: 'ASC' | 'DESC' = 'ASC'): string[] {
  return idsOf([...records].sort(comparatorFor(direction)));
}

describe('the order of every connection', () => {
  it('ASC is compareAscending', () => {
    expect(asc).toBe(compareAscending);
  });

  it('compares names by their lowercase form, not by locale collation', () => {
    const zeta = membership('AUTH0', 'z', 'Zeta');
    const angstrom = membership('AUTH0', 'a', 'ångström');
    // 'z' (U+007A) < 'å' (U+00E5); a locale collation puts ångström first.
    expect(asc(zeta, angstrom)).toBeLessThan(0);
    expect(asc(angstrom, zeta)).toBeGreaterThan(0);
    expect(sortedIds([angstrom, zeta])).toEqual(['auth0:z', 'auth0:a']);
    expect('ångström'.localeCompare('Zeta')).toBeLessThan(0); // the collation we must not use
  });

  it("puts '_' before letters of either case (lowercase first, then code units)", () => {
    const underscore = membership('AUTH0', 'u', '_x');
    const upperB = membership('AUTH0', 'b', 'B');
    const lowerA = membership('AUTH0', 'a', 'a');
    // Uppercase 'B' (U+0042) is below '_' (U+005F), but its lowercase 'b' is above.
    expect(sortedIds([upperB, lowerA, underscore])).toEqual(['auth0:u', 'auth0:a', 'auth0:b']);
  });

  it('orders digits by code unit, not numerically, and before letters', () => {
    const records = [
      membership('WACHT', 'n9', '9'),
      membership('WACHT', 'n10', '10'),
      membership('WACHT', 'la', 'a'),
      membership('WACHT', 'n1', '1'),
      membership('WACHT', 'sp', ' space'),
    ];
    expect(sortedIds(records)).toEqual(['wacht:sp', 'wacht:n1', 'wacht:n10', 'wacht:n9', 'wacht:la']);
  });

  it('compares UTF-16 code units, not code points', () => {
    const emoji = membership('AUTH0', 'emoji', '\u{1F600}'); // surrogate pair D83D DE00
    const tilde = membership('AUTH0', 'tilde', '\uFF5E'); // one unit, above D83D
    expect(sortedIds([tilde, emoji])).toEqual(['auth0:emoji', 'auth0:tilde']);
    expect(compareCodeUnits('\u{1F600}', '\uFF5E')).toBe(-1);
  });

  it('ignores case: a name and its capitalised form are tied on name', () => {
    const lower = membership('AUTH0', 'b', 'acme');
    const upper = membership('AUTH0', 'a', 'ACME');
    expect(sortedIds([lower, upper])).toEqual(['auth0:a', 'auth0:b']);
    expect(asc(membership('AUTH0', 'x', 'Acme'), membership('AUTH0', 'x', 'aCME'))).toBe(0);
  });

  it('breaks ties on name by provider: AUTH0, CLOUD_FOUNDRY, WACHT', () => {
    const records = [
      membership('WACHT', 'a', 'Same'),
      membership('CLOUD_FOUNDRY', 'a', 'SAME'),
      membership('AUTH0', 'z', 'same'),
    ];
    expect(sortedIds(records)).toEqual(['auth0:z', 'cloudfoundry:a', 'wacht:a']);
  });

  it('breaks ties on name and provider by provider id, in code-unit order', () => {
    const records = [
      membership('CLOUD_FOUNDRY', 'b', 'Same'),
      membership('CLOUD_FOUNDRY', 'B', 'same'),
      membership('CLOUD_FOUNDRY', 'a', 'SAME'),
      membership('CLOUD_FOUNDRY', '_', 'same'),
    ];
    // Provider ids are compared as they are (not lowercased): 'B' < '_' < 'a' < 'b'.
    expect(sortedIds(records)).toEqual(['cloudfoundry:B', 'cloudfoundry:_', 'cloudfoundry:a', 'cloudfoundry:b']);
  });

  it('name wins over provider and id', () => {
    const records = [membership('AUTH0', 'a', 'b'), membership('WACHT', 'z', 'A')];
    expect(sortedIds(records)).toEqual(['wacht:z', 'auth0:a']);
  });

  it('DESC is the exact reverse of ASC, ties included', () => {
    const records = [
      membership('WACHT', 'a', 'Same'),
      membership('CLOUD_FOUNDRY', 'b', 'same'),
      membership('CLOUD_FOUNDRY', 'a', 'SAME'),
      membership('AUTH0', 'a', 'Zeta'),
      membership('AUTH0', 'b', '_x'),
      membership('AUTH0', 'c', 'ångström'),
    ];
    expect(sortedIds(records, 'DESC')).toEqual([
      'auth0:c',
      'auth0:a',
      'wacht:a',
      'cloudfoundry:b',
      'cloudfoundry:a',
      'auth0:b',
    ]);
    expect(sortedIds(records, 'DESC')).toEqual([...sortedIds(records, 'ASC')].reverse());
  });

  const providerArb = fc.constantFrom<IdentityProvider>('AUTH0', 'CLOUD_FOUNDRY', 'WACHT');
  const nameArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom('a', 'A', 'Zeta', 'zeta', 'ångström', '_x', '10', '9', 'ß', 'İ', '\u{1F600}'),
  );
  const recordArb = fc
    .tuple(providerArb, fc.string({ unit: 'binary-ascii', maxLength: 3 }), nameArb)
    .map(([provider, id, name]) => membership(provider, id, name));

  it('is a total order that agrees with the lowercase/provider/id key (property)', () => {
    const key = (record: MembershipRecord) => [
      record.organization.name.toLowerCase(),
      ['AUTH0', 'CLOUD_FOUNDRY', 'WACHT'].indexOf(record.provider),
      record.organization.providerId,
    ] as const;
    fc.assert(
      fc.property(recordArb, recordArb, (a, b) => {
        const [nameA, providerA, idA] = key(a);
        const [nameB, providerB, idB] = key(b);
        const expected =
          nameA !== nameB
            ? (nameA < nameB ? -1 : 1)
            : providerA !== providerB
              ? Math.sign(providerA - providerB)
              : idA === idB
                ? 0
                : idA < idB
                  ? -1
                  : 1;
        expect(Math.sign(asc(a, b))).toBe(expected);
        expect(Math.sign(desc(a, b))).toBe(-expected || 0);
        expect(Math.sign(asc(b, a))).toBe(-expected || 0);
      }),
    );
  });

  it('sorting DESC gives the reverse of sorting ASC for lists with distinct keys (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(recordArb, { selector: (record) => record.organization.id, maxLength: 30 }),
        (records) => {
          expect(sortedIds(records, 'DESC')).toEqual([...sortedIds(records, 'ASC')].reverse());
        },
      ),
    );
  });
});
