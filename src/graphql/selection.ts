/**
 * What a membership connection's selection asks of its items, so the engine loads it before
 * answering (connections/memberships.ts, PageNeeds): a walk of the operation's selection under
 * the field, through inline fragments and named ones, whatever the aliases, leaving out what
 * `@skip`/`@include` leave out with this request's variables (graphql-js decides those, as it
 * does when executing).
 *
 * Why a walk and not graphql-parse-resolve-info: that builds the whole tree of fields with their
 * arguments, measured at ~18 µs per call on every `myOrganizationMemberships` (the bench's
 * machine, where a whole request costs ~0.3-0.8 ms of CPU); this walk, ~1.3 µs, looks only for
 * the paths asked for.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { PageNeeds } from '../connections/memberships';

export function membershipPageNeeds(info: GraphQLResolveInfo): PageNeeds {
  const selects = (path: readonly string[]) =>
    info.fieldNodes.some((field) => field.selectionSet !== undefined && selectsPath(field.selectionSet, path, info));
  return { roles: selects(['edges', 'node', 'roles']) || selects(['nodes', 'roles']) };
}

function selectsPath(selectionSet: SelectionSetNode, path: readonly string[], info: GraphQLResolveInfo): boolean {
  const [name, ...rest] = path;
  return selectionSet.selections.some((selection) => {
    if (!included(selection, info)) return false;
    switch (selection.kind) {
      case Kind.FIELD:
        if (selection.name.value !== name) return false;
        return rest.length === 0 || (selection.selectionSet !== undefined && selectsPath(selection.selectionSet, rest, info));
      case Kind.INLINE_FRAGMENT:
        return selectsPath(selection.selectionSet, path, info);
      case Kind.FRAGMENT_SPREAD: {
        const fragment = info.fragments[selection.name.value];
        return fragment !== undefined && selectsPath(fragment.selectionSet, path, info);
      }
    }
  });
}

/** As graphql-js decides whether to execute a selection. */
function included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, info: GraphQLResolveInfo): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.['if'] !== false;
}
