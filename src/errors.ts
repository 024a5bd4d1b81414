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
