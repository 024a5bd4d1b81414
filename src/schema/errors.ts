import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { LoupeError } from '../errors';
import { log } from '../logger';

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function flatten(errors: ValidationErrorLike[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push(`${path}: ${msg}`);
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/**
 * The one place errors become GraphQL errors: LoupeError → its code; class-validator failures → BAD_USER_INPUT;
 * GraphQL's own errors (parse, validation, variable coercion) pass through; anything else is logged and masked.
 * Never a stack trace to the client.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof LoupeError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    };
  }
  if (original && (original as Error).name === 'ArgumentValidationError') {
    const details = flatten(((original as unknown as { extensions?: { validationErrors?: ValidationErrorLike[] } }).extensions?.validationErrors) ?? []);
    return {
      message: `Invalid input: ${details.join('; ') || (original as Error).message}`,
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
    return { ...formatted, extensions: ext };
  }
  if (!original || !(original instanceof GraphQLError) || code === 'INTERNAL_SERVER_ERROR') {
    log.error('internal error', { message: (original as Error)?.message, stack: (original as Error)?.stack, path: formatted.path });
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}
