/**
 * The bare-Node baseline: node:http, no framework, no GraphQL. It does the same work as the
 * subgraph's `myOrganizationMemberships(first: 20)` for an Auth0 caller (bench/bare-work.ts)
 * and answers the same JSON. It is the practical limit for this work on Node.
 *
 * Environment: PORT, and what bare-work.ts reads.
 */
import { createServer } from 'node:http';
import { firstTwentyMemberships } from './bare-work';

createServer((incoming, outgoing) => {
  incoming.resume();
  incoming.on('end', () => {
    firstTwentyMemberships(incoming.headers.authorization).then(
      (memberships) => {
        outgoing.writeHead(200, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ data: { myOrganizationMemberships: memberships } }));
      },
      () => {
        outgoing.writeHead(500);
        outgoing.end();
      },
    );
  });
}).listen(Number(process.env['PORT']), '127.0.0.1');

// Exit on SIGTERM as the subgraph does, so `BENCH_PROFILE` gets this process's CPU profile too.
process.once('SIGTERM', () => process.exit(0));
