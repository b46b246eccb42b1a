/**
 * The cost limit, applied to the operation as it will run. graphql-armor's cost rule counts a
 * connection's selection as many times as the `first`/`last` literal written into it, and only
 * that: as a validation rule it cannot see variables, so `first: $n` (how routers and most
 * clients page) counted once whatever `$n` was, and so did a page that gives no size and takes
 * 20. The cost is reckoned here instead, after validation, with every connection's page size
 * as it will run: the literal or the variable's value, DEFAULT_PAGE_SIZE when neither size is
 * given, never more than MAX_PAGE_SIZE (a larger size is the argument's error, BAD_USER_INPUT,
 * not a cost no page can reach). A refusal is GRAPHQL_VALIDATION_FAILED, 400, as validation's.
 * Apollo keeps one DocumentNode per query text, so each operation is costed once per distinct
 * set of page sizes, not per request.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getVariableValues,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../connections/arguments';
import { fragmentsOf, weighWrittenOut } from '../graphql/written-out';

/** What one operation's page sizes cost, by the values its page-size variables take. */
interface CostedOperation {
  /** The variables some `first`/`last` argument takes its value from. */
  sizeVariables: readonly VariableDefinitionNode[];
  /** The refusal (null: within the limit), by those variables' page sizes. */
  verdicts: Map<string, string | null>;
}

/** Verdicts kept per operation; more distinct page sizes than this start the list afresh. */
const MAX_VERDICTS = 256;

export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  const operations = new WeakMap<OperationDefinitionNode, CostedOperation>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          let costed = operations.get(operation);
          if (!costed) operations.set(operation, (costed = { sizeVariables: sizeVariablesOf(document, operation), verdicts: new Map() }));
          let variables: Record<string, unknown> = {};
          if (costed.sizeVariables.length) {
            const { coerced } = getVariableValues(schema, costed.sizeVariables, request.variables ?? {});
            // Variables that do not coerce fail execution, with their own error, before anything runs.
            if (!coerced) return;
            variables = coerced;
          }
          const key = costed.sizeVariables.map((definition) => costedSize(variables[definition.variable.name.value])).join();
          let refusal = costed.verdicts.get(key);
          if (refusal === undefined) {
            if (costed.verdicts.size >= MAX_VERDICTS) costed.verdicts.clear();
            refusal = costRefusal(schema, document, operation, variables, maxCost);
            costed.verdicts.set(key, refusal);
          }
          if (refusal !== null) {
            throw new GraphQLError(refusal, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
          }
        },
      };
    },
  };
}

function isPageSize(argument: ArgumentNode): boolean {
  return argument.name.value === 'first' || argument.name.value === 'last';
}

/** The variables the operation's `first`/`last` arguments take, in it or in any fragment. */
function sizeVariablesOf(document: DocumentNode, operation: OperationDefinitionNode): VariableDefinitionNode[] {
  const names = new Set<string>();
  for (const definition of [operation, ...fragmentsOf(document)]) {
    visit(definition, {
      Argument(argument) {
        if (isPageSize(argument) && argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      },
    });
  }
  return (operation.variableDefinitions ?? []).filter((definition) => names.has(definition.variable.name.value));
}

/** A page size as the cost counts it: a whole number, at most MAX_PAGE_SIZE; undefined when none is given. */
function costedSize(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? Math.min(Math.max(value, 0), MAX_PAGE_SIZE) : undefined;
}

function sizeOf(value: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (value.kind === Kind.INT) return costedSize(Number(value.value));
  return value.kind === Kind.VARIABLE ? costedSize(variables[value.name.value]) : undefined;
}

/**
 * The cost limit's message when the operation, sized as it will run, costs too much; else null.
 * Counted as graphql-armor's cost rule counts a query written out in full: a leaf 1, an object 2
 * plus 1.5 × what it selects, times a connection's page size. Fragments count as their
 * selections written in place (armor's rule charges each fragment as one more object level, so
 * a client building a query from nested fragments, as Relay does, met the limit several times
 * sooner than with the same query written out), each fragment reckoned once however often it
 * is spread.
 */
function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxCost: number,
): string | null {
  const fragments = fragmentsOf(document);
  // Each connection's page size: a connection is a field that takes `first`.
  const pageSizes = new Map<FieldNode, number>();
  const typeInfo = new TypeInfo(schema);
  for (const definition of [operation, ...fragments]) {
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          if (!typeInfo.getFieldDef()?.args.some((argument) => argument.name === 'first')) return;
          const sizes = (field.arguments ?? [])
            .filter(isPageSize)
            .map((argument) => sizeOf(argument.value, variables))
            .filter((size) => size !== undefined);
          pageSizes.set(field, sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE);
        },
      }),
    );
  }
  const cost = weighWrittenOut(operation.selectionSet, document, (field, inner) => {
    // Introspection is limited by depth, and off in production.
    if (field.name.value === '__schema') return 0;
    if (!field.selectionSet) return COST.leaf;
    const times = Math.max(1, pageSizes.get(field) ?? 1);
    return (COST.object + COST.depthFactor * inner(field.selectionSet)) * times;
  });
  return cost > maxCost ? `Query Cost limit of ${maxCost} exceeded, found ${cost}.` : null;
}

const COST = { leaf: 1, object: 2, depthFactor: 1.5 } as const;
