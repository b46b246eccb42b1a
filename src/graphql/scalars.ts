/**
 * `DateTime`: an RFC 3339 date-time with a time zone, as a string. Values a provider sends
 * in another form are refused rather than passed on as something else.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { z } from 'zod';

const rfc3339 = z.iso.datetime({ offset: true });

const MESSAGE = 'DateTime must be an RFC 3339 date-time string with a time zone, such as 2024-01-15T10:30:00Z';

/** An input value: the client's to fix. */
function parsed(value: unknown): string {
  if (typeof value === 'string' && rfc3339.safeParse(value).success) return value;
  throw new GraphQLError(MESSAGE, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** An output value: providers' timestamps are checked when their answers are parsed, so this is a bug. */
function serialized(value: unknown): string {
  if (typeof value === 'string' && rfc3339.safeParse(value).success) return value;
  throw new Error(MESSAGE);
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An RFC 3339 date-time string with a time zone, such as `2024-01-15T10:30:00Z`.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
  serialize: serialized,
  parseValue: parsed,
  parseLiteral: (ast) => parsed(ast.kind === Kind.STRING ? ast.value : undefined),
});
