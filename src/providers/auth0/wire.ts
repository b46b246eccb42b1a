/**
 * The Auth0 Management API and token endpoint answers, as far as this subgraph relies on
 * them. Unknown properties (metadata, token_quota, colors, descriptions…) are ignored.
 */
import { z } from 'zod';
import { wireSchema } from '../../upstream/response';

const auth0Id = z.string().min(1);

export const organizationSchema = wireSchema(
  z.object({
    id: auth0Id,
    name: z.string().min(1),
    display_name: z.string().nullish(),
    branding: z.object({ logo_url: z.string().nullish() }).nullish(),
  }),
);

const roleSchema = z.object({ id: auth0Id, name: z.string() });

const permissionSchema = z.object({ permission_name: z.string().min(1) });

export type Auth0Organization = z.infer<typeof organizationSchema>;
export type Auth0Role = z.infer<typeof roleSchema>;

/** One page of a list route, whatever Auth0 calls its items there. */
export interface Page<T> {
  /** Every item of the list, reachable or not. */
  total: number;
  items: T[];
}

/**
 * A page asked for with `include_totals=true`: `{start, limit, total, <key>: [...]}`. Auth0
 * names the list after what it holds; it is read as `items` so one pager serves every route.
 */
function totalsPage<T>(key: string, item: z.ZodType<T>): z.ZodType<Page<T>> {
  // Built once per route: a zod schema is costly to construct, cheap to run.
  const total = z.number().int().nonnegative();
  return wireSchema(
    z
      .looseObject({ total, [key]: z.array(item) })
      .transform((page): Page<T> => ({ total: page['total'] as number, items: page[key] as T[] })),
  );
}

export const organizationsPage = totalsPage('organizations', organizationSchema);
export const rolesPage = totalsPage('roles', roleSchema);
export const permissionsPage = totalsPage('permissions', permissionSchema);

/** `{"statusCode":403,"error":"Forbidden","message":"…","errorCode":"insufficient_scope"}`; errorCode is optional. */
export const errorBodySchema = wireSchema(
  z.object({
    statusCode: z.number(),
    error: z.string(),
    message: z.string(),
    errorCode: z.string().optional(),
  }),
);

/** The client-credentials answer of `POST /oauth/token`. */
export const tokenAnswerSchema = wireSchema(
  z.object({
    access_token: z.string().min(1),
    expires_in: z.number().nonnegative(),
  }),
);
