/**
 * What the upstream client knows of the GraphQL request it works for: the server runs each
 * request inside this store. The client counts every attempt into it (a metric, and what the
 * tests assert to prove batching) and passes its request id on (`x-request-id`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface UpstreamTally {
  requests: number;
  requestId: string;
}

export const upstreamTally = new AsyncLocalStorage<UpstreamTally>();
