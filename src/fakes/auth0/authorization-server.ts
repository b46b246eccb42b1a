/**
 * The tenant's authorization server: its signing keys and their JWKS, the client-credentials
 * token endpoint that issues Management API tokens, the check of those tokens at the Management
 * API, and caller access tokens for the subgraph's API. The tenant's server serves its routes;
 * it is not a server of its own.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { formField, nowSeconds } from '../fake-server';
import { TokenVerdicts } from '../token-verdicts';
import { AUTH0_ERRORS, HttpAnswer } from './errors';

export interface CallerTokenOptions {
  audience: string | string[];
  /** Space-separated, as Auth0 writes it. */
  scope?: string;
  /** What Auth0 adds when RBAC "Add Permissions in the Access Token" is on. */
  permissions?: string[];
  /** From now (default 3600); null writes no `exp`, which Auth0 never does. */
  expiresInSeconds?: number | null;
  /** Defaults to the tenant, `${url}/`; set it to mint a token from an unconfigured issuer. */
  issuer?: string;
  /** Defaults to the current signing key's id; set it to point at a key the JWKS lacks. */
  kid?: string;
  /**
   * Defaults to RS256. The other RSA algorithms (RS384, PS256, …) sign with the tenant's own
   * key, as a tenant whose API is set to sign with one would, so a verifier that refuses them
   * refuses their algorithm, not their signature; HS and ES algorithms sign with a throwaway key.
   */
  algorithm?: string;
  /** The client the token was issued to. */
  azp?: string;
}

/**
 * The tenant's settings, read at each use since tests change them between requests, and the
 * count of Management API tokens issued, which tests read on the tenant.
 */
export interface Tenant {
  readonly issuer: string;
  readonly managementAudience: string;
  readonly tokenLifetimeSeconds: number;
  issuedManagementTokens: number;
}

const SIGNING_ALGORITHM = 'RS256';
const DEFAULT_CALLER_CLIENT_ID = 'fakeAuth0SinglePageAppClient0001';

export class AuthorizationServer {
  private readonly clients = new Map<string, { secret: string; scopes: string[] }>();
  /** Tokens issued and not revoked: a token the tenant never issued is refused. */
  private readonly liveManagementTokens = new Set<string>();
  /** Published keys, oldest first; the last one signs. */
  private readonly keys: { kid: string; privateKey: CryptoKey; publicJwk: JWK }[] = [];
  /** One key set for all verifications, so jose imports each published key once, not per request. */
  private publishedKeys = createLocalJWKSet({ keys: [] });
  private readonly managementTokenVerdicts = new TokenVerdicts<JWTPayload>();

  constructor(private readonly tenant: Tenant) {}

  routes(app: FastifyInstance): void {
    app.post('/oauth/token', async (request) => this.grantManagementToken(request));
    app.get('/.well-known/jwks.json', async () => this.jwks());
  }

  /** Generating a key pair is asynchronous, so the first key is made when the tenant starts. */
  async ensureSigningKey(): Promise<void> {
    if (this.keys.length === 0) await this.rotateKey();
  }

  addClient(clientId: string, secret: string, scopes: string[]): void {
    this.clients.set(clientId, { secret, scopes: [...scopes] });
  }

  revokeManagementTokens(): void {
    this.liveManagementTokens.clear();
  }

  async rotateKey({ revokePrevious = false } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    if (revokePrevious) this.keys.length = 0;
    this.keys.push({ kid, privateKey, publicJwk: { ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' } });
    this.publishedKeys = createLocalJWKSet(this.jwks());
    this.managementTokenVerdicts.clear();
    return kid;
  }

  jwks(): JSONWebKeySet {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  async mintCallerToken(sub: string, options: CallerTokenOptions): Promise<string> {
    const iat = nowSeconds();
    const claims: JWTPayload = {
      iss: options.issuer ?? this.tenant.issuer,
      sub,
      aud: options.audience,
      iat,
      exp: options.expiresInSeconds === null ? undefined : iat + (options.expiresInSeconds ?? 3600),
      azp: options.azp ?? DEFAULT_CALLER_CLIENT_ID,
      scope: options.scope,
      permissions: options.permissions,
    };
    return this.sign(claims, options.algorithm, options.kid);
  }

  /** A Management API request's token must be one the tenant issued, still valid, with `scope`. */
  async authorize(authorization: string | undefined, scope: string): Promise<void> {
    const claims = await this.verifyManagementToken(bearerToken(authorization));
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!granted.includes(scope)) throw new HttpAnswer(403, AUTH0_ERRORS.insufficientScope(scope));
  }

  private async verifyManagementToken(token: string): Promise<JWTPayload> {
    const payload = await this.managementTokenVerdicts.verify(token, async () => {
      const { payload: claims } = await jwtVerify(token, this.publishedKeys, {
        issuer: this.tenant.issuer,
        audience: this.tenant.managementAudience,
        algorithms: [SIGNING_ALGORITHM],
      }).catch((error: unknown) => {
        throw tokenRejection(error);
      });
      return { value: claims, exp: claims.exp };
    });
    if (!this.liveManagementTokens.has(token)) throw new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
    return payload;
  }

  private async grantManagementToken(request: FastifyRequest): Promise<object> {
    const grantType = formField(request.body, 'grant_type');
    if (grantType === undefined) throw oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== 'client_credentials') {
      throw oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    }
    const { clientId, scopes } = this.authenticateClient(request.body);
    const audience = formField(request.body, 'audience');
    if (audience === undefined) {
      throw oauthError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    }
    if (audience !== this.tenant.managementAudience) {
      throw oauthError(403, 'access_denied', `Service not enabled within domain: ${audience}`);
    }
    return this.issueManagementToken(clientId, scopes);
  }

  /** Client credentials in the body (`client_secret_post`), as the official SDK sends them. */
  private authenticateClient(body: unknown): { clientId: string; scopes: string[] } {
    const clientId = formField(body, 'client_id');
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (clientId === undefined || !client || client.secret !== formField(body, 'client_secret')) {
      throw oauthError(401, 'access_denied', 'Unauthorized');
    }
    return { clientId, scopes: client.scopes };
  }

  private async issueManagementToken(clientId: string, scopes: string[]): Promise<object> {
    const iat = nowSeconds();
    const scope = scopes.join(' ');
    const token = await this.sign({
      iss: this.tenant.issuer,
      sub: `${clientId}@clients`,
      aud: this.tenant.managementAudience,
      iat,
      exp: iat + this.tenant.tokenLifetimeSeconds,
      scope,
      gty: 'client-credentials',
      azp: clientId,
    });
    this.liveManagementTokens.add(token);
    this.tenant.issuedManagementTokens += 1;
    return { access_token: token, expires_in: this.tenant.tokenLifetimeSeconds, scope, token_type: 'Bearer' };
  }

  private async sign(claims: JWTPayload, algorithm = SIGNING_ALGORITHM, kid?: string): Promise<string> {
    const current = this.keys.at(-1);
    if (!current) throw new Error('FakeAuth0 has no signing key until it is started');
    const key = algorithm === SIGNING_ALGORITHM ? current.privateKey : await signingKey(current.privateKey, algorithm);
    return new SignJWT(claims).setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: kid ?? current.kid }).sign(key);
  }
}

function oauthError(status: number, error: string, description: string): HttpAnswer {
  return new HttpAnswer(status, { error, error_description: description });
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new HttpAnswer(401, AUTH0_ERRORS.missingAuthentication);
  const token = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
  if (!token) throw new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
  return token;
}

function tokenRejection(error: unknown): HttpAnswer {
  if (error instanceof joseErrors.JWTExpired) return new HttpAnswer(401, AUTH0_ERRORS.expiredToken);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new HttpAnswer(401, AUTH0_ERRORS.invalidSignature);
  }
  return new HttpAnswer(401, AUTH0_ERRORS.invalidToken);
}

/** A form field or JSON property of the token request, when it is a single string. */
/**
 * The tenant's RSA key for another RSA algorithm (a CryptoKey is bound to one); for any other
 * family, a key no one publishes.
 */
async function signingKey(tenantKey: CryptoKey, algorithm: string): Promise<CryptoKey | Uint8Array> {
  if (/^(RS|PS)\d{3}$/.test(algorithm)) return (await importJWK(await exportJWK(tenantKey), algorithm)) as CryptoKey;
  if (algorithm.startsWith('HS')) return generateSecret(algorithm);
  return (await generateKeyPair(algorithm)).privateKey;
}
