/** Which strings can be Cloud Foundry guids: decided without a call, so nothing else reaches it. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cloud Controller names users and organizations by UUID (the UAA user id is the user guid). */
export function isGuid(id: string): boolean {
  return GUID.test(id);
}

/** Guids compare case-insensitively: the same user whichever case a client wrote. */
export function sameGuid(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
