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
  const server = await createServer(demo?.config ?? config);
  const url = await server.listen();
  server.fastify.log.info({ url: `${url}/graphql`, demo: Boolean(demo) }, 'organizations subgraph ready');
  if (demoModule && demo) process.stdout.write(demoModule.demoBanner(`${url}/graphql`, demo));

  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal while draining (an impatient supervisor, a repeated Ctrl-C) must not drop
    // the requests still in flight: the first one's shutdown carries on.
    if (stopping) return;
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
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`organizations subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
