import { listCallerMemberships } from '../../connections/memberships';
import type { Resolvers } from '../generated';
import { membershipPageNeeds } from '../selection';
import { reportPartial } from './connection';

export const queryResolvers: Resolvers = {
  Query: {
    myOrganizationMemberships: async (_root, args, context, info) =>
      reportPartial(await listCallerMemberships(context.providers, context.caller, args, membershipPageNeeds(info)), context, info),
  },
};
