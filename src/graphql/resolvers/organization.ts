import { AppError, badUserInput } from '../../errors';
import { ID_PREFIX, PROVIDER_ORDER } from '../../providers/provider';
import type { Resolvers } from '../generated';

export const organizationResolvers: Resolvers = {
  Organization: {
    /**
     * Routed by the id's provider prefix. Providers whose API cannot fetch one organization
     * (Wacht), or that are not configured, resolve to null, as does an unknown id (an empty
     * one too: each provider's id check refuses it without a call).
     */
    __resolveReference: async (reference, context) => {
      // representations.ts has checked that the id is a string.
      const separator = reference.id.indexOf(':');
      const prefix = reference.id.slice(0, Math.max(0, separator));
      const provider = PROVIDER_ORDER.find((name) => ID_PREFIX[name] === prefix);
      const providerId = reference.id.slice(separator + 1);
      if (!provider) {
        throw badUserInput(`Organization id must start with one of ${PROVIDER_ORDER.map((name) => `${ID_PREFIX[name]}:`).join(', ')}`);
      }
      // References need no caller, but a bearer token presented must verify: an invalid one is
      // never anonymous (an issuer that cannot be reached is that provider's failure, not this one's).
      await context.caller.bearer().catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'UNAUTHENTICATED') throw error;
      });
      const binding = context.providers.find((candidate) => candidate.provider.name === provider);
      return (await binding?.source.organization?.(providerId)) ?? null;
    },
  },
};
