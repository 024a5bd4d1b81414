import { createParameterDecorator } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';

/**
 * The caller of the operation. Every root field has one (the root guard refuses operations without a valid key before
 * any argument is read), and nested fields inherit their root's.
 */
export function CurrentPrincipal() {
  return createParameterDecorator<Context>(({ context }) => context.principal as Principal);
}
