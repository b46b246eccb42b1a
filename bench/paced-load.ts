/**
 * An open-loop load at a fixed rate, evenly spaced, over a pool of keep-alive connections,
 * for comparing latency. autocannon's fixed-rate mode sends each connection's quota for the
 * second in a burst and then waits for the next second, and "corrects" its percentiles for
 * coordinated omission as if requests were 1 ms apart; both make its p50/p99 at a fixed rate
 * neither the latency at that rate nor comparable between two servers. Here each request has
 * a scheduled time, and its latency runs from that time to the end of the answer, so time a
 * request waits for a free connection counts too (no coordinated omission).
 */
import { Pool } from 'undici';

export interface PacedLoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Requests per second. */
  rate: number;
  seconds: number;
  connections: number;
}

export interface PacedLoadResult {
  requests: number;
  /** Answers that were not 200 or carried GraphQL errors, and requests that failed. */
  failures: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.connections, keepAliveTimeout: 30_000 });
  const total = Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  const intervalMs = 1000 / options.rate;
  let failures = 0;
  const send = async (index: number, scheduledAt: number): Promise<void> => {
    try {
      const response = await pool.request({
        path: target.pathname,
        method: 'POST',
        headers: options.headers,
        body: options.body,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"errors"')) failures += 1;
    } catch {
      failures += 1;
    }
    latencies[index] = performance.now() - scheduledAt;
  };

  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  while (next < total) {
    // Send every request whose time has come, then sleep until the next one's.
    const now = performance.now();
    while (next < total && started + next * intervalMs <= now) {
      inFlight.push(send(next, started + next * intervalMs));
      next += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + next * intervalMs - performance.now())));
  }
  await Promise.all(inFlight);
  await pool.close();

  const sorted = latencies.sort();
  const at = (quantile: number) => round(sorted[Math.min(total - 1, Math.floor(quantile * total))]!);
  return { requests: total, failures, latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[total - 1]!) } };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
