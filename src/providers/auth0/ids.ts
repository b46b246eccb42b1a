/** Which strings can be Auth0 ids: decided without a call, so that nothing else reaches Auth0. */

/** Long enough for any connection and provider id; bounds what goes into a URL. */
const MAX_USER_ID_LENGTH = 512;

/**
 * `{connection}|{id in that connection}` (`auth0|64b…`, `oauth2|siwe|eip155:5:0xabc…`): a
 * connection without `|`, then the rest, which may hold more `|`, `:` and `/`. The `|` also
 * means an id is never `.` or `..`, which no encoding keeps from being a dot segment.
 */
export function isAuth0UserId(id: string): boolean {
  // A lone surrogate cannot be percent-encoded, so no such id can be asked for.
  return id.length <= MAX_USER_ID_LENGTH && id.isWellFormed() && /^[^|]+\|.+$/s.test(id);
}

/** Auth0 issues organization ids as `org_` and letters and digits, at most 50 characters. */
export function isAuth0OrganizationId(id: string): boolean {
  return id.length <= 50 && /^org_[A-Za-z0-9]+$/.test(id);
}
