/**
 * One error type for every expected failure; mapped to GraphQL `extensions.code` once, in formatError.
 * RATE_LIMITED is answered by the HTTP layer (src/http/rate-limit.ts: HTTP 429 with Retry-After) before any resolver runs.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT' | 'RATE_LIMITED';

export class LoupeError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    /** Where the problem is, e.g. `annotations[17].label`. */
    public readonly field?: string,
  ) {
    super(message);
    this.name = 'LoupeError';
  }
}

export const badInput = (field: string, problem: string): LoupeError =>
  new LoupeError('BAD_USER_INPUT', `${field}: ${problem}`, field);
export const notFound = (what: string, field?: string): LoupeError =>
  new LoupeError('NOT_FOUND', `${field ? `${field}: ` : ''}${what} not found`, field);
export const forbidden = (message: string, field?: string): LoupeError =>
  new LoupeError('FORBIDDEN', `${field ? `${field}: ` : ''}${message}`, field);
export const conflict = (field: string, problem: string): LoupeError =>
  new LoupeError('CONFLICT', `${field}: ${problem}`, field);

/** Longest piece of an input that an error message quotes; the rest becomes "…". */
export const MAX_QUOTED = 80;

/** `s` cut to {@link MAX_QUOTED} characters (then "…"), for quoting an input in an error message. */
export const clip = (s: unknown, max = MAX_QUOTED): string => {
  const t = typeof s === 'string' ? s : String(s);
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/** A list (a project's classes, say) for an error message: joined, cut to 200 characters, with its count when cut. */
export const listed = (xs: readonly string[], noun = 'classes'): string => {
  const all = xs.join(', ');
  return all.length > 200 ? `${all.slice(0, 200)}…; ${xs.length} ${noun}` : all;
};

/**
 * The last bound on every message sent to a client: any run of more than 100 characters without a space (an id, a
 * name, a quoted value) is cut to MAX_QUOTED characters and "…", and the whole message to 1,000 characters; the first
 * `keep` characters (the field path a LoupeError starts with) are left as they are. Errors built here clip what they
 * quote already; this also covers GraphQL's own coercion messages, which quote the value they refuse.
 */
export function boundMessage(m: string, keep = 0): string {
  if (m.length <= 100 + keep) return m;
  let out = m.slice(0, keep);
  let start = keep;
  for (let i = keep; i <= m.length; i++) {
    if (i === m.length || m.charCodeAt(i) === 32) {
      const run = m.slice(start, i);
      out += run.length > 100 ? `${run.slice(0, MAX_QUOTED)}…` : run;
      if (i < m.length) out += ' ';
      start = i + 1;
      if (out.length > 1000 + keep) break;
    }
  }
  return out.length > 1000 + keep ? `${out.slice(0, 1000 + keep)}…` : out;
}
