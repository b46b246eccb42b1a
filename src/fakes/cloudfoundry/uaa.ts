/**
 * The UAA a Cloud Controller ships with, as a part of the fake Cloud Foundry (its server serves
 * the UAA's routes): user tokens as the cf CLI's login gets them, the client-credentials grant,
 * the token keys, and the check Cloud Controller makes of each bearer token. Tokens are real
 * RS256 JWTs signed with a key pair the fake makes for itself.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  SignJWT,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { formField, nowSeconds } from '../fake-server';
import { TokenVerdicts } from '../token-verdicts';
import { invalidAuthToken } from './errors';

export interface UserTokenOptions {
  scopes?: string[];
  /** Negative for a token that has already expired. */
  expiresInSeconds?: number;
  /** A `kid` header other than the signing key's, e.g. one the UAA does not list. */
  kid?: string;
  /** An `iss` other than this UAA's. */
  issuer?: string;
  /** The user's refresh token instead (UAA's JWT refresh tokens: a `jti` ending in `-r`). */
  refresh?: boolean;
}

/** Who a verified token speaks for. */
export interface Caller {
  /** `user_id`, or for a client token its `client_id` (Cloud Controller does the same). */
  guid: string | undefined;
  scopes: string[];
}

/** UAA marks its JWT refresh tokens so: Cloud Controller takes only access tokens. */
const REFRESH_TOKEN_JTI = /-r$/;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** As `GET /token_keys` lists it. */
  publicJwk: JWK;
  /** The public key as jose verifies with it, imported once (not per request). */
  verificationKeys: ReturnType<typeof createLocalJWKSet>;
}

/** Cloud Controller's UAA resource id: the audience its tokens must name. */
const RESOURCE_ID = 'cloud_controller';
export const READ_SCOPE = 'cloud_controller.read';
/** UAA's default access-token validity for a client (12 hours less a second). */
const CLIENT_TOKEN_SECONDS = 43_199;
/** The client the cf CLI logs users in with. */
const CLI_CLIENT_ID = 'cf';

export class FakeUaa {
  private readonly clients = new Map<string, { secret: string; scopes: string[] }>();
  /** `expires_in` of the client-credentials tokens the UAA issues (UAA's default unless a test shortens it, until reset). */
  clientTokenLifetimeSeconds = CLIENT_TOKEN_SECONDS;
  private keyGeneration = 1;
  private signingKey: Promise<SigningKey> = createSigningKey(`key-${this.keyGeneration}`);
  private readonly tokenVerdicts = new TokenVerdicts<Caller>();

  /** `url` gives the UAA's base URL when asked: the server has none until it has started. */
  constructor(private readonly url: () => string) {}

  reset(): void {
    this.clientTokenLifetimeSeconds = CLIENT_TOKEN_SECONDS;
  }

  /** A UAA client that may use the client-credentials grant. */
  addClient(id: string, secret: string, scopes: string[]): void {
    this.clients.set(id, { secret, scopes });
  }

  /** A UAA user token, as the cf CLI's login would get (`client_id` `cf`). */
  async mintUserToken(userGuid: string, userName: string, options: UserTokenOptions): Promise<string> {
    const { scopes = [READ_SCOPE, 'openid'], expiresInSeconds = 3600, kid, issuer, refresh = false } = options;
    const claims = {
      sub: userGuid,
      user_id: userGuid,
      user_name: userName,
      origin: 'uaa',
      email: userName,
      scope: scopes,
      client_id: CLI_CLIENT_ID,
      cid: CLI_CLIENT_ID,
      azp: CLI_CLIENT_ID,
      grant_type: 'password',
      aud: audience(scopes, CLI_CLIENT_ID),
      ...(refresh ? { jti: `${randomUUID().replaceAll('-', '')}-r` } : {}),
    };
    return (await this.sign(claims, expiresInSeconds, { kid, issuer })).token;
  }

  /** Signs from now on with a new key; `token_keys` lists only the new one. */
  async rotateKey(): Promise<void> {
    this.keyGeneration += 1;
    this.signingKey = createSigningKey(`key-${this.keyGeneration}`);
    this.tokenVerdicts.clear();
    await this.signingKey;
  }

  /** A bearer token as Cloud Controller checks it; one that does not verify is CF-InvalidAuthToken. */
  verify(token: string): Promise<Caller> {
    return this.tokenVerdicts.verify(token, async () => {
      try {
        // Cloud Controller's UaaTokenDecoder decodes with `audience_ids: resource_id`: a token
        // whose `aud` lacks `cloud_controller` is an invalid token (401), before any scope check.
        const { payload } = await jwtVerify(token, (await this.signingKey).verificationKeys, {
          issuer: this.issuer,
          audience: RESOURCE_ID,
          algorithms: ['RS256'],
        });
        // UaaTokenDecoder's access_token? check: a refresh token is a bad token.
        if (typeof payload.jti === 'string' && REFRESH_TOKEN_JTI.test(payload.jti)) throw invalidAuthToken();
        const guid = [payload.user_id, payload.client_id].find((id) => typeof id === 'string');
        const scopes = Array.isArray(payload.scope) ? payload.scope.filter(isString) : [];
        return { value: { guid, scopes }, exp: payload.exp };
      } catch {
        throw invalidAuthToken();
      }
    });
  }

  /** `POST /uaa/oauth/token`: the client-credentials grant with HTTP Basic client auth. */
  async issueClientToken(request: FastifyRequest, reply: FastifyReply) {
    const clientId = this.authenticateClient(request.headers.authorization);
    if (clientId === undefined) {
      return reply.code(401).send({ error: 'unauthorized', error_description: 'Bad credentials' });
    }
    const grantType = formField(request.body, 'grant_type');
    if (grantType !== 'client_credentials') {
      return reply.code(400).send({
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${grantType ?? ''}`,
      });
    }
    const scopes = this.clients.get(clientId)?.scopes ?? [];
    const claims = {
      sub: clientId,
      authorities: scopes,
      scope: scopes,
      client_id: clientId,
      cid: clientId,
      azp: clientId,
      grant_type: 'client_credentials',
      aud: audience(scopes, clientId),
    };
    const { token, jti } = await this.sign(claims, this.clientTokenLifetimeSeconds, {});
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.clientTokenLifetimeSeconds,
      scope: scopes.join(' '),
      jti,
    };
  }

  /** `GET /uaa/token_keys`: the signing key's public half. */
  async tokenKeys(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey).publicJwk] };
  }

  /** The client id when `Authorization: Basic` names a known client with its secret. */
  private authenticateClient(header: string | undefined): string | undefined {
    const match = /^basic\s+(\S+)$/i.exec(header ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return colon >= 0 && this.clients.get(id)?.secret === secret ? id : undefined;
  }

  private async sign(
    claims: Record<string, unknown>,
    expiresInSeconds: number,
    { kid, issuer }: { kid?: string | undefined; issuer?: string | undefined },
  ): Promise<{ token: string; jti: string }> {
    const key = await this.signingKey;
    const jti = randomUUID().replaceAll('-', '');
    const issuedAt = nowSeconds();
    const token = await new SignJWT({
      jti,
      ...claims,
      iat: issuedAt,
      auth_time: issuedAt,
      exp: issuedAt + expiresInSeconds,
      iss: issuer ?? this.issuer,
      zid: 'uaa',
    })
      .setProtectedHeader({
        alg: 'RS256',
        kid: kid ?? key.kid,
        typ: 'JWT',
        jku: `${this.url()}/token_keys`,
      })
      .sign(key.privateKey);
    return { token, jti };
  }

  /** UAA's `iss`: its token endpoint. */
  private get issuer(): string {
    return `${this.url()}/oauth/token`;
  }
}

async function createSigningKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk = { ...jwk, kid, alg: 'RS256', use: 'sig', value: await exportSPKI(publicKey) };
  return { kid, privateKey, publicJwk, verificationKeys: createLocalJWKSet({ keys: [publicJwk] }) };
}

/** UAA's `aud`: the resource of each scope (the part before its last `.`), and the client. */
function audience(scopes: string[], clientId: string): string[] {
  const resources = scopes.map((scope) =>
    scope.includes('.') ? scope.slice(0, scope.lastIndexOf('.')) : scope,
  );
  return [...new Set([...resources, clientId])];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
