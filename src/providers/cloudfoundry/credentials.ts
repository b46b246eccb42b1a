/**
 * What Cloud Controller is called with: the subgraph's client-credentials token when a UAA
 * client is configured (one per process, cached and renewed), else the caller's own verified
 * UAA token. Tokens from other issuers are never sent to Cloud Foundry.
 */
import type { Caller } from '../../auth/caller';
import type { CloudFoundryConfig } from '../../config';
import { AppError } from '../../errors';
import { CachedAccessToken, type AccessToken, type IssuedToken } from '../../upstream/access-token';
import type { UpstreamClient } from '../../upstream/http-client';
import { parseBody } from '../../upstream/response';
import { tokenFailure, type Credential } from './errors';
import type { UaaLocator } from './uaa';
import { tokenAnswer } from './wire';

export interface Credentials {
  kind: Credential;
  token: AccessToken;
}

type Client = NonNullable<CloudFoundryConfig['client']>;

/** The client-credentials token, for the whole process. */
export function clientCredentials(http: UpstreamClient, uaa: UaaLocator, client: Client): Credentials {
  return { kind: 'client', token: new CachedAccessToken(() => requestClientToken(http, uaa, client)) };
}

/** The caller's own token, for this request. Sent as is: a 401 means the caller must sign in again. */
export function callerCredentials(caller: Caller): Credentials {
  const get = async (): Promise<string> => {
    const token = await caller.bearer();
    if (token?.provider !== 'CLOUD_FOUNDRY') {
      throw new AppError('UNAUTHENTICATED', 'Sign in to Cloud Foundry: present a UAA bearer token', {
        provider: 'CLOUD_FOUNDRY',
      });
    }
    return token.raw;
  };
  return { kind: 'caller', token: { get, send: async (attempt) => attempt(await get()) } };
}

/** `POST {uaa}/oauth/token`, `grant_type=client_credentials`, the client authenticated with HTTP Basic. */
async function requestClientToken(http: UpstreamClient, uaa: UaaLocator, client: Client): Promise<IssuedToken> {
  const response = await http.send({
    provider: 'CLOUD_FOUNDRY',
    route: 'POST {uaa}/oauth/token',
    url: `${await uaa()}/oauth/token`,
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
  });
  if (response.status !== 200) throw tokenFailure(response);
  const answer = parseBody('CLOUD_FOUNDRY', response, tokenAnswer);
  return { token: answer.access_token, expiresInSeconds: answer.expires_in };
}
