/**
 * The load both `npm run bench` and `npm run bench:compare` put on their targets: the first
 * scenario's query of the Auth0 demo user, with autocannon at full speed, alone or all targets
 * at once on the measured core (the CPU a request cost each, read from /proc), in rounds.
 *
 * Environment: BENCH_SECONDS (per load, default 8), BENCH_ROUNDS (odd, default 5).
 */
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { cpuSeconds } from './processes';

export const LOAD_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
// The median round of a target is one of its rounds (its CPU per request is reported with it).
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS % 2 === 0) throw new Error('BENCH_ROUNDS: an odd number of rounds (1, 3, 5, …)');
export const CONNECTIONS = 50;

export const MEMBERSHIPS_BODY = JSON.stringify({
  query: '{ myOrganizationMemberships(first: 20) { totalCount edges { node { id organization { id name displayName } } } } }',
});

/** A process under load: where it answers, and its pid (its CPU is read from /proc). */
export interface Target<Name extends string = string> {
  name: Name;
  url: string;
  pid: number | undefined;
}

/** One load of every target at once: the CPU a request cost each, and how busy their core was. */
export interface SharedLoad<Name extends string = string> {
  cpuPerRequestMs: Map<Name, number>;
  /** CPU seconds the targets used per second, together (1: their core saturated). */
  coreBusy: number;
}

/**
 * Every target as fast as it goes, all at once. They share the measured core, so they meet the
 * same machine at the same moments: a CPU-bound process serves 1 / (CPU per request) requests a
 * second, and the ratio of two targets' CPU per request is their throughput ratio, free of the
 * machine's drift between one load and the next.
 *
 * The loads start one after the other, and the order showed: of three identical builds, the one
 * loaded last measured ~3 % cheaper. `round` rotates the order, so over rounds each target is
 * loaded first as often as the others.
 */
export async function loadedTogether<Name extends string>(
  targets: Target<Name>[],
  headers: Record<string, string>,
  round: number,
): Promise<SharedLoad<Name>> {
  const cpuBefore = targets.map((target) => cpuSeconds(target.pid!));
  const started = performance.now();
  const order = targets.map((_target, index) => (index + round) % targets.length);
  const loads: Promise<autocannon.Result>[] = [];
  for (const index of order) loads[index] = fullSpeed(targets[index]!, headers);
  const results = await Promise.all(loads);
  const cpuUsed = targets.map((target, index) => (cpuSeconds(target.pid!) ?? Number.NaN) - (cpuBefore[index] ?? Number.NaN));
  return {
    cpuPerRequestMs: new Map(targets.map((target, index) => [target.name, (cpuUsed[index]! * 1000) / results[index]!.requests.total])),
    coreBusy: cpuUsed.reduce((sum, seconds) => sum + seconds, 0) / ((performance.now() - started) / 1000),
  };
}

/** autocannon at full speed on one target, 50 connections; any failed answer fails the bench. */
export async function fullSpeed(target: Target, headers: Record<string, string>): Promise<autocannon.Result> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers,
    body: MEMBERSHIPS_BODY,
    connections: CONNECTIONS,
    duration: LOAD_SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors under load`);
  }
  return result;
}

/** The median of per-round values, and their range. */
export function summary(values: number[]): { median: number; range: string } {
  return { median: round2(median(values)), range: `${round2(Math.min(...values))} to ${round2(Math.max(...values))}` };
}

/** The median; of an even count, the mean of the middle two. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export async function sameAnswer(url: string, referenceUrl: string, headers: Record<string, string>): Promise<void> {
  const ask = async (at: string) =>
    (await fetch(at, { method: 'POST', headers, body: MEMBERSHIPS_BODY })).json();
  const [answer, reference] = [await ask(url), await ask(referenceUrl)];
  if (!isDeepStrictEqual(answer, reference)) {
    throw new Error(`${url} does not answer what ${referenceUrl} answers:\n${JSON.stringify(answer)}\n${JSON.stringify(reference)}`);
  }
}

export async function waitUntilReady(url: string, method = 'GET'): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await fetch(url, { method, body: method === 'POST' ? '{}' : undefined });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}
