/**
 * `npm run bench:compare -- <checkout> …`: how much CPU per request other builds of the
 * subgraph spend than this one, in the first scenario of `npm run bench`, measured as its
 * together rows are: every build loaded at once on the measured core, in rounds (load.ts).
 * One after the other, the drift of a shared virtual machine between two loads is larger than
 * most changes worth measuring (README, Performance).
 *
 * A checkout is a directory with the subgraph installed and built (`npm ci && npm run build`):
 * a `git worktree` of another commit, or a copy of this tree with one part changed. This
 * checkout's build is the reference and runs twice: its copy's ratio shows what the method
 * resolves on the machine at the time. Every build must answer what the reference answers.
 */
import { resolve } from 'node:path';
import { startFakes } from '../src/fakes/fleet';
import { DEMO_AUTH0_AUDIENCE, DEMO_AUTH0_USER_ID } from '../src/fakes/auth0/seed';
import { LOAD_SECONDS, ROUNDS, loadedTogether, median, sameAnswer, summary, waitUntilReady, type SharedLoad, type Target } from './load';
import { PLACEMENT, freePort, root, startNode, subgraphEnvironment } from './processes';

async function main(): Promise<void> {
  const checkouts = process.argv.slice(2);
  if (checkouts.length === 0) throw new Error('usage: npm run bench:compare -- <checkout> … (each installed and built)');
  const builds = [
    { name: 'reference (this checkout)', directory: root },
    { name: 'reference again (what the method resolves)', directory: root },
    // Loads are tallied by name, so a checkout given twice is named by its place too.
    ...checkouts.map((checkout, index) => ({
      name: checkouts.indexOf(checkout) === index ? checkout : `${checkout} (again, #${index + 1})`,
      directory: resolve(checkout),
    })),
  ];
  const fakes = await startFakes();
  // As in the benchmark: the tenant's rate limit is the plan's business, not the build's.
  fakes.auth0.rateLimit = { limit: Number.MAX_SAFE_INTEGER, refillPerSecond: Number.MAX_SAFE_INTEGER };
  const children = [];
  try {
    const targets: Target[] = [];
    for (const build of builds) {
      const port = await freePort();
      const child = startNode(resolve(build.directory, 'dist/src/main.js'), subgraphEnvironment(fakes, port), ['ignore', 'ignore', 'inherit']);
      children.push(child);
      targets.push({ name: build.name, url: `http://127.0.0.1:${port}/graphql`, pid: child.pid });
      await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
    }
    const token = await fakes.auth0.mintCallerToken(DEMO_AUTH0_USER_ID, { audience: DEMO_AUTH0_AUDIENCE });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const [reference, ...others] = targets;
    for (const target of others) await sameAnswer(target.url, reference!.url, headers);

    // Not counted: the first load is the builds' warm-up (measured up to twice the CPU per request).
    await loadedTogether(targets, headers, 0);
    const loads: SharedLoad[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      loads.push(await loadedTogether(targets, headers, round));
      process.stderr.write(`round ${round + 1} of ${ROUNDS} done\n`);
    }
    const cpu = (target: Target) => loads.map((load) => load.cpuPerRequestMs.get(target.name)!);
    const lines = targets.map((target) => {
      // Above 1: this build serves more requests with the same CPU than the reference.
      const ratios = summary(cpu(target).map((ms, round) => cpu(reference!)[round]! / ms));
      return `| ${target.name} | ${ratios.median} × (rounds ${ratios.range}) | ${Math.round(median(cpu(target)) * 1000)} µs |`;
    });
    const busy = Math.round(Math.min(...loads.map((load) => load.coreBusy)) * 100);
    // Below saturation the load generator set the pace, and every process pays for waking up.
    const saturation = busy >= 90 ? '' : ' Not saturated: the load generator is the limit; compare fewer builds at once, on a calmer machine.';
    process.stdout.write(
      [
        `\n${ROUNDS} rounds of ${LOAD_SECONDS} s after a warm-up, all builds loaded together; ${PLACEMENT}; the measured core at least ${busy} % busy.${saturation}\n`,
        '| build | throughput vs the reference: its CPU per request ÷ the build’s (median) | CPU per request (median) |',
        '|---|---|---|',
        ...lines,
        '',
      ].join('\n'),
    );
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    await fakes.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:compare failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
