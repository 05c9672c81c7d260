/**
 * What a client reads in `errors[].message` for an input that fails its schema, in the API's own voice
 * ("Must be at most 200 characters") instead of zod's defaults ("Too big: expected string to have <=200
 * characters"). Used as the per-parse error map of request validation: a message written on the schema itself
 * (`.regex(…, 'Must be an id')`) still wins; anything not covered here keeps zod's default.
 */
import type { z } from 'zod';

const UNITS: Partial<Record<string, [one: string, many: string]>> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

const FORMATS: Partial<Record<string, string>> = {
  email: 'Must be an email address',
  datetime: 'Must be an ISO 8601 date and time, such as 2026-03-31T09:30:00Z',
  date: 'Must be a date, YYYY-MM-DD',
  time: 'Must be a time, HH:MM:SS',
  url: 'Must be a URL',
  uuid: 'Must be a UUID',
  ulid: 'Must be a ULID',
};

const TYPES: Partial<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      // Only the raw issue has the input (the parsed result drops it): absent is "Required", not a wrong type.
      if (issue.input === undefined) return 'Required';
      const expected = TYPES[issue.expected];
      return expected ? `Must be ${expected}` : undefined;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue);
    case 'invalid_value':
      return issue.values.length === 1 ? `Must be ${String(issue.values[0])}` : `Must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) return `Must match ${issue.pattern}`;
      return FORMATS[issue.format];
    case 'not_multiple_of':
      return `Must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
      return 'Not an allowed key';
    default:
      return undefined;
  }
}

function sizeMessage(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig>): string | undefined {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const units = UNITS[issue.origin];
  if (units) {
    const [one, many] = units;
    if (small && bound === 1 && issue.origin === 'string') return 'Must not be empty';
    if (small && bound === 1) return `Must have at least one ${one}`;
    const size = plural(bound, one, many);
    if (issue.exact) return issue.origin === 'string' ? `Must be exactly ${size} long` : `Must have exactly ${size}`;
    if (issue.origin === 'string') return small ? `Must be at least ${size} long` : `Must be at most ${size} long`;
    return small ? `Must have at least ${size}` : `Must have at most ${size}`;
  }
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
    if (issue.inclusive === false) return small ? `Must be more than ${bound}` : `Must be less than ${bound}`;
    return small ? `Must be at least ${bound}` : `Must be at most ${bound}`;
  }
  return undefined;
}
