/**
 * Wacht Frontend API data source, one per request: `GET /me/organization-memberships` as
 * the caller, whose session is forwarded as the `__session` cookie that Wacht verifies.
 */
import { decodeJwt } from 'jose';
import { AppError } from '../../errors';
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import type { MembershipRecord } from '../provider';
import { wachtFailure } from './errors';
import { toMembership } from './mapping';
import { membershipsEnvelope } from './wire';

/** Session tokens are JWTs or opaque tokens: URL-safe characters, never `;`, `,` or spaces. */
const SESSION_TOKEN = /^[A-Za-z0-9._~+/=-]{1,4096}$/;

export class WachtDataSource {
  constructor(
    private readonly http: UpstreamClient,
    private readonly baseUrl: string,
  ) {}

  async memberships(session: string): Promise<MembershipRecord[]> {
    // Checked before it goes into a Cookie header: no other cookie or header can ride along.
    if (!SESSION_TOKEN.test(session)) {
      throw new AppError('UNAUTHENTICATED', 'The Wacht session is malformed', { provider: 'WACHT' });
    }
    if (hasExpired(session)) {
      throw new AppError('UNAUTHENTICATED', 'The Wacht session has expired: refresh it with Wacht, then retry', {
        provider: 'WACHT',
      });
    }
    const response = await this.http.send({
      provider: 'WACHT',
      route: 'GET /me/organization-memberships',
      url: `${this.baseUrl}/me/organization-memberships`,
      headers: { cookie: `__session=${session}` },
    });
    if (response.status !== 200) throw wachtFailure(response);
    return parseBody('WACHT', response, membershipsEnvelope).data.map(toMembership);
  }
}

/**
 * Whether a session JWT's `exp` has passed (read unverified: Wacht verifies the token; an opaque
 * token never has). Wacht answers an expired session by refreshing it, and some releases delete
 * the old token's rotating token as they do: the new token would go to the subgraph, which
 * cannot hand it back, and the browser's, refused from then on, would sign its user out.
 */
function hasExpired(session: string, now = Date.now()): boolean {
  try {
    const { exp } = decodeJwt(session);
    return typeof exp === 'number' && exp * 1000 <= now;
  } catch {
    return false;
  }
}
