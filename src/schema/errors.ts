import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { boundMessage, LoupeError } from '../errors';
import { log } from '../logger';

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

/** The first failure of a class-validator error tree: its path and message (no value, no target). */
function firstFailure(errors: ValidationErrorLike[], prefix = ''): string | null {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const msg = Object.values(e.constraints ?? {})[0];
    if (msg) return `${path}: ${msg}`;
    const inner = firstFailure(e.children ?? [], path);
    if (inner) return inner;
  }
  return null;
}

/**
 * The one place errors become GraphQL errors: LoupeError → its code; class-validator failures → BAD_USER_INPUT
 * (input-rules.ts turns them into LoupeErrors first; an ArgumentValidationError that still gets here keeps only its
 * first rule); GraphQL's own errors (parse, validation, variable coercion) pass through; anything else is logged and
 * masked. Never a stack trace, and never more of an input than a short prefix (boundMessage).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof LoupeError) {
    return {
      message: boundMessage(original.message, original.field ? original.field.length + 2 : 0),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    };
  }
  const validationErrors = (original as { extensions?: { validationErrors?: ValidationErrorLike[] } } | undefined)?.extensions?.validationErrors;
  if (original instanceof GraphQLError && Array.isArray(validationErrors)) {
    return {
      message: boundMessage(firstFailure(validationErrors) ?? 'invalid input'),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  const code = formatted.extensions?.code;
  // graphql-js stops coercing variables after 50 errors with a plain GraphQLError: still the client's input.
  if (original instanceof GraphQLError && original.message.startsWith('Too many errors processing variables')) {
    return { message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (original instanceof GraphQLError && code && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    return { ...formatted, message: boundMessage(formatted.message), extensions: ext };
  }
  if (!original || !(original instanceof GraphQLError) || code === 'INTERNAL_SERVER_ERROR') {
    log.error('internal error', { message: (original as Error)?.message, stack: (original as Error)?.stack, path: formatted.path });
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}
