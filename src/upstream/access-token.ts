/**
 * Machine tokens for calling a provider (Auth0 Management API, UAA client credentials):
 * cached until shortly before they expire, one in-flight request shared by all concurrent
 * callers, and renewed once when the provider answers 401 to a token it issued.
 */
import type { UpstreamResponse } from './http-client';

export interface IssuedToken {
  token: string;
  expiresInSeconds: number;
}

export interface AccessToken {
  /** The current token (fetching one when there is none or it is about to expire). */
  get(): Promise<string>;
  /** Sends with the current token; on 401, renews it once and sends again. */
  send(attempt: (token: string) => Promise<UpstreamResponse>): Promise<UpstreamResponse>;
}

/** Renew this long before expiry, so no request leaves with a token about to lapse. */
const RENEW_BEFORE_MS = 10_000;

export class CachedAccessToken implements AccessToken {
  private current: { token: string; renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return Promise.resolve(this.current.token);
    this.inFlight ??= this.issue()
      .then(({ token, expiresInSeconds }) => {
        this.current = { token, renewAt: this.now() + Math.max(0, expiresInSeconds * 1000 - RENEW_BEFORE_MS) };
        return token;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  async send(attempt: (token: string) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    const token = await this.get();
    const response = await attempt(token);
    if (response.status !== 401) return response;
    // Revoked or rotated early: forget it (unless a concurrent caller already renewed it) and retry once.
    if (this.current?.token === token) this.current = undefined;
    return attempt(await this.get());
  }
}

/** A token fixed by configuration (AUTH0_MANAGEMENT_TOKEN): nothing to renew. */
export class FixedAccessToken implements AccessToken {
  constructor(private readonly token: string) {}

  get(): Promise<string> {
    return Promise.resolve(this.token);
  }

  send(attempt: (token: string) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    return attempt(this.token);
  }
}
