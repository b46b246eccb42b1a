/**
 * The token the subgraph calls the Management API with: issued by client credentials and
 * cached for the whole process (one token request serves every GraphQL request until shortly
 * before it expires, concurrent callers share one request, a revoked one is renewed once), or
 * fixed by configuration (`AUTH0_MANAGEMENT_TOKEN`).
 */
import type { Auth0Config } from '../../config';
import { CachedAccessToken, FixedAccessToken, type AccessToken, type IssuedToken } from '../../upstream/access-token';
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import { tokenFailure } from './errors';
import { tokenAnswerSchema } from './wire';

type ClientCredentials = Extract<Auth0Config['management'], { clientId: string }>;

export function managementToken(config: Auth0Config, http: UpstreamClient): AccessToken {
  const { management } = config;
  return 'token' in management
    ? new FixedAccessToken(management.token)
    : new CachedAccessToken(() => requestToken(http, config.baseUrl, management));
}

/** `POST /oauth/token`, form-encoded client credentials (`client_secret_post`) for the Management API. */
async function requestToken(http: UpstreamClient, baseUrl: string, client: ClientCredentials): Promise<IssuedToken> {
  const response = await http.send({
    provider: 'AUTH0',
    route: 'POST /oauth/token',
    url: `${baseUrl}/oauth/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      audience: client.audience,
    }).toString(),
  });
  if (response.status !== 200) throw tokenFailure(response);
  const answer = parseBody('AUTH0', response, tokenAnswerSchema);
  return { token: answer.access_token, expiresInSeconds: answer.expires_in };
}
