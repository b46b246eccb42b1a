/**
 * Wacht Frontend API data source, one per request: `GET /me/organization-memberships` as
 * the caller, whose session is forwarded as the `__session` cookie that Wacht verifies.
 */
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import type { MembershipRecord } from '../provider';
import { wachtFailure } from './errors';
import { toMembership } from './mapping';
import type { CheckedSession } from './session';
import { membershipsEnvelope } from './wire';

export class WachtDataSource {
  constructor(
    private readonly http: UpstreamClient,
    private readonly baseUrl: string,
  ) {}

  /** Checked before it is kept or forwarded (the provider checks it before its cache). */
  async memberships(session: CheckedSession): Promise<MembershipRecord[]> {
    const response = await this.http.send({
      provider: 'WACHT',
      route: 'GET /me/organization-memberships',
      url: `${this.baseUrl}/me/organization-memberships`,
      headers: { cookie: `__session=${session}` },
      abandonable: true,
    });
    if (response.status !== 200) throw wachtFailure(response);
    return parseBody('WACHT', response, membershipsEnvelope).data.map(toMembership);
  }
}
