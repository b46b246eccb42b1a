/**
 * An open-loop load at a fixed rate, evenly spaced, over a pool of keep-alive connections
 * per target, for comparing latency. autocannon's fixed-rate mode sends each connection's
 * quota for the second in a burst and then waits for the next second, and "corrects" its
 * percentiles for coordinated omission as if requests were 1 ms apart; both make its p50/p99
 * at a fixed rate neither the latency at that rate nor comparable between two servers. Here
 * each request has a scheduled time, and its latency runs from that time to the end of the
 * answer, so time a request waits for a free connection counts too (no coordinated omission).
 *
 * Several targets are loaded together, paired: in every interval each target gets one request,
 * the targets' requests spread evenly over it (with two, the second half an interval after the
 * first). A stall of the machine, of this process or of a shared upstream fake (they last
 * milliseconds to tens of them) then delays requests to every target alike, so a difference
 * between their percentiles is a difference between the targets, not between two moments of a
 * noisy machine; and two targets sharing a core do not get their requests at the same instant,
 * so neither waits behind the other's request as a matter of course.
 */
import { Pool } from 'undici';

export interface PacedLoadOptions {
  /** The targets, each loaded at `rate` over its own `connections`. */
  urls: string[];
  headers: Record<string, string>;
  body: string;
  /** Requests per second, to each target. */
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

/** One result per target, in the order of `urls`. */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult[]> {
  const total = Math.round(options.rate * options.seconds);
  const targets = options.urls.map((url) => {
    const target = new URL(url);
    return {
      path: target.pathname,
      pool: new Pool(target.origin, { connections: options.connections, keepAliveTimeout: 30_000 }),
      latencies: new Float64Array(total),
      failures: 0,
    };
  });
  const send = async (target: (typeof targets)[number], index: number, scheduledAt: number): Promise<void> => {
    try {
      const response = await target.pool.request({ path: target.path, method: 'POST', headers: options.headers, body: options.body });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"errors"')) target.failures += 1;
    } catch {
      target.failures += 1;
    }
    target.latencies[index] = performance.now() - scheduledAt;
  };

  const schedule = pairedSchedule(total, targets.length, options.rate);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  while (next < schedule.length) {
    // Send every request whose time has come, then sleep until the next one's.
    const now = performance.now();
    for (; next < schedule.length && started + schedule[next]!.atMs <= now; next += 1) {
      const { target, index, atMs } = schedule[next]!;
      inFlight.push(send(targets[target]!, index, started + atMs));
    }
    if (next < schedule.length) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + schedule[next]!.atMs - performance.now())));
    }
  }
  await Promise.all(inFlight);
  await Promise.all(targets.map((target) => target.pool.close()));

  return targets.map(({ latencies, failures }) => {
    const sorted = latencies.sort();
    const at = (quantile: number) => round(sorted[Math.min(total - 1, Math.floor(quantile * total))]!);
    return { requests: total, failures, latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[total - 1]!) } };
  });
}

/**
 * When each request of a run is due, in order: one schedule for all targets, in which slot j
 * goes to target j % n, as its request ⌊j / n⌋, at j intervals of 1 / (rate × n) s. Each target
 * gets one request per 1 / rate s, the targets' requests spread evenly over it.
 */
export function pairedSchedule(total: number, targetCount: number, rate: number): Array<{ target: number; index: number; atMs: number }> {
  const slotMs = 1000 / rate / targetCount;
  return Array.from({ length: total * targetCount }, (_, slot) => ({
    target: slot % targetCount,
    index: Math.floor(slot / targetCount),
    atMs: slot * slotMs,
  }));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
