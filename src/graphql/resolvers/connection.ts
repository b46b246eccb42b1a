/**
 * Both connections come from one engine page of memberships; the organization connection
 * shows each membership's organization.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { PageResult, ConnectionPage } from '../../connections/connection';
import type { GraphQLContext } from '../context';
import { toGraphQLError } from '../errors';
import type { Resolvers } from '../generated';

/** The page, with each failed provider's error reported at this field's path. */
export function reportPartial(result: PageResult, context: GraphQLContext, info: GraphQLResolveInfo): ConnectionPage {
  const path = responsePathAsArray(info.path);
  context.partialErrors.push(...result.failures.map((failure) => toGraphQLError(failure, path)));
  return result.page;
}

export const connectionResolvers: Resolvers = {
  OrganizationConnection: {
    nodes: (page) => page.edges.map((edge) => edge.node.organization),
  },
  OrganizationEdge: {
    node: (edge) => edge.node.organization,
  },
  OrganizationMembershipConnection: {
    nodes: (page) => page.edges.map((edge) => edge.node),
  },
};
