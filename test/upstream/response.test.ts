import fc from 'fast-check';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { parseBody, wireSchema } from '../../src/upstream/response';
import { organizationsPage } from '../../src/providers/auth0/wire';

/** The kinds of schema the providers' wire shapes use, each built twice: as is and compiled. */
const shapes = () => {
  const id = z.union([z.string().min(1), z.number().int()]).transform(String);
  return z
    .looseObject({
      total: z.number().int().nonnegative(),
      items: z.array(
        z.object({
          id,
          name: z.string().min(1),
          created_at: z.iso.datetime({ offset: true }).nullish(),
          home: z.url({ protocol: /^https?$/ }).optional(),
          status: z.enum(['active', 'suspended']),
        }),
      ),
    })
    .transform((page) => ({ total: page.total, items: page.items }));
};

/** Bodies near the shape: valid ones and ones wrong in one field or another. */
const item = fc.record(
  {
    id: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null)),
    name: fc.oneof(fc.string(), fc.integer()),
    created_at: fc.oneof(fc.constant('2024-05-01T10:00:00Z'), fc.constant('2024-05-01T10:00:00+02:00'), fc.string(), fc.constant(null)),
    home: fc.oneof(fc.constant('https://example.com/a'), fc.constant('ftp://example.com'), fc.string()),
    status: fc.constantFrom('active', 'suspended', 'deleted'),
  },
  { requiredKeys: ['id', 'name', 'status'] },
);
const body = fc.record(
  { total: fc.oneof(fc.nat(), fc.integer(), fc.double()), items: fc.oneof(fc.array(item, { maxLength: 4 }), fc.string()), extra: fc.jsonValue() },
  { requiredKeys: ['items'] },
);

it('the compiled fast path answers exactly what the runtime parser answers: data, or the same issues', () => {
  const runtime = shapes();
  const compiled = wireSchema(shapes());
  fc.assert(
    fc.property(fc.oneof(body, fc.jsonValue()), (input) => {
      const expected = runtime.safeParse(input);
      const actual = compiled.safeParse(input);
      expect(actual.success).toBe(expected.success);
      if (expected.success) expect(actual.data).toEqual(expected.data);
      else expect(actual.error!.issues.map((issue) => issue.path)).toEqual(expected.error.issues.map((issue) => issue.path));
    }),
    { numRuns: 500 },
  );
});

it('a schema the fast path cannot model fails when it is defined, not on the first request', () => {
  const asyncCheck = z.object({ name: z.string().refine(async () => true) });
  expect(() => wireSchema(asyncCheck)).toThrow();
});

describe('parseBody', () => {
  const answer = (body: string) => ({ status: 200, headers: {}, body });

  it('reads an Auth0 page through its compiled schema', () => {
    const page = parseBody('AUTH0', answer('{"start":0,"limit":50,"total":1,"organizations":[{"id":"org_1","name":"acme","metadata":{}}]}'), organizationsPage);
    expect(page).toEqual({ total: 1, items: [{ id: 'org_1', name: 'acme' }] });
  });

  it('names the field of a body in another shape, as UPSTREAM_ERROR', () => {
    const error = (() => {
      try {
        parseBody('AUTH0', answer('{"total":1,"organizations":[{"id":"org_1","name":""}]}'), organizationsPage);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UPSTREAM_ERROR');
    expect((error as AppError).message).toBe('AUTH0 answered in an unexpected shape (at organizations.0.name)');
  });

  it('refuses a body that is not JSON, as UPSTREAM_ERROR', () => {
    expect(() => parseBody('AUTH0', answer('<html>'), organizationsPage)).toThrow('AUTH0 answered with a body that is not JSON');
  });
});
