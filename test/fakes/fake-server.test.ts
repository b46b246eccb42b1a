import type { FastifyInstance } from 'fastify';
import { FakeServer } from '../../src/fakes/fake-server';

class EchoFake extends FakeServer {
  protected routes(app: FastifyInstance): void {
    app.get('/n/:n', async () => ({ ok: true }));
  }
}

describe('FakeServer recorded requests', () => {
  const fake = new EchoFake();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('keeps at least the latest maxRecorded and never twice as many', async () => {
    fake.maxRecorded = 5;
    const seen: number[] = [];
    for (let n = 1; n <= 23; n += 1) {
      const response = await fetch(`${fake.url}/n/${n}`);
      await response.text();
      seen.push(fake.requests.length);
      // The latest request is always the last kept, and at least maxRecorded of them are there.
      expect(fake.requests.at(-1)?.rawPath).toBe(`/n/${n}`);
    }
    expect(Math.max(...seen)).toBe(9);
    // Trimmed back to 5 at the 10th and the 15th… request: 1..9, 5, 6..9, 5, …
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5, 6, 7, 8]);
    expect(fake.requests.map((request) => request.rawPath)).toEqual(['/n/16', '/n/17', '/n/18', '/n/19', '/n/20', '/n/21', '/n/22', '/n/23']);
  });
});
