/**
 * What a fake remembers of tokens it has verified: the signature of each token is checked
 * once (as a real API caches keys and verdicts), so a benchmark measures the subgraph and not
 * the fake's RSA. Expiry is still checked on every use: an expired token goes through the full
 * verification again, which refuses it exactly as before.
 */
import { nowSeconds } from './fake-server';

const MAX_VERDICTS = 10_000;

export class TokenVerdicts<T> {
  private readonly verdicts = new Map<string, { value: T; expiresAt: number }>();

  async verify(token: string, verify: (token: string) => Promise<{ value: T; exp?: number | undefined }>): Promise<T> {
    const known = this.verdicts.get(token);
    // As jose decides: valid while the current second is before `exp`.
    if (known && nowSeconds() < known.expiresAt) return known.value;
    const { value, exp } = await verify(token);
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(token, { value, expiresAt: exp ?? Number.POSITIVE_INFINITY });
    return value;
  }

  /** Forget every verdict (the signing keys changed). */
  clear(): void {
    this.verdicts.clear();
  }
}
