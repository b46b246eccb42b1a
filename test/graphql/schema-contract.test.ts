/**
 * The schema the running subgraph serves keeps the fixed part of its public contract: every
 * type, field, argument, enum value and input field the contract names, with the same kind,
 * type (nullability included) and default, the federation directives it puts on types, and
 * the demand-control hints on both connection fields. The project may add fields, arguments,
 * enum values and types (an added argument or input field must be optional, or it would break
 * callers' operations); descriptions are not compared.
 */
import {
  astFromValue,
  buildClientSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isTypeDefinitionNode,
  isTypeExtensionNode,
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  type IntrospectionQuery,
  type TypeDefinitionNode,
  type TypeExtensionNode,
} from 'graphql';
import { startHarness, type Harness } from '../support/harness';

/**
 * CONTRACT.md §1, the schema block as the contract gives it (the contract lives outside this
 * repository, so CI could not read it). `DateTime` is declared by the sentence after the block:
 * "`DateTime` is an RFC 3339 string scalar."
 */
const CONTRACT_SDL = /* GraphQL */ `
enum IdentityProvider { AUTH0 CLOUD_FOUNDRY WACHT }
enum OrganizationStatus { ACTIVE SUSPENDED DELETING }
enum OrderDirection { ASC DESC }

type User @key(fields: "id") {
  id: ID!
  "Organizations the user is a member of, across the providers that know this id."
  organizations(
    first: Int, after: String, last: Int, before: String,
    filter: OrganizationFilter,
    orderDirection: OrderDirection = ASC,
    providers: [IdentityProvider!]
  ): OrganizationConnection
}

type Query {
  "The caller's memberships, across every provider the caller is signed in to."
  myOrganizationMemberships(
    first: Int, after: String, last: Int, before: String,
    filter: OrganizationFilter,
    orderDirection: OrderDirection = ASC,
    providers: [IdentityProvider!]
  ): OrganizationMembershipConnection
}

type Organization @key(fields: "id") {
  id: ID!                   # global: "auth0:org_123", "cloudfoundry:<guid>", "wacht:<id>"
  provider: IdentityProvider!
  providerId: ID!           # the provider's own id: "org_123", the CF guid, the Wacht id
  name: String!
  displayName: String       # Auth0 display_name; else null
  slug: String              # Wacht slug; else null
  imageUrl: String          # Auth0 branding.logo_url, Wacht image_url; else null
  status: OrganizationStatus!   # CF status; ACTIVE for providers that have none
  createdAt: DateTime       # where the provider says; else null
  updatedAt: DateTime
}

type OrganizationRole { id: ID!, name: String!, permissions: [String!]! }

type OrganizationMembership {
  id: ID!                   # stable, unique per (provider, organization, user)
  provider: IdentityProvider!
  organization: Organization!
  roles: [OrganizationRole!]!
  createdAt: DateTime
  updatedAt: DateTime
}

type PageInfo @shareable {
  hasNextPage: Boolean!, hasPreviousPage: Boolean!, startCursor: String, endCursor: String
}
type OrganizationEdge { cursor: String!, node: Organization! }
type OrganizationConnection {
  edges: [OrganizationEdge!]!, nodes: [Organization!]!, pageInfo: PageInfo!, totalCount: Int!
  unavailableProviders: [IdentityProvider!]!   # providers whose items are missing from this page
}
type OrganizationMembershipEdge { cursor: String!, node: OrganizationMembership! }
type OrganizationMembershipConnection {
  edges: [OrganizationMembershipEdge!]!, nodes: [OrganizationMembership!]!, pageInfo: PageInfo!, totalCount: Int!
  unavailableProviders: [IdentityProvider!]!
}

input OrganizationFilter {
  name: StringFilter
  status: OrganizationStatusFilter
  spaceGuid: GuidFilter          # the five *Guid filters are Cloud Foundry association filters
  userGuid: GuidFilter
  managerGuid: GuidFilter
  billingManagerGuid: GuidFilter
  auditorGuid: GuidFilter
}
input StringFilter { eq: String, in: [String!], gt: String, gte: String, lt: String, lte: String }
input OrganizationStatusFilter { eq: OrganizationStatus, in: [OrganizationStatus!] }
input GuidFilter { eq: ID, in: [ID!] }

scalar DateTime
`;

/**
 * The demand-control hint on each connection field, with the arguments schema.graphql gives it
 * (the contract fixes `slicingArguments: ["first", "last"]`; a router costs a page by them).
 */
const LIST_SIZE = {
  assumedSize: '20',
  slicingArguments: '["first", "last"]',
  sizedFields: '["edges", "nodes"]',
  requireOneSlicingArgument: 'false',
};

const contract = parse(CONTRACT_SDL);
const contractTypes = contract.definitions.filter(isTypeDefinitionNode);

let harness: Harness;
/** What a client introspecting the subgraph sees. */
let served: GraphQLSchema;
/** The federation SDL a router or `rover` fetches (it alone carries the directives). */
let servedSdl: DocumentNode;

beforeAll(async () => {
  harness = await startHarness();
  const introspection = await harness.graphql(getIntrospectionQuery());
  expect(introspection.body.errors).toBeUndefined();
  served = buildClientSchema(introspection.body.data as IntrospectionQuery);
  const service = await harness.graphql('{ _service { sdl } }');
  expect(service.body.errors).toBeUndefined();
  servedSdl = parse(service.body.data!._service.sdl as string);
});
afterAll(() => harness.close());

describe('the served schema keeps what CONTRACT.md §1 fixes', () => {
  it('the contract block copied here holds the 18 types it fixes', () => {
    expect(contractTypes.map((definition) => definition.name.value).sort()).toEqual([
      'DateTime',
      'GuidFilter',
      'IdentityProvider',
      'OrderDirection',
      'Organization',
      'OrganizationConnection',
      'OrganizationEdge',
      'OrganizationFilter',
      'OrganizationMembership',
      'OrganizationMembershipConnection',
      'OrganizationMembershipEdge',
      'OrganizationRole',
      'OrganizationStatus',
      'OrganizationStatusFilter',
      'PageInfo',
      'Query',
      'StringFilter',
      'User',
    ]);
  });

  it.each(contractTypes.map((definition) => [definition.name.value, definition] as const))(
    '%s keeps its kind and each field, argument, enum value and input field, with its type and default',
    (name, definition) => {
      const type = served.getType(name);
      expect(type).toBeDefined();
      switch (definition.kind) {
        case Kind.SCALAR_TYPE_DEFINITION:
          expect(isScalarType(type)).toBe(true);
          return;
        case Kind.ENUM_TYPE_DEFINITION: {
          if (!isEnumType(type)) throw new Error(`${name} is served as ${String(type)}, not an enum`);
          const values = type.getValues().map((value) => value.name);
          expect(values).toEqual(expect.arrayContaining(definition.values!.map((value) => value.name.value)));
          return;
        }
        case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
          if (!isInputObjectType(type)) throw new Error(`${name} is served as ${String(type)}, not an input`);
          expect(inputValues(Object.values(type.getFields()), definition.fields!)).toEqual(
            expectedInputValues(definition.fields!),
          );
          return;
        }
        case Kind.OBJECT_TYPE_DEFINITION: {
          if (!isObjectType(type)) throw new Error(`${name} is served as ${String(type)}, not an object type`);
          const fields = type.getFields();
          const got = Object.fromEntries(
            definition.fields!.map((field) => {
              const actual = fields[field.name.value];
              return [
                field.name.value,
                actual && { type: String(actual.type), arguments: inputValues(actual.args, field.arguments ?? []) },
              ];
            }),
          );
          const expected = Object.fromEntries(
            definition.fields!.map((field) => [
              field.name.value,
              { type: print(field.type), arguments: expectedInputValues(field.arguments ?? []) },
            ]),
          );
          expect(got).toEqual(expected);
          return;
        }
        default:
          throw new Error(`no check for ${definition.kind}`);
      }
    },
  );

  it('keeps the federation directives the contract puts on types (@key, @shareable)', () => {
    const withDirectives = contractTypes.filter((definition) => definition.directives?.length);
    expect(withDirectives.map((definition) => definition.name.value).sort()).toEqual([
      'Organization',
      'PageInfo',
      'User',
    ]);
    for (const definition of withDirectives) {
      const servedDirectives = servedDefinitions(definition.name.value).flatMap((node) => node.directives ?? []);
      expect({ [definition.name.value]: servedDirectives.map((directive) => print(directive)) }).toEqual({
        [definition.name.value]: expect.arrayContaining(definition.directives!.map((directive) => print(directive))),
      });
    }
  });
});

describe('demand-control hints', () => {
  it.each([
    ['User', 'organizations'],
    ['Query', 'myOrganizationMemberships'],
  ])('%s.%s carries @listSize with the arguments schema.graphql gives it, in the federation SDL', (typeName, fieldName) => {
    const field = servedDefinitions(typeName)
      .flatMap((node) =>
        node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.OBJECT_TYPE_EXTENSION ? (node.fields ?? []) : [],
      )
      .find((candidate) => candidate.name.value === fieldName);
    expect(field).toBeDefined();
    const listSize = (field!.directives ?? []).filter((directive) => directive.name.value === 'listSize');
    expect(listSize.map(directiveArguments)).toEqual([LIST_SIZE]);
  });
});

/** The definitions and extensions of a type in the served federation SDL. */
function servedDefinitions(name: string): Array<TypeDefinitionNode | TypeExtensionNode> {
  return servedSdl.definitions.filter(
    (definition): definition is TypeDefinitionNode | TypeExtensionNode =>
      (isTypeDefinitionNode(definition) || isTypeExtensionNode(definition)) && definition.name.value === name,
  );
}

/**
 * The served arguments (or input fields) the contract names, each as its type and printed
 * default; and those the project added that a caller would have to give (there may be none).
 */
function inputValues(
  actual: readonly (GraphQLArgument | GraphQLInputField)[],
  fixed: readonly InputValueDefinitionNode[],
): Record<string, unknown> {
  const byName = new Map(actual.map((value) => [value.name, value]));
  const named = Object.fromEntries(
    fixed.map((value) => {
      const served = byName.get(value.name.value);
      return [value.name.value, served && { type: String(served.type), default: printedDefault(served) }];
    }),
  );
  const requiredAdditions = actual
    .filter((value) => !fixed.some((node) => node.name.value === value.name))
    .filter((value) => isNonNullType(value.type) && value.defaultValue === undefined)
    .map((value) => value.name);
  return { named, requiredAdditions };
}

function expectedInputValues(fixed: readonly InputValueDefinitionNode[]): Record<string, unknown> {
  const named = Object.fromEntries(
    fixed.map((value) => [
      value.name.value,
      { type: print(value.type), default: value.defaultValue ? print(value.defaultValue) : undefined },
    ]),
  );
  return { named, requiredAdditions: [] };
}

function printedDefault(value: GraphQLArgument | GraphQLInputField): string | undefined {
  if (value.defaultValue === undefined) return undefined;
  const ast = astFromValue(value.defaultValue, value.type);
  return ast ? print(ast) : undefined;
}

function directiveArguments(directive: ConstDirectiveNode): Record<string, string> {
  return Object.fromEntries((directive.arguments ?? []).map((argument) => [argument.name.value, print(argument.value)]));
}
