/**
 * How many upstream requests one GraphQL request made: the server runs each request inside
 * this store, and the upstream client counts every attempt into it (a metric, and what the
 * tests assert to prove batching).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface UpstreamTally {
  requests: number;
}

export const upstreamTally = new AsyncLocalStorage<UpstreamTally>();
