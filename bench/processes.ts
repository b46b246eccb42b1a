/**
 * What the benchmark and the soak share: a free loopback port, the built subgraph's
 * production environment pointed at the fakes, a child Node process started the way
 * `npm start` starts one, and reading a gauge from /metrics.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_CLIENT_ID, DEMO_AUTH0_CLIENT_SECRET } from '../src/fakes/auth0/seed';
import { DEMO_CF_CLIENT_ID, DEMO_CF_CLIENT_SECRET } from '../src/fakes/cloudfoundry/seed';
import type { FakeFleet } from '../src/fakes/fleet';

export const root = join(__dirname, '..', '..');

/**
 * How `npm start` runs Node (`npm run serve`: its environment variables and flags, read from
 * package.json), so that the bench measures the memory and GC settings production runs with.
 */
const START = /^((?:[A-Z_]+=\S+\s+)*)node\s+((?:--\S+\s+)*)dist\/src\/main\.js$/.exec(
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.serve,
);
if (!START) throw new Error('package.json: scripts.serve is not `[VAR=value …] node [--flag …] dist/src/main.js`');
const START_ENV = Object.fromEntries(START[1]!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const NODE_FLAGS = START[2]!.trim().split(/\s+/).filter(Boolean);

/** The subgraph in production mode, every provider pointed at its fake, logging as production does by default (a line per request). */
export function subgraphEnvironment(fakes: FakeFleet, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH0_DOMAIN: fakes.auth0.url,
    AUTH0_CLIENT_ID: DEMO_AUTH0_CLIENT_ID,
    AUTH0_CLIENT_SECRET: DEMO_AUTH0_CLIENT_SECRET,
    AUTH0_AUDIENCE: DEMO_AUTH0_AUDIENCE,
    CF_API_URL: fakes.cloudFoundry.url,
    CF_CLIENT_ID: DEMO_CF_CLIENT_ID,
    CF_CLIENT_SECRET: DEMO_CF_CLIENT_SECRET,
    WACHT_FRONTEND_API_URL: fakes.wacht.url,
  };
}

/**
 * CPU pinning where `taskset` and two or more cores exist: the measured child on the last
 * core, this process (load generator and fakes) on the others, so they do not compete.
 */
const CORES = availableParallelism();
const PINNING = CORES >= 2 && existsSync('/usr/bin/taskset');
if (PINNING) spawnSync('/usr/bin/taskset', ['-a', '-p', '-c', `0-${CORES - 2}`, String(process.pid)], { stdio: 'ignore' });

/** A built script (absolute, or relative to the project root) in a child Node, with only `env` and PATH. */
export function startNode(script: string, env: Record<string, string>, stdio: StdioOptions): ChildProcess {
  // BENCH_PROFILE=dir writes a CPU profile of the child there (open it in Chrome DevTools).
  const profile = process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
  const node = [process.execPath, ...profile, ...NODE_FLAGS, resolve(root, script)];
  const [command, ...args] = PINNING ? ['/usr/bin/taskset', '-c', String(CORES - 1), ...node] : node;
  return spawn(command!, args, { env: { PATH: process.env['PATH'] ?? '', ...START_ENV, ...env }, stdio });
}

/** How the processes share the machine, for the report. */
export const PLACEMENT = PINNING
  ? `measured processes pinned to core ${CORES - 1}, load generator and fakes to the others`
  : 'processes share all cores';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One gauge of a /metrics page (prom-client's process and Node.js defaults included). */
export async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const value = Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  if (!Number.isFinite(value)) throw new Error(`no ${name} in /metrics`);
  return value;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); `undefined`
 * elsewhere. The CPU a request costs is what decides throughput when cores are shared.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name: state is 3rd, utime 14th and stime 15th of the whole line.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
