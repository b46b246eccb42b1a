/**
 * `npm start` as users run it: the built entry point in a child process. Needs `npm run
 * build` first (`npm test` runs it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './support/wait';

const entry = join(__dirname, '..', 'dist', 'src', 'main.js');

// A child process starting Node and the demo can take many seconds on a loaded machine.
jest.setTimeout(60_000);

function start(env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AUTH0_|CF_|WACHT_|NODE_ENV$|PORT$)/.test(name)),
  );
  return spawn(process.execPath, [entry], { env: { ...clean, HOST: '127.0.0.1', PORT: '0', ...env } });
}

function output(child: ChildProcessWithoutNullStreams): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts the demo, sends `signal`, and once it drains (readiness 503 for `delayMs`) sends it again. */
async function signalledTwiceWhileDraining(signal: NodeJS.Signals, delayMs: string) {
  const child = start({ LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: delayMs });
  const printed = output(child);
  const exit = exited(child);
  try {
    await waitFor(() => /Open http/.exec(printed.stdout())?.[0], 'the demo banner');
    child.kill(signal);
    await waitFor(() => /shutting down/.exec(printed.stdout())?.[0], 'the first signal to be taken');
    // Still draining, so the second signal lands during the drain.
    expect(child.exitCode).toBeNull();
    child.kill(signal);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { code: await exit, stdout: printed.stdout() };
}

describe('the built server', () => {
  it('serves the demo with the printed headers, and exits 0 on SIGTERM', async () => {
    const child = start({ LOG_LEVEL: 'silent' });
    const printed = output(child);
    const exit = exited(child);
    try {
      const url = await waitFor(() => /Open (http:\/\/\S+\/graphql)/.exec(printed.stdout())?.[1], 'the demo banner');
      const headers = Object.fromEntries(
        [...printed.stdout().matchAll(/^ {2}(Authorization|X-Wacht-Session): (.+)$/gm)].map((match) => [match[1]!, match[2]!]),
      );
      expect(Object.keys(headers).sort()).toEqual(['Authorization', 'X-Wacht-Session']);
      const query = /^ {2}(query \w+ \{.+\})$/m.exec(printed.stdout())![1]!;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.myOrganizationMemberships.totalCount).toBeGreaterThan(0);
      expect(body.data.myOrganizationMemberships.edges[0].node.organization.name).toEqual(expect.any(String));

      // A browser gets Sandbox, set up to send that query with those headers.
      const page = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
      const sandbox = JSON.parse(/var embeddedSandboxConfig = (.*);$/m.exec(page)![1]!);
      expect(sandbox.initialState).toMatchObject({ headers, includeCookies: true });
      expect(sandbox.initialState.document.replace(/\s+/g, ' ')).toBe(query);

      // The Cloud Foundry user's token, printed apart: their organizations, paged by Cloud Controller.
      const cloudFoundry = /^ {4}Authorization: (Bearer \S+)$/m.exec(printed.stdout())![1]!;
      const asCloudFoundryUser = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: cloudFoundry },
        body: JSON.stringify({ query: '{ myOrganizationMemberships(first: 1) { totalCount edges { node { provider } } } }' }),
      });
      expect(await asCloudFoundryUser.json()).toEqual({
        data: { myOrganizationMemberships: { totalCount: 130, edges: [{ node: { provider: 'CLOUD_FOUNDRY' } }] } },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  });

  it('a second SIGTERM while draining does not cut the drain short: still exits 0', async () => {
    const { code, stdout } = await signalledTwiceWhileDraining('SIGTERM', '3000');
    expect(code).toBe(0);
    expect(stdout.match(/shutting down/g)).toHaveLength(1);
  });

  it('Ctrl-C pressed again while draining stops at once (exit 130)', async () => {
    // Long before the 120 s drain would have ended (the test's own timeout is 60 s).
    expect((await signalledTwiceWhileDraining('SIGINT', '120000')).code).toBe(130);
  });

  it('stops at start-up with one line naming a bad setting', async () => {
    const child = start({ UPSTREAM_TIMEOUT_MS: 'soon', AUTH0_CLIENT_SECRET: 'do-not-print-me' });
    const printed = output(child);
    expect(await exited(child)).toBe(1);
    expect(printed.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: UPSTREAM_TIMEOUT_MS: /)]);
    expect(printed.stderr() + printed.stdout()).not.toContain('do-not-print-me');
  });

  it('refuses to start in production with no provider configured', async () => {
    const child = start({ NODE_ENV: 'production' });
    const printed = output(child);
    expect(await exited(child)).toBe(1);
    expect(printed.stderr().trim()).toBe(
      'Invalid configuration: no identity provider: set AUTH0_DOMAIN, CF_API_URL or WACHT_FRONTEND_API_URL',
    );
  });
});
