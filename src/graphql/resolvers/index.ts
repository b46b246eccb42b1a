/** One resolver map per type, merged for buildSubgraphSchema. */
import type { Resolvers } from '../generated';
import { DateTime } from '../scalars';
import { connectionResolvers } from './connection';
import { membershipResolvers } from './membership';
import { organizationResolvers } from './organization';
import { queryResolvers } from './query';
import { userResolvers } from './user';

export const resolvers: Resolvers = {
  DateTime,
  ...queryResolvers,
  ...userResolvers,
  ...organizationResolvers,
  ...membershipResolvers,
  ...connectionResolvers,
};
