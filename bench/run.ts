/**
 * `npm run bench`: the fakes in this process; the subgraph (production settings), the bare-Node
 * baseline (and a second one, to show what the latency comparison can resolve) and the
 * Apollo floor (bench/floor.ts: the baseline's work served by Apollo Server) as child
 * processes. Throughput is loaded with autocannon in several rounds (the median is reported: one
 * run on a shared virtual machine proves little), all three at once and each alone; latency at a
 * fixed rate with the paced open-loop load of paced-load.ts, the two compared loaded together.
 * Prints a table against the targets and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startFakes, type FakeFleet } from '../src/fakes/fleet';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID, demoManagementToken } from '../src/fakes/auth0/seed';
import { DEMO_CF_USER_GUID } from '../src/fakes/cloudfoundry/seed';
import {
  CONNECTIONS,
  LOAD_SECONDS,
  MEMBERSHIPS_BODY,
  ROUNDS,
  fullSpeed,
  loadedTogether,
  median,
  round2,
  sameAnswer,
  summary,
  waitUntilReady,
  type SharedLoad,
  type Target as LoadTarget,
} from './load';
import { pacedLoad, type PacedLoadResult } from './paced-load';
import { PLACEMENT, cpuSeconds, freePort, gauge, root, startNode, subgraphEnvironment } from './processes';

type Target = LoadTarget<'baseline' | 'twin' | 'floor' | 'subgraph'>;

const UPSTREAM_LATENCY_MS = 20;
/** Requests per second to each of baseline and subgraph in the latency rounds (see there). */
const LATENCY_RATE = 300;

interface Row {
  measure: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

/** One throughput load of one target. */
interface Load {
  requestsPerSecond: number;
  requests: number;
  /** CPU milliseconds the measured process spent per answered request. */
  cpuPerRequestMs: number;
  /** How busy this process (load generator and fakes) was, 0..1 of one core. */
  generatorBusy: number;
}

async function main(): Promise<void> {
  const fakes = await startFakes();
  // The fake enforces a tenant's rate limit; the benchmark measures the subgraph, not the plan.
  fakes.auth0.rateLimit = { limit: Number.MAX_SAFE_INTEGER, refillPerSecond: Number.MAX_SAFE_INTEGER };
  const [subgraphPort, baselinePort, twinPort, floorPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const managementToken = await demoManagementToken(fakes.auth0);
  const quiet = ['ignore', 'ignore', 'inherit'] as const;
  // The baseline and the floor do the same bare work (bench/bare-work.ts), served differently.
  const startBare = (script: 'baseline' | 'floor', port: number) =>
    startNode(
      `dist/bench/${script}.js`,
      { PORT: String(port), AUTH0_URL: fakes.auth0.url, AUTH0_AUDIENCE: DEMO_AUTH0_AUDIENCE, MANAGEMENT_TOKEN: managementToken },
      [...quiet],
    );
  const startBaseline = (port: number) => startBare('baseline', port);
  const subgraph = startNode('dist/src/main.js', subgraphEnvironment(fakes, subgraphPort), [...quiet]);
  const baseline = startBaseline(baselinePort);
  const children = [subgraph, baseline];
  try {
    const subgraphUrl = `http://127.0.0.1:${subgraphPort}/graphql`;
    const baselineUrl = `http://127.0.0.1:${baselinePort}/graphql`;
    const floorUrl = `http://127.0.0.1:${floorPort}/graphql`;
    await waitUntilReady(`http://127.0.0.1:${subgraphPort}/health/ready`);
    await waitUntilReady(baselineUrl, 'POST');
    const token = await fakes.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    await sameAnswer(subgraphUrl, baselineUrl, headers);
    const floor = startBare('floor', floorPort);
    children.push(floor);
    await waitUntilReady(floorUrl, 'POST');
    await sameAnswer(floorUrl, baselineUrl, headers);

    const baselineTarget: Target = { name: 'baseline', url: baselineUrl, pid: baseline.pid };
    const subgraphTarget: Target = { name: 'subgraph', url: subgraphUrl, pid: subgraph.pid };
    const targets: Target[] = [baselineTarget, { name: 'floor', url: floorUrl, pid: floor.pid }, subgraphTarget];
    const loads = new Map<Target['name'], Load[]>(targets.map((target) => [target.name, []]));
    const subgraphMetrics = `http://127.0.0.1:${subgraphPort}/metrics`;
    const gcDuringLoad = { young: 0, full: 0 };
    const shared: SharedLoad<Target['name']>[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      shared.push(await loadedTogether(targets, headers, round));
      for (const target of targets) {
        const gcBefore = target.name === 'subgraph' ? await gcPauseSeconds(subgraphMetrics) : undefined;
        loads.get(target.name)!.push(await throughput(target, headers));
        if (gcBefore) {
          const gcAfter = await gcPauseSeconds(subgraphMetrics);
          gcDuringLoad.young += gcAfter.young - gcBefore.young;
          gcDuringLoad.full += gcAfter.full - gcBefore.full;
        }
      }
    }
    const subgraphRequests = loads.get('subgraph')!.reduce((sum, load) => sum + load.requests, 0);
    const gcPerRequest = (kind: 'young' | 'full') => round2((gcDuringLoad[kind] * 1e6) / subgraphRequests);
    const [baselineLoad, floorLoad, subgraphLoad] = targets.map((target) => medianLoad(loads.get(target.name)!)) as [Load, Load, Load];
    const range = (name: Target['name']) => {
      const values = loads.get(name)!.map((load) => Math.round(load.requestsPerSecond));
      return `${Math.min(...values)}–${Math.max(...values)}`;
    };
    // Each round's targets ran one after the other, so a ratio within a round is not skewed by
    // the shared machine getting slower or faster over minutes, as a ratio of medians would be.
    const aloneRatio = (name: Target['name'], reference: Target['name']) =>
      summary(loads.get(name)!.map((load, round) => load.requestsPerSecond / loads.get(reference)![round]!.requestsPerSecond));
    // Loaded together, the ratio of CPU per request is the throughput ratio (load.ts, loadedTogether).
    const sharedRatio = (name: Target['name'], reference: Target['name']) =>
      summary(shared.map((load) => load.cpuPerRequestMs.get(reference)! / load.cpuPerRequestMs.get(name)!));
    const coreBusy = Math.round(Math.min(...shared.map((load) => load.coreBusy)) * 100);
    const [subgraphAlone, subgraphTogether] = [aloneRatio('subgraph', 'baseline'), sharedRatio('subgraph', 'baseline')];
    const [floorTogether, subgraphOverFloor] = [sharedRatio('floor', 'baseline'), sharedRatio('subgraph', 'floor')];
    const rows: Row[] = [
      loadRow('baseline throughput alone, upstream instant', baselineLoad, range('baseline')),
      loadRow('Apollo floor throughput alone (the baseline’s work as the resolver, on Apollo Server + Fastify)', floorLoad, range('floor')),
      loadRow('subgraph throughput alone, upstream instant', subgraphLoad, range('subgraph')),
      // Judged both ways (README, Performance): alone is the target's own terms but drifts with
      // the machine; together is steadier but may favour the cheaper baseline.
      targetRow(
        'subgraph / baseline throughput, each alone one after the other (median of the rounds)',
        subgraphAlone.median,
        `× (rounds: ${subgraphAlone.range})`,
        '≥ 0.6',
        (v) => v >= 0.6,
      ),
      targetRow(
        'subgraph / baseline throughput, loaded together on the measured core: baseline ÷ subgraph CPU per request (median of the rounds)',
        subgraphTogether.median,
        `× (rounds: ${subgraphTogether.range}; the measured core at least ${coreBusy} % busy)`,
        '≥ 0.6',
        (v) => v >= 0.6,
      ),
      {
        measure: 'Apollo floor / baseline, the same way: the closest a subgraph on Apollo Server can come',
        value: floorTogether.median,
        unit: `× (rounds: ${floorTogether.range})`,
      },
      { measure: 'subgraph / Apollo floor, the same way', value: subgraphOverFloor.median, unit: `× (rounds: ${subgraphOverFloor.range})` },
      {
        measure: 'subgraph GC pauses per request, young / full generation (throughput rounds)',
        value: gcPerRequest('young'),
        unit: `µs / ${gcPerRequest('full')} µs`,
      },
    ];

    fakes.auth0.latencyMs = UPSTREAM_LATENCY_MS;
    // The method check's second baseline, warmed at the latency's load as long as a round (the
    // first one is warm from the throughput rounds).
    const twin = startBaseline(twinPort);
    children.push(twin);
    const twinTarget: Target = { name: 'twin', url: `http://127.0.0.1:${twinPort}/graphql`, pid: twin.pid };
    await waitUntilReady(twinTarget.url, 'POST');
    await sameAnswer(twinTarget.url, baselineUrl, headers);
    const [warmUp] = await pacedLoad({ urls: [twinTarget.url], headers, body: MEMBERSHIPS_BODY, rate: LATENCY_RATE, seconds: LOAD_SECONDS, connections: CONNECTIONS });
    if (warmUp!.failures > 0) throw new Error(`twin baseline: ${warmUp!.failures} of ${warmUp!.requests} requests failed while warming up`);

    const measured = pairedLatency([baselineTarget, subgraphTarget], headers);
    const method = pairedLatency([baselineTarget, twinTarget], headers);
    // Round by round in turn, so the machine drifting over minutes moves both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      await measured.round();
      await method.round();
    }
    const at = `upstream ${UPSTREAM_LATENCY_MS} ms, ${LATENCY_RATE} req/s paced to each, together, ${CONNECTIONS} connections each`;
    const busy = Number.isNaN(measured.cpuBusy) ? '' : `; the two used at most ${Math.round(measured.cpuBusy * 100)} % of one core in a round`;
    const [addedP50, addedP99, methodP99] = [measured.added('p50'), measured.added('p99'), method.added('p99')];
    rows.push(
      { measure: `baseline p50 / p99, ${at}`, value: measured.p('first', 'p50'), unit: `ms / ${measured.p('first', 'p99')} ms` },
      { measure: `subgraph p50 / p99, ${at}`, value: measured.p('second', 'p50'), unit: `ms / ${measured.p('second', 'p99')} ms${busy}` },
      targetRow('added latency p50 (median of the rounds)', addedP50.median, `ms (rounds: ${addedP50.range})`, '≤ 2', (v) => v <= 2),
      // Paired, a stall of the machine lands in both tails, so a difference at or below zero is
      // a measurement (the subgraph adds nothing the rounds can see), not noise to set aside.
      targetRow('added latency p99 (median of the rounds)', addedP99.median, `ms (rounds: ${addedP99.range})`, '≤ 5', (v) => v <= 5),
      // What this machine can resolve: as many rounds again, between two identical baselines.
      // The baseline's p99 beside its twin, against its p99 beside the subgraph above, shows how
      // much sharing the core with the (costlier) subgraph lengthened the baseline's tail.
      {
        measure: 'method check: p99 of a second, identical baseline minus the baseline’s, paired the same way (median of the rounds)',
        value: methodP99.median,
        unit: `ms (rounds: ${methodP99.range}); the baseline's p99 beside its twin: ${method.p('first', 'p99')} ms`,
      },
    );

    rows.push(...(await entitiesOfFiftyUsers(fakes, subgraphUrl)));
    fakes.auth0.latencyMs = 0;
    rows.push(...(await cloudFoundryWalk(fakes, subgraphUrl)));
    const memory = await memoryMegabytes(`http://127.0.0.1:${subgraphPort}/metrics`);
    rows.push(
      targetRow('subgraph RSS after the load', memory.rss, 'MB', '≤ 200', (v) => v <= 200),
      { measure: 'subgraph JS heap used / total after the load', value: memory.heapUsed, unit: `MB / ${memory.heapTotal} MB` },
    );

    report(rows);
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    await fakes.stop();
  }
}

/** As fast as the target goes, 50 connections, measuring the CPU it spends. */
async function throughput(target: Target, headers: Record<string, string>): Promise<Load> {
  const cpuBefore = cpuSeconds(target.pid!);
  const generatorBefore = process.cpuUsage();
  const result = await fullSpeed(target, headers);
  const cpuAfter = cpuSeconds(target.pid!);
  const generator = process.cpuUsage(generatorBefore);
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    cpuPerRequestMs: cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
    generatorBusy: (generator.user + generator.system) / 1e6 / result.duration,
  };
}

/**
 * Latency rounds of two targets loaded together, paired (paced-load.ts): a stall of this shared
 * machine then hits both alike instead of whichever happened to run at the time. The rate is
 * fixed and moderate: paced, every request wakes an idle event loop and costs two to three
 * times the CPU it costs at saturation, and the measured core carries both processes; at
 * LATENCY_RATE it stays well below saturation (the CPU the two use is reported), so a
 * difference is what one adds to a request over the other, not queueing on a saturated CPU.
 */
function pairedLatency(pair: [Target, Target], headers: Record<string, string>) {
  const results = { first: [] as PacedLoadResult[], second: [] as PacedLoadResult[] };
  // CPU seconds both processes have used (NaN where /proc is not there).
  const cpu = () => (cpuSeconds(pair[0].pid!) ?? Number.NaN) + (cpuSeconds(pair[1].pid!) ?? Number.NaN);
  let cpuBusy = 0;
  const round = async () => {
    const cpuBefore = cpu();
    const [first, second] = await pacedLoad({
      urls: pair.map((target) => target.url),
      headers,
      body: MEMBERSHIPS_BODY,
      rate: LATENCY_RATE,
      seconds: LOAD_SECONDS,
      connections: CONNECTIONS,
    });
    cpuBusy = Math.max(cpuBusy, (cpu() - cpuBefore) / LOAD_SECONDS);
    for (const [index, result] of [first!, second!].entries()) {
      if (result.failures > 0) throw new Error(`${pair[index]!.name}: ${result.failures} of ${result.requests} requests failed at ${LATENCY_RATE} req/s`);
    }
    results.first.push(first!);
    results.second.push(second!);
  };
  return {
    /** One more round. */
    round,
    /** The most CPU the two used in a round, in cores. */
    get cpuBusy() {
      return cpuBusy;
    },
    /** A quantile of one target: the median of the rounds. */
    p: (which: 'first' | 'second', quantile: 'p50' | 'p99') => median(results[which].map((result) => result.latencyMs[quantile])),
    /** What the second adds over the first: each round's difference (they ran together), their median and range. */
    added: (quantile: 'p50' | 'p99') => {
      const differences = results.second.map((result, round) => result.latencyMs[quantile] - results.first[round]!.latencyMs[quantile]);
      return summary(differences);
    },
  };
}

/**
 * Seconds the subgraph has spent in GC pauses so far (prom-client's default metrics): young
 * generation (scavenges) and full (mark-compact, incremental marking). Objects that outlive
 * their request show here first: they make every scavenge copy more and force full GCs.
 */
async function gcPauseSeconds(metricsUrl: string): Promise<{ young: number; full: number }> {
  const text = await (await fetch(metricsUrl)).text();
  // A kind that has not run yet has no series; the young generation always has (the load ran).
  const seconds = (kind: string) => Number(new RegExp(`^nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  if (!/^nodejs_gc_duration_seconds_sum\{kind=/m.test(text)) throw new Error('no nodejs_gc_duration_seconds in /metrics');
  return { young: seconds('minor'), full: seconds('major') + seconds('incremental') };
}

/** The round with the median throughput (the rounds are odd in number, so one round is it). */
function medianLoad(loads: Load[]): Load {
  return [...loads].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(loads.length / 2)]!;
}

/** `_entities` with 50 distinct Auth0 users, each upstream call 20 ms away. */
async function entitiesOfFiftyUsers(fakes: FakeFleet, url: string): Promise<Row[]> {
  const users = Array.from({ length: 50 }, (_, index) => `auth0|bench${String(index).padStart(4, '0')}`);
  const organizations = ['alpha', 'beta', 'gamma'].map((name) =>
    fakes.auth0.addOrganization({ id: `org_bench${name}`, name: `bench-${name}`, display_name: `Bench ${name}` }),
  );
  for (const user of users) {
    fakes.auth0.addUser(user);
    organizations.forEach((organization) => fakes.auth0.addMember(organization.id, user));
  }
  const admin = await fakes.auth0.mintCallerToken('auth0|bench-admin', { audience: DEMO_AUTH0_AUDIENCE, permissions: ['read:organizations'] });
  const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id organizations(first: 20) { totalCount nodes { name } } } } }`;
  const body = JSON.stringify({ query, variables: { r: users.map((id) => ({ __typename: 'User', id })) } });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${admin}` };
  const rounds = 20;
  let slowest = 0;
  let total = 0;
  fakes.auth0.reset();
  fakes.auth0.latencyMs = UPSTREAM_LATENCY_MS;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body });
    const json = (await response.json()) as { errors?: unknown[] };
    if (json.errors) throw new Error(`_entities answered errors: ${JSON.stringify(json.errors)}`);
    const elapsed = performance.now() - started;
    slowest = Math.max(slowest, elapsed);
    total += elapsed;
  }
  // Only these users' lists: a request left over from the load before must not count.
  const upstream = fakes.auth0.requestsTo(/^\/api\/v2\/users\/auth0%7Cbench\d+\/organizations$/).length / rounds;
  return [
    targetRow('_entities of 50 users: mean wall time', total / rounds, 'ms', `≤ ${2 * UPSTREAM_LATENCY_MS}`, (v) => v <= 2 * UPSTREAM_LATENCY_MS),
    { measure: '_entities of 50 users: slowest wall time', value: round2(slowest), unit: 'ms' },
    targetRow('_entities of 50 users: upstream requests per query', upstream, '', '= 50', (v) => v === 50),
  ];
}

/** 130 Cloud Foundry organizations walked in pages of 25. */
async function cloudFoundryWalk(fakes: FakeFleet, url: string): Promise<Row[]> {
  const token = await fakes.cloudFoundry.mintUserToken(DEMO_CF_USER_GUID);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const query = 'query ($after: String) { myOrganizationMemberships(first: 25, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';
  const perPage: number[] = [];
  let after: string | null = null;
  do {
    fakes.cloudFoundry.reset();
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables: { after } }) });
    const json = (await response.json()) as any;
    if (json.errors) throw new Error(`CF walk answered errors: ${JSON.stringify(json.errors)}`);
    perPage.push(fakes.cloudFoundry.requestsTo(/^\/v2\/users\/[^/]+\/organizations$/).length);
    const info = json.data.myOrganizationMemberships.pageInfo;
    after = info.hasNextPage ? info.endCursor : null;
  } while (after);
  return [
    targetRow('CF walk, pages of 25: most upstream requests per page', Math.max(...perPage), '', '≤ 2', (v) => v <= 2),
    { measure: `CF walk: requests per page (${perPage.length} pages)`, value: perPage.reduce((a, b) => a + b, 0) / perPage.length, unit: `avg (${perPage.join(', ')})` },
  ];
}

async function memoryMegabytes(metricsUrl: string): Promise<{ rss: number; heapUsed: number; heapTotal: number }> {
  const megabytes = async (metric: string) => Math.round((await gauge(metricsUrl, metric)) / 1024 / 1024);
  return {
    rss: await megabytes('process_resident_memory_bytes'),
    heapUsed: await megabytes('nodejs_heap_size_used_bytes'),
    heapTotal: await megabytes('nodejs_heap_size_total_bytes'),
  };
}

/** Median throughput of the rounds, with their range, the CPU a request cost and how busy the load generator was. */
function loadRow(measure: string, load: Load, range: string): Row {
  return {
    measure,
    value: round2(load.requestsPerSecond),
    unit: `req/s (rounds: ${range}; ${load.cpuPerRequestMs.toFixed(3)} ms CPU per request; load generator and fakes ${Math.round(load.generatorBusy * 100)} % busy)`,
  };
}

function targetRow(measure: string, value: number, unit: string, target: string, test: (value: number) => boolean): Row {
  return { measure, value: round2(value), unit, target, met: test(value) };
}

function verdict(met: boolean | undefined): string {
  return met ? '✅' : '❌';
}

function report(rows: Row[]): void {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${PLACEMENT}`;
  const lines = [
    `| measure | value | target |`,
    `|---|---|---|`,
    ...rows.map((row) => `| ${row.measure} | ${row.value} ${row.unit} | ${row.target ? `${row.target} ${verdict(row.met)}` : ''} |`),
  ];
  process.stdout.write(`\nMachine: ${machine}; ${CONNECTIONS} connections, ${LOAD_SECONDS} s per load, ${ROUNDS} rounds (medians).\n\n${lines.join('\n')}\n`);
  writeFileSync(
    join(root, 'bench', 'results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, connections: CONNECTIONS, seconds: LOAD_SECONDS, rounds: ROUNDS, rows }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
