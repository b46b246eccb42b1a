/**
 * Start-up: read the configuration (or start the demo fakes), serve, and shut down in order
 * on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig, type Config } from './config';
import type { Demo } from './fakes/demo';
import { createServer } from './server/app';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // The fakes (and what they load) are only loaded in demo mode: production never carries them.
  const demoModule = config.demo ? await import('./fakes/demo.js') : null;
  const demo: Demo | null = demoModule ? await demoModule.startDemo(config) : null;
  const server = await createServer(
    demo?.config ?? config,
    demoModule && demo ? { sandbox: { document: demoModule.DEMO_OPERATION, headers: demo.headers } } : {},
  );
  const url = await server.listen();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A supervisor repeating SIGTERM must not drop the requests still in flight: the first
      // one's drain carries on. Ctrl-C pressed again is a person who wants out now.
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    server.fastify.log.info({ signal }, 'shutting down');
    try {
      await server.close();
      await demo?.stop();
      process.exit(0);
    } catch (error) {
      server.fastify.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  // Taken before anyone is told the server is up: until then a signal would end the process
  // without a drain.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  server.fastify.log.info({ url: `${url}/graphql`, demo: Boolean(demo) }, 'organizations subgraph ready');
  if (demoModule && demo) process.stdout.write(demoModule.demoBanner(`${url}/graphql`, demo));
}

main().catch((error: unknown) => {
  process.stderr.write(`organizations subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
