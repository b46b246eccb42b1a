/**
 * Wacht's Frontend API answers, as far as this subgraph relies on them. Both membership
 * shapes are accepted: the documented one (`role`, `slug`) and newer servers' (`roles[]`,
 * numeric-string ids, no `slug`). Unknown properties are ignored.
 */
import { z } from 'zod';
import { wireSchema } from '../../upstream/response';

/** Newer servers send numeric ids; older ones strings. Both become strings. */
const wachtId = z.union([z.string().min(1), z.number().int()]).transform(String);
const timestamp = z.iso.datetime({ offset: true }).nullish();

const role = z.object({
  id: wachtId,
  name: z.string(),
  permissions: z.array(z.string()).nullish(),
});

export const membershipSchema = z.object({
  id: wachtId,
  organization: z.object({
    id: wachtId,
    name: z.string(),
    slug: z.string().nullish(),
    image_url: z.string().nullish(),
  }),
  role: role.nullish(),
  roles: z.array(role).nullish(),
  // Only its id is read, and a membership is whole without it (mapping.ts: empty is none).
  user: z.object({ id: z.union([wachtId, z.literal('')]).nullish() }).nullish(),
  created_at: timestamp,
  updated_at: timestamp,
});

export type WachtMembership = z.infer<typeof membershipSchema>;
export type WachtRole = z.infer<typeof role>;

export const membershipsEnvelope = wireSchema(
  z.object({
    status: z.number(),
    // Go encodes an empty list that was never allocated as null: no memberships.
    data: z
      .array(membershipSchema)
      .nullable()
      .transform((memberships) => memberships ?? []),
  }),
);

/** Error answers carry the envelope too, except "Deployment not found". */
export const errorEnvelope = wireSchema(z.object({ message: z.string() }));
