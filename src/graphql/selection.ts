/**
 * What a membership connection's selection asks of its items, read from the operation with
 * graphql-parse-resolve-info (fragments, aliases, and `@skip`/`@include` with this request's
 * variables), so the engine loads it before answering (connections/memberships.ts, PageNeeds).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import type { PageNeeds } from '../connections/memberships';

export function membershipPageNeeds(info: GraphQLResolveInfo): PageNeeds {
  const connection = parseResolveInfo(info) as ResolveTree | null | undefined;
  return {
    roles: Boolean(connection) && (selects(connection!, ['edges', 'node', 'roles']) || selects(connection!, ['nodes', 'roles'])),
  };
}

/** Whether the field selects the path of field names below it, under any alias or fragment. */
function selects(field: ResolveTree, path: readonly string[]): boolean {
  const [name, ...rest] = path;
  if (name === undefined) return true;
  return Object.values(field.fieldsByTypeName).some((fields) =>
    Object.values(fields).some((child) => child.name === name && selects(child, rest)),
  );
}
