/**
 * Cloud Controller v2 and UAA answers, as far as this subgraph relies on them. Unknown
 * properties (the `…_url` links, quota, billing) are ignored.
 */
import { z } from 'zod';
import { wireSchema } from '../../upstream/response';

/** Cloud Controller's timestamps (`2016-06-08T16:41:36Z`); `updated_at` is null until a first update. */
const timestamp = z.iso.datetime({ offset: true }).nullish();

/** Statuses Cloud Controller knows; any other is an answer this subgraph cannot show faithfully. */
const organizationStatus = z.enum(['active', 'suspended', 'deleting']);

export type CfOrganizationStatus = z.infer<typeof organizationStatus>;

export const organizationResource = wireSchema(
  z.object({
    metadata: z.object({ guid: z.string().min(1), created_at: timestamp, updated_at: timestamp }),
    entity: z.object({ name: z.string().min(1), status: organizationStatus }),
  }),
);

export type CfOrganizationResource = z.infer<typeof organizationResource>;

/** One page of a v2 list route. */
export const organizationsPage = wireSchema(
  z.object({
    total_results: z.number().int().nonnegative(),
    total_pages: z.number().int().nonnegative(),
    resources: z.array(organizationResource),
  }),
);

export type CfOrganizationsPage = z.infer<typeof organizationsPage>;

/** `{"description":"…","error_code":"CF-…","code":N}`. */
export const errorBody = wireSchema(z.object({ error_code: z.string(), code: z.number().optional() }));

/** `GET /v2/info`: where the UAA is. */
export const infoSchema = wireSchema(z.object({ token_endpoint: z.url({ protocol: /^https?$/ }) }));

/** The client-credentials answer of the UAA's `POST /oauth/token`. */
export const tokenAnswer = wireSchema(
  z.object({
    access_token: z.string().min(1),
    expires_in: z.number().nonnegative(),
  }),
);
