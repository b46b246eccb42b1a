/**
 * What the upstream client knows of the GraphQL request it works for: the server runs each
 * request inside this store. The client counts every attempt into it (a metric, and what the
 * tests assert to prove batching), passes its request id on (`x-request-id`), and sends none
 * of the request's own calls once its client has gone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The connection a GraphQL request came on (Node's ServerResponse). */
export interface ClientConnection {
  /** True once the client has gone (it hung up, or a router timed the request out). */
  readonly destroyed: boolean;
}

export interface UpstreamTally {
  requests: number;
  requestId: string;
  connection: ClientConnection;
}

export const upstreamTally = new AsyncLocalStorage<UpstreamTally>();
