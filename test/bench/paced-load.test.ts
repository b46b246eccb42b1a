import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pacedLoad, pairedSchedule } from '../../bench/paced-load';

/** A server that answers after `delayMs` with `answer`, recording when each request arrived. */
async function startServer(delayMs: number, answer: (index: number) => { status: number; body: string }) {
  const arrivals: number[] = [];
  const server: Server = createServer((request, response) => {
    const index = arrivals.push(performance.now()) - 1;
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        const { status, body } = answer(index);
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, arrivals, close: () => new Promise((resolve) => server.close(resolve)) };
}

const load = { headers: { 'content-type': 'application/json' }, body: '{"query":"{ a }"}', connections: 10 };

describe('pacedLoad', () => {
  it('sends rate × seconds requests spread over the run, timing each from its scheduled start', async () => {
    const server = await startServer(5, () => ({ status: 200, body: '{"data":{"a":1}}' }));
    try {
      const begun = performance.now();
      const [result] = await pacedLoad({ ...load, urls: [server.url], rate: 100, seconds: 1 });
      expect(result!.requests).toBe(100);
      expect(result!.failures).toBe(0);
      expect(server.arrivals).toHaveLength(100);
      // Evenly spaced, not a burst: the last request leaves ~0.99 s after the run began (counted
      // from the start, not from the first arrival, which a stall of the machine can delay).
      expect(server.arrivals.at(-1)! - begun).toBeGreaterThan(800);
      // And spaced all along, not slept then sent in a burst: most gaps are about the 10 ms
      // interval (a stall bunches only the requests due while it lasts).
      const gaps = server.arrivals.slice(1).map((arrival, index) => arrival - server.arrivals[index]!);
      expect(gaps.filter((gap) => gap >= 5).length).toBeGreaterThanOrEqual(50);
      // No answer comes sooner than the server's delay.
      expect(result!.latencyMs.p50).toBeGreaterThanOrEqual(5);
      expect(result!.latencyMs.p50).toBeLessThanOrEqual(result!.latencyMs.p99);
      expect(result!.latencyMs.p99).toBeLessThanOrEqual(result!.latencyMs.max);
    } finally {
      await server.close();
    }
  });

  it('counts answers that are not 200, or carry GraphQL errors, as failures', async () => {
    const server = await startServer(0, (index) =>
      index % 4 === 0
        ? { status: 500, body: '{}' }
        : index % 4 === 1
          ? { status: 200, body: '{"errors":[{"message":"no"}]}' }
          : { status: 200, body: '{"data":{"a":1}}' },
    );
    try {
      const [result] = await pacedLoad({ ...load, urls: [server.url], rate: 40, seconds: 1 });
      expect(result!.requests).toBe(40);
      expect(result!.failures).toBe(20);
    } finally {
      await server.close();
    }
  });

  it('counts requests that find no server as failures', async () => {
    const server = await startServer(0, () => ({ status: 200, body: '{}' }));
    const { url } = server;
    await server.close();
    const [result] = await pacedLoad({ ...load, urls: [url], rate: 20, seconds: 0.5 });
    expect(result).toMatchObject({ requests: 10, failures: 10 });
  });

  it('pairs the targets in one schedule: each at the rate, their requests spread evenly over each interval', () => {
    // Two targets at 50 a second: an interval of 20 ms, the second target half an interval after the first.
    expect(pairedSchedule(3, 2, 50)).toEqual([
      { target: 0, index: 0, atMs: 0 },
      { target: 1, index: 0, atMs: 10 },
      { target: 0, index: 1, atMs: 20 },
      { target: 1, index: 1, atMs: 30 },
      { target: 0, index: 2, atMs: 40 },
      { target: 1, index: 2, atMs: 50 },
    ]);
    expect(pairedSchedule(2, 1, 4).map((slot) => slot.atMs)).toEqual([0, 250]);
  });

  it('loads several targets together, each timed on its own', async () => {
    const fast = await startServer(2, () => ({ status: 200, body: '{"data":{"a":1}}' }));
    const slow = await startServer(30, (index) => (index === 0 ? { status: 500, body: '{}' } : { status: 200, body: '{"data":{"a":1}}' }));
    try {
      const results = await pacedLoad({ ...load, urls: [fast.url, slow.url], rate: 50, seconds: 1 });
      expect(results.map((result) => result.requests)).toEqual([50, 50]);
      expect(results.map((result) => result.failures)).toEqual([0, 1]);
      expect(fast.arrivals).toHaveLength(50);
      expect(slow.arrivals).toHaveLength(50);
      // Each target's latencies are its own: the slow one answers ~28 ms later than the fast one
      // (a stall of the machine delays both alike).
      expect(results[1]!.latencyMs.p50 - results[0]!.latencyMs.p50).toBeGreaterThan(20);
    } finally {
      await Promise.all([fast.close(), slow.close()]);
    }
  });
});
