/**
 * Fake of the Wacht Frontend API endpoint `GET /me/organization-memberships`
 * (see shared/reference/wacht.md). One fake serves both wire shapes: each session says whether
 * its answers look like the documented (legacy) server or like newer servers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { FakeServer, nowSeconds, rawQuery, rfc3339Seconds, type Fault } from '../fake-server';

const WACHT_MEMBERSHIPS_PATH = '/me/organization-memberships';
const MEMBERSHIPS_PATH_PATTERN = /^\/me\/organization-memberships$/;
const SESSION_COOKIE = '__session';
const DEV_SESSION_QUERY = '__dev_session__';
/** Older servers read the development session from this request header. */
const DEV_SESSION_HEADER = 'x-development-session';
/** Fiber's limiter: at most `max` requests per client IP and path in each fixed window. */
export interface WachtRateLimit {
  max: number;
  windowSeconds: number;
}

/** Fiber's limiter default, which the Frontend API keeps: 20 requests a minute per IP and path. */
export const FIBER_LIMITER_DEFAULT: WachtRateLimit = { max: 20, windowSeconds: 60 };

// ---- What a test stores ----

export interface WachtFakeRole {
  id: string;
  name: string;
  permissions: string[];
}

export interface WachtFakeOrganization {
  id: string;
  name: string;
  /** Only the legacy shape sends it. */
  slug?: string;
  image_url: string;
}

export interface WachtFakeMembership {
  id: string;
  organization: WachtFakeOrganization;
  /** Newer servers send them all; the legacy shape has room for one and shows the first. */
  roles: WachtFakeRole[];
  /** Only the current shape sends it (as `{}` when absent). */
  public_metadata?: Record<string, unknown>;
  /** RFC 3339, e.g. `2024-01-10T00:00:00Z`. */
  created_at: string;
  updated_at: string;
}

export interface WachtFakeUser {
  id: string;
  first_name?: string;
  last_name?: string;
  primary_email_address?: string;
  memberships: WachtFakeMembership[];
}

export type WachtShape = 'legacy' | 'current';

// ---- What goes over the wire ----

export interface WachtError {
  code: string;
  message: string;
}

export interface WachtEnvelope<T> {
  status: number;
  message: string;
  data: T;
  session: WachtSessionBody | null;
  errors: WachtError[] | null;
}

export interface WachtSignin {
  id: string;
  user_id: string;
  created_at: string;
}

export interface WachtSessionBody {
  signin_attempts: unknown[];
  signins: WachtSignin[];
  signup_attempts: unknown[];
  active_signin: WachtSignin | null;
}

export interface WachtLegacyMembershipBody {
  id: string;
  organization: { id: string; name: string; slug?: string; image_url: string };
  role: WachtFakeRole | null;
  created_at: string;
  updated_at: string;
}

export interface WachtPublicUserBody {
  id: string;
  first_name: string;
  last_name: string;
  primary_email_address: string;
}

export interface WachtCurrentMembershipBody {
  id: string;
  organization: { id: string; name: string; image_url: string };
  roles: WachtFakeRole[];
  user: WachtPublicUserBody;
  public_metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export type WachtMembershipBody = WachtLegacyMembershipBody | WachtCurrentMembershipBody;

function envelope<T>(status: number, message: string, data: T, session: WachtSessionBody | null): WachtEnvelope<T> {
  return { status, message, data, session, errors: null };
}

/** The documented error answers, exactly as the server sends them. */
export const wachtErrorBodies = {
  unauthorized: envelope(401, 'Unauthorized', null, null),
  invalidSession: envelope(401, 'Invalid session', null, null),
  rateLimited: envelope(429, 'Too many requests. Please try again later.', null, null),
  serverError: envelope(500, 'Failed to get user organization memberships', null, null),
  /** Sent before any handler runs, hence without the envelope. */
  deploymentNotFound: { message: 'Deployment not found' },
} as const;

interface StoredSession {
  user: WachtFakeUser;
  shape: WachtShape;
  signin: WachtSignin;
  revoked: boolean;
  /** When a signed session token lapses (ms since the epoch); opaque tokens never do. */
  expiresAt?: number;
}

/** How long the session tokens the server signs last (frontend-api's sessionDuration: 6 h or 24 h, by release). */
const SESSION_SECONDS = 24 * 60 * 60;

export class FakeWacht extends FakeServer {
  private readonly deploymentHost: string | undefined;
  private readonly sessions = new Map<string, StoredSession>();
  private signinCount = 0;
  private rotatingTokenCount = 0;
  /** The deployment's ES256 key pair, which signs session tokens. */
  private readonly sessionKey = generateKeyPair('ES256');
  /** Expired sessions the server refreshed (each rotating the browser's token away). */
  refreshedSessions = 0;

  constructor(options: { deploymentHost?: string } = {}) {
    super();
    this.deploymentHost = options.deploymentHost?.toLowerCase();
  }

  /**
   * The limiter, as a deployment runs it (FIBER_LIMITER_DEFAULT unless configured otherwise).
   * Off unless a test sets it: the demo and the tests send far more than one address's
   * allowance, all from loopback.
   */
  rateLimit: WachtRateLimit | null = null;
  /** The limiter's current window per client IP and path. */
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();

  /** 429 from the rate limiter, with the headers Fiber's limiter sets. */
  static rateLimited(retryAfterSeconds = 60): Fault {
    return {
      path: MEMBERSHIPS_PATH_PATTERN,
      status: 429,
      body: wachtErrorBodies.rateLimited,
      headers: { 'Retry-After': String(retryAfterSeconds), ...limiterHeaders(FIBER_LIMITER_DEFAULT.max, 0, retryAfterSeconds) },
    };
  }

  /** 500 from the handler when its database query fails. */
  static serverError(): Fault {
    return { path: MEMBERSHIPS_PATH_PATTERN, status: 500, body: wachtErrorBodies.serverError };
  }

  /**
   * Signs `user` in under `token`. The user is kept by reference, so memberships a test adds
   * later show up in the next answer.
   */
  addSession(token: string, user: WachtFakeUser, shape: WachtShape = 'legacy'): void {
    const signin = { id: this.signinId(shape), user_id: user.id, created_at: rfc3339Seconds(new Date()) };
    this.sessions.set(token, { user, shape, signin, revoked: false });
  }

  /**
   * Signs `user` in with a session token as the server issues them: an ES256 JWT with `sess`,
   * `rotating_token` and `exp` (24 h unless told). Once it has expired, the next request that
   * presents it refreshes the session, as the session middleware of the frontend-api release
   * that deletes the rotating token does: the answer carries a new token in `Set-Cookie` (a
   * production deployment's form), and the old one answers 401 "Invalid session" from then on.
   * Whoever did not get the new cookie is signed out.
   */
  async signIn(user: WachtFakeUser, { shape = 'legacy', expiresInSeconds = SESSION_SECONDS }: { shape?: WachtShape; expiresInSeconds?: number } = {}): Promise<string> {
    const token = await this.signSessionToken(expiresInSeconds);
    this.addSession(token, user, shape);
    this.sessions.get(token)!.expiresAt = decodeJwt(token).exp! * 1000;
    return token;
  }

  /** From now on the token answers 401 "Invalid session". */
  revokeSession(token: string): void {
    const session = this.sessions.get(token);
    if (!session) throw new Error(`FakeWacht: no session ${token}`);
    session.revoked = true;
  }

  override reset(): void {
    super.reset();
    this.windows.clear();
    this.refreshedSessions = 0;
  }

  protected routes(app: FastifyInstance): void {
    // A hook rather than a route check: the real server rejects an unknown deployment on every path.
    app.addHook('onRequest', async (request, reply) => this.checkDeployment(request, reply));
    // Fiber's limiter runs before any handler, signed in or not.
    app.addHook('onRequest', async (request, reply) => this.limit(request, reply));
    app.get(WACHT_MEMBERSHIPS_PATH, async (request, reply) => this.listMemberships(request, reply));
  }

  /** Counts the request in its IP's and path's fixed window, as Fiber's limiter does; 429 past the allowance. */
  private async limit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!this.rateLimit) return undefined;
    const key = `${request.ip} ${request.url.split('?')[0]}`;
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now >= window.endsAt) {
      window = { hits: 0, endsAt: now + this.rateLimit.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const resetInSeconds = Math.ceil((window.endsAt - now) / 1000);
    reply.headers(limiterHeaders(this.rateLimit.max, Math.max(0, this.rateLimit.max - window.hits), resetInSeconds));
    if (window.hits <= this.rateLimit.max) return undefined;
    return reply.code(429).header('Retry-After', String(resetInSeconds)).send(wachtErrorBodies.rateLimited);
  }

  private async checkDeployment(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (this.deploymentHost === undefined) return undefined;
    if (hostWithoutPort(request.headers.host) === this.deploymentHost) return undefined;
    return reply.code(404).send(wachtErrorBodies.deploymentNotFound);
  }

  private async listMemberships(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const token = sessionToken(request);
    const session = token === undefined ? undefined : this.sessions.get(token);
    // The real server starts an anonymous session for a missing or unknown token; the handler
    // then finds no signed-in user.
    if (!session) return reply.code(401).send(wachtErrorBodies.unauthorized);
    if (session.revoked) return reply.code(401).send(wachtErrorBodies.invalidSession);
    if (session.expiresAt !== undefined && session.expiresAt <= Date.now()) {
      session.revoked = true;
      this.refreshedSessions += 1;
      const renewed = await this.signIn(session.user, { shape: session.shape });
      reply.header('set-cookie', `${SESSION_COOKIE}=${renewed}; expires=${new Date(Date.now() + SESSION_SECONDS * 1000).toUTCString()}; path=/; HttpOnly; SameSite=Lax`);
    }
    const data = newestFirst(session.user.memberships).map((membership) =>
      session.shape === 'legacy' ? legacyMembership(membership) : currentMembership(membership, session.user),
    );
    return reply.code(200).send(envelope(200, '', data, sessionBody(session.signin)));
  }

  private async signSessionToken(expiresInSeconds: number): Promise<string> {
    const now = nowSeconds();
    this.rotatingTokenCount += 1;
    return new SignJWT({ sess: 4_200_000 + this.rotatingTokenCount, rotating_token: String(7_300_000 + this.rotatingTokenCount) })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(`https://${this.deploymentHost ?? 'frontend.wacht.example'}`)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + expiresInSeconds)
      .sign((await this.sessionKey).privateKey);
  }

  /** Legacy servers prefix their ids; newer ones send snowflake ids as numeric strings. */
  private signinId(shape: WachtShape): string {
    const sequence = ++this.signinCount;
    return shape === 'legacy' ? `signin_${900_000_000 + sequence}` : String(2_918_374_650 + sequence);
  }
}

// ---- Request parsing ----

/** Cookie first, then the development query parameter, then the older development header. */
function sessionToken(request: FastifyRequest): string | undefined {
  return (
    nonEmpty(cookieValue(request.headers.cookie, SESSION_COOKIE)) ??
    nonEmpty(rawQuery(request).get(DEV_SESSION_QUERY) ?? undefined) ??
    nonEmpty(firstValue(request.headers[DEV_SESSION_HEADER]))
  );
}

/** The first cookie called `name` in a `Cookie` header (`a=1; b=2`), URL-decoded and unquoted. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue;
    return decodeLeniently(unquote(pair.slice(separator + 1).trim()));
  }
  return undefined;
}

function hostWithoutPort(host: string | undefined): string {
  const value = (host ?? '').toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** A malformed escape is kept as sent, as cookie parsers do, rather than failing the request. */
function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

// ---- Rendering ----

/** The server orders by `created_at DESC`; a stable sort keeps ties in insertion order. */
function newestFirst(memberships: WachtFakeMembership[]): WachtFakeMembership[] {
  return [...memberships].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}

function legacyMembership(membership: WachtFakeMembership): WachtLegacyMembershipBody {
  const { id, name, slug, image_url } = membership.organization;
  return {
    id: membership.id,
    organization: { id, name, slug, image_url },
    role: membership.roles[0] ?? null,
    created_at: membership.created_at,
    updated_at: membership.updated_at,
  };
}

function currentMembership(membership: WachtFakeMembership, user: WachtFakeUser): WachtCurrentMembershipBody {
  const { id, name, image_url } = membership.organization;
  return {
    id: membership.id,
    organization: { id, name, image_url },
    roles: membership.roles,
    user: {
      id: user.id,
      first_name: user.first_name ?? '',
      last_name: user.last_name ?? '',
      primary_email_address: user.primary_email_address ?? '',
    },
    public_metadata: membership.public_metadata ?? {},
    created_at: membership.created_at,
    updated_at: membership.updated_at,
  };
}

function sessionBody(signin: WachtSignin): WachtSessionBody {
  return { signin_attempts: [], signins: [signin], signup_attempts: [], active_signin: signin };
}

/** Fiber's limiter headers: `X-RateLimit-Reset` is the seconds until the window ends, not a time. */
function limiterHeaders(limit: number, remaining: number, resetInSeconds: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(resetInSeconds),
  };
}
