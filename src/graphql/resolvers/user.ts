import { listUserOrganizations } from '../../connections/memberships';
import type { Resolvers } from '../generated';
import { reportPartial } from './connection';

/** Another subgraph owns `User`; this one only needs its id. */
export interface UserReference {
  id: string;
}

export const userResolvers: Resolvers = {
  User: {
    // representations.ts has checked that the id is a string.
    __resolveReference: (reference) => ({ id: reference.id }),
    organizations: async (user, args, context, info) =>
      reportPartial(await listUserOrganizations(context.providers, context.caller, user.id, args), context, info),
  },
};
