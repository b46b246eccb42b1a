/**
 * `DateTime`: an RFC 3339 date-time with a time zone, as a string. Values a provider sends
 * in another form are refused rather than passed on as something else.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { z } from 'zod';

const rfc3339 = z.iso.datetime({ offset: true });

function checked(value: unknown): string {
  if (typeof value === 'string' && rfc3339.safeParse(value).success) return value;
  throw new GraphQLError('DateTime must be an RFC 3339 date-time string with a time zone, such as 2024-01-15T10:30:00Z', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An RFC 3339 date-time string with a time zone, such as `2024-01-15T10:30:00Z`.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
  serialize: checked,
  parseValue: checked,
  parseLiteral: (ast) => checked(ast.kind === Kind.STRING ? ast.value : undefined),
});
