/**
 * The work behind `myOrganizationMemberships(first: 20)` for an Auth0 caller, done the bare
 * way (no policies, metrics, loaders or engine): verify the caller's RS256 token, keeping the
 * verdict until expiry as the subgraph does; one Management API call through a keep-alive pool;
 * sort, slice, map. The bare-Node baseline serves it on node:http, the Apollo floor as a
 * resolver: the same work on both, so they differ only by what serves it.
 *
 * Environment: AUTH0_URL, AUTH0_AUDIENCE, MANAGEMENT_TOKEN.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { Agent, request } from 'undici';

const auth0 = process.env['AUTH0_URL']!;
const audience = process.env['AUTH0_AUDIENCE']!;
const managementToken = process.env['MANAGEMENT_TOKEN']!;
const keys = createRemoteJWKSet(new URL(`${auth0}/.well-known/jwks.json`));
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
// Verified tokens, as the subgraph keeps them: RS256 once per token, not once per request.
const verified = new LRUCache<string, JWTPayload>({ max: 10_000 });

interface Auth0Organization {
  id: string;
  name: string;
  display_name?: string;
}

async function verify(token: string): Promise<JWTPayload> {
  const known = verified.get(token);
  if (known) return known;
  const { payload } = await jwtVerify(token, keys, { issuer: `${auth0}/`, audience, algorithms: ['RS256'] });
  verified.set(token, payload, { ttl: Math.max(1, payload.exp! * 1000 - Date.now()) });
  return payload;
}

/** The `myOrganizationMemberships(first: 20)` object for the caller the header names. */
export async function firstTwentyMemberships(authorization: string | undefined): Promise<unknown> {
  const payload = await verify(authorization!.slice('Bearer '.length));
  const userId = payload.sub!;
  const response = await request(
    `${auth0}/api/v2/users/${encodeURIComponent(userId)}/organizations?page=0&per_page=100&include_totals=true`,
    { dispatcher: agent, headers: { authorization: `Bearer ${managementToken}` } },
  );
  const body = (await response.body.json()) as { total: number; organizations: Auth0Organization[] };
  const sorted = body.organizations.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  return {
    totalCount: body.total,
    edges: sorted.slice(0, 20).map((organization) => ({
      node: {
        id: `auth0:${organization.id}:${userId}`,
        organization: {
          id: `auth0:${organization.id}`,
          name: organization.name,
          displayName: organization.display_name ?? null,
        },
      },
    })),
  };
}
