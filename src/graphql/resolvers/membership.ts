import { AppError } from '../../errors';
import type { Resolvers } from '../generated';
import { selects } from '../selection';

export const membershipResolvers: Resolvers = {
  OrganizationMembership: {
    /** Providers that know roles up front set them; the others load them only when selected. */
    roles: (membership, _args, context, info) => {
      if (membership.roles) return membership.roles;
      const binding = context.providers.find(({ provider }) => provider.name === membership.provider);
      if (!binding?.source.roles) {
        throw new AppError('UPSTREAM_ERROR', `${membership.provider} cannot list roles`, { provider: membership.provider });
      }
      // The page loaded them already (PageNeeds); the source's loaders answer without asking again.
      return binding.source.roles(membership, { permissions: selects(info, ['permissions']) });
    },
  },
};
