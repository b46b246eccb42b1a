/**
 * What a field's selection asks for, so that what it needs is loaded, and only that: the roles
 * (and their permissions) a membership connection's page needs (connections/memberships.ts,
 * PageNeeds), the permissions a roles field needs. A walk of the operation's selection under
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
  const roles = selects(info, ['edges', 'node', 'roles']) || selects(info, ['nodes', 'roles']);
  // Permissions are read only under roles: most queries need no second walk.
  const permissions =
    roles && (selects(info, ['edges', 'node', 'roles', 'permissions']) || selects(info, ['nodes', 'roles', 'permissions']));
  return { roles, permissions };
}

/** Whether the field being resolved selects the path of field names below it. */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((field) => field.selectionSet !== undefined && selectsPath(field.selectionSet, path, info));
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
