/** Which strings can be Cloud Foundry guids: decided without a call, so nothing else reaches it. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cloud Controller names users and organizations by UUID (the UAA user id is the user guid). */
export function isGuid(id: string): boolean {
  return GUID.test(id);
}

/**
 * The spelling Cloud Controller stores: guids are lower-case UUIDs (UAA's and Cloud
 * Controller's own), and RFC 4122 reads UUIDs case-insensitively. Its PostgreSQL compares
 * them case-sensitively, so a guid asked for in upper case would find nobody.
 */
export function canonicalGuid(guid: string): string {
  return guid.toLowerCase();
}

/** Guids compare case-insensitively: the same user whichever case a client wrote. */
export function sameGuid(a: string, b: string): boolean {
  return canonicalGuid(a) === canonicalGuid(b);
}
