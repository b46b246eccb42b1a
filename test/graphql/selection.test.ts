/**
 * What a membership connection's selection needs loaded (src/graphql/selection.ts), read from
 * the resolve info graphql-js gives the field, for the ways a client can write the selection.
 */
import { execute, parse, type GraphQLResolveInfo } from 'graphql';
import { buildSchema } from '../../src/graphql/schema';
import { membershipPageNeeds } from '../../src/graphql/selection';

/** The resolve info `myOrganizationMemberships` gets in `query`, with `variables`. */
async function captureInfo(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResolveInfo> {
  const schema = buildSchema();
  let captured: GraphQLResolveInfo | undefined;
  schema.getQueryType()!.getFields()['myOrganizationMemberships']!.resolve = (_root, _args, _context, info) => {
    captured = info;
    return null;
  };
  const result = await execute({ schema, document: parse(query), variableValues: variables });
  expect(result.errors).toBeUndefined();
  return captured!;
}

/** The resolve info of `myOrganizationMemberships` selecting `selection`, with `variables`. */
function infoOf(selection: string, variables: Record<string, unknown>): Promise<GraphQLResolveInfo> {
  return captureInfo(
    /* GraphQL */ `
    query ($off: Boolean = false, $on: Boolean = true) { myOrganizationMemberships { ${selection} } }
    fragment Held on OrganizationMembership { roles { name } }`,
    variables,
  );
}

describe('membershipPageNeeds', () => {
  it.each([
    ['edges { node { roles { name } } }', {}],
    ['nodes { roles { id } }', {}],
    ['edges { cursor } nodes { id roles { name } }', {}],
    ['edges { node { held: roles { name } } }', {}],
    ['edges { node { ... on OrganizationMembership { roles { name } } } }', {}],
    ['... on OrganizationMembershipConnection { edges { ... { node { roles { name } } } } }', {}],
    ['edges { node { ...Held } }', {}],
    ['edges { node { roles @skip(if: $off) { name } } }', { off: false }],
    ['edges { node { roles @include(if: $on) { name } } }', { on: true }],
  ])('roles for `%s` (variables %j)', async (selection, variables) => {
    expect(membershipPageNeeds(await infoOf(selection, variables)).roles).toBe(true);
  });

  it.each([
    ['totalCount edges { node { id organization { id name } } }', {}],
    ['nodes { organization { name } } pageInfo { hasNextPage }', {}],
    ['edges { node { roles @skip(if: $off) { name } } }', { off: true }],
    ['edges { node { roles @include(if: $on) { name } } }', { on: false }],
    ['edges @include(if: $on) { node { roles { name } } }', { on: false }],
    ['edges { node { ...Held @skip(if: $off) } }', { off: true }],
    ['edges { node { ... @include(if: $on) { roles { name } } } }', { on: false }],
  ])('no roles for `%s` (variables %j)', async (selection, variables) => {
    expect(membershipPageNeeds(await infoOf(selection, variables))).toEqual({ roles: false, permissions: false });
  });

  it.each([
    ['edges { node { roles { name permissions } } }', {}, true],
    ['nodes { roles { ... on OrganizationRole { permissions } } }', {}, true],
    ['edges { node { ...Held } } nodes { roles { all: permissions } }', {}, true],
    ['edges { node { roles { name permissions @skip(if: $off) } } }', { off: true }, false],
    ['edges { node { roles { id name } } } nodes { organization { name } }', {}, false],
  ])('permissions for `%s` (variables %j): %j', async (selection, variables, permissions) => {
    expect(membershipPageNeeds(await infoOf(selection, variables))).toEqual({ roles: true, permissions });
  });

  it('reads every selection of a field the query asks for twice under one response key (graphql-js merges them)', async () => {
    const info = await captureInfo('{ myOrganizationMemberships { totalCount } myOrganizationMemberships { nodes { roles { name } } } }');
    expect(info.fieldNodes).toHaveLength(2);
    expect(membershipPageNeeds(info)).toEqual({ roles: true, permissions: false });
  });
});
